"""A household with everything a printed form shows: rare-character names, a long address,
many members, helpers (one changed), handbook entries, a year of income, a 三保障 check,
a monitoring case and an asset income share."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from fupin_desktop.models import (
    Asset,
    AssetIncome,
    GuaranteeCheck,
    HandbookEntry,
    Helper,
    HelperAssignment,
    Household,
    HouseholdYear,
    IncomeDistribution,
    Member,
    MonitoringCase,
    Project,
    ProjectFunding,
    ProjectStatusLog,
    VillageTeamMember,
)
from fupin_desktop.services import assets as assets_svc
from tests.factories import VILLAGE, add_household, add_regions, make_id

RARE_NAMES = ["王堃", "李喆", "张犇", "刘淼", "陈昇", "杨珺", "赵玥", "钱祎", "孙赟", "周翀",
              "吴燊", "郑龑", "冯䶮", "韩镕", "𠮷田"]
HEAD_ID = make_id(dt.date(1968, 4, 2), 11)
HEAD_PHONE = "13912345678"
BANK = "6228480123456789012"
LONG_ADDRESS = "贵州省黔西南布依族苗族自治州望谟县复兴镇新寨村大坪子组老寨脚下第三十六号" * 2


def build_household(session, *, members: int = 15) -> Household:
    add_regions(session)
    hh = Household(household_no="5223261002010099", region_code=VILLAGE, group_name="三组",
                   address=LONG_ADDRESS, phone=HEAD_PHONE, bank_name="农村信用社", bank_account=BANK,
                   head_name=RARE_NAMES[0], household_type="01", poverty_attribute="02",
                   main_cause="01", other_causes=["08", "09"], identified_year=2016,
                   exit_status="1", exit_year=2019)
    people = []
    for i in range(members):
        name = RARE_NAMES[i % len(RARE_NAMES)] + ("" if i < len(RARE_NAMES) else str(i))
        birth = dt.date(1968 + i, 4, 2)
        pid = HEAD_ID if i == 0 else make_id(birth, 100 + i)
        people.append(Member(name=name, relation="01" if i == 0 else "03", sex="1",
                             id_number=pid, id18=pid, seq=i + 1, birth_date=birth,
                             health="03" if i == 1 else "01", labour_skill="01", education="03",
                             has_resident_medical=True, has_resident_pension=True,
                             phone=f"1380000{i:04d}"))
    hh.members = people
    session.add(hh)
    session.flush()
    session.add(HouseholdYear(household_id=hh.id, year=2025, wage_income=Decimal("12000"),
                              business_income=Decimal("3000"), property_income=Decimal("500"),
                              transfer_income=Decimal("2400"), annual_income=Decimal("17900"),
                              business_expense=Decimal("900"), net_income=Decimal("17000"),
                              per_capita_net_income=Decimal("1133.33"), household_size=members,
                              arable_mu=Decimal("3.5"), house_structure="02", danger_level="0",
                              is_dangerous_house=False, main_fuel="04", safe_drinking_water=True))
    session.add(GuaranteeCheck(household_id=hh.id, year=2025, housing_problem=False,
                               education_problem=False, medical_problem=True, water_problem=False))
    old = Helper(name="欧阳堃", unit_name="望谟县财政局", unit_level="50", title="科员", cadre_rank="04",
                 phone="13700000001")
    new = Helper(name="黄玥", unit_name="望谟县乡村振兴局", unit_level="50", title="副局长",
                 cadre_rank="03", phone="13700000002")
    session.add_all([old, new])
    session.flush()
    session.add_all([
        HelperAssignment(helper_id=old.id, household_id=hh.id, start_date=dt.date(2021, 3, 1),
                         end_date=dt.date(2023, 5, 31)),
        HelperAssignment(helper_id=new.id, household_id=hh.id, start_date=dt.date(2023, 6, 1)),
        VillageTeamMember(region_code=VILLAGE, name="莫翀", unit_name="州财政局", unit_title="科员",
                          phone="13700000003", is_first_secretary=True, is_leader=True,
                          start_date=dt.date(2023, 6, 1)),
    ])
    for section, cat, content, amount in (
        ("01", "01", "养殖生猪10头，申请贴息小额信贷3万元", Decimal("30000")),
        ("02", "01", "发放精品水果苗及化肥", Decimal("2300")),
        ("02", "03", "雨露计划补助", Decimal("1500")),
        ("03", "02", "务工收入稳定，全年务工11个月", Decimal("38000")),
        ("06", None, "落实家庭医生签约服务", None),
    ):
        session.add(HandbookEntry(household_id=hh.id, year=2025, section=section, category=cat,
                                  content=content, amount=amount, entry_date=dt.date(2025, 5, 6),
                                  unit="望谟县乡村振兴局", helper_id=new.id,
                                  findings="家中老人患慢性病" if section == "06" else None))
    session.add(MonitoringCase(household_id=hh.id, category="01", state="06", identified_ym="2025-03",
                               risk_1="01", monitor_contact="黄玥", monitor_phone="13700000002"))
    asset = Asset(asset_no="ZC-1", name="新寨村茶叶加工厂", category="01", region_code=VILLAGE,
                  original_value=Decimal("500000"), ownership_level="03")
    session.add(asset)
    session.flush()
    income = AssetIncome(asset_id=asset.id, year=2025, amount=Decimal("10000"))
    session.add(income)
    session.flush()
    session.add(IncomeDistribution(asset_income_id=income.id, recipient_type="01", household_id=hh.id,
                                   amount=Decimal("1646")))
    other = add_household(session, no="5223261002010001", head="张三", seq=3)
    session.flush()
    assert other.id
    return hh


def build_handover(s) -> tuple[int, int]:
    """A 2024 project (800 000 元 from two sources) handing over two assets (750 000 元) to
    新寨村 under 城移字〔2025〕3号: (project id, id of the second asset)."""
    project = Project(year=2024, name="新寨村茶叶加工厂建设项目", project_no="XM-2024-007", region_code=VILLAGE,
                      status="12", implementer="城关镇人民政府", competent_dept="示例县农业农村局",
                      location="新寨村大坪子组", total_funds=Decimal("800000"), scale_quantity=Decimal("1"),
                      scale_unit="座")
    s.add(project)
    s.flush()
    s.add_all([ProjectFunding(project_id=project.id, level="01", source="01", amount=Decimal("600000")),
               ProjectFunding(project_id=project.id, level="04", source="02", amount=Decimal("200000")),
               ProjectStatusLog(project_id=project.id, from_status="11", to_status="12",
                                date=dt.date(2025, 1, 20))])
    s.flush()
    made = assets_svc.hand_over_project(s, project.id, [
        assets_svc.AssetSplit("茶叶加工厂房", "01", Decimal("500000")),
        assets_svc.AssetSplit("茶叶加工设备", "01", Decimal("250000")),
    ], handed_over_on=dt.date(2025, 3, 15), handover_doc="城移字〔2025〕3号")
    return project.id, made[1].id
