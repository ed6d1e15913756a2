"""A small county for the report tests: three villages in two townships, and the dated
changes of March and April 2026 (events, monitoring, checks, projects, funds, assets)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from fupin_desktop.models import (
    Asset,
    AssetDisposal,
    Disbursement,
    GuaranteeCheck,
    Project,
    ProjectStatusLog,
    Region,
)
from fupin_desktop.services import registry as reg
from tests.factories import COUNTY, TOWNSHIP, VILLAGE, add_household, add_regions, make_id

VILLAGE2 = "522326100202"
TOWNSHIP2 = "522326101000"
VILLAGE3 = "522326101201"
MARCH, APRIL = "2026-03", "2026-04"


def d(month: str, day: int) -> dt.date:
    return dt.date(int(month[:4]), int(month[5:]), day)


@pytest.fixture
def county(db):
    """Two townships, three villages; 张三 and 单明 in 新寨村, 王五 in 大坪村 (on record
    before any report month, no events)."""
    with db.session() as s:
        add_regions(s)
        s.add_all([
            Region(code=VILLAGE2, name="大坪村", level="village", parent_code=TOWNSHIP),
            Region(code=TOWNSHIP2, name="石屯镇", level="township", parent_code=COUNTY),
            Region(code=VILLAGE3, name="龙井村", level="village", parent_code=TOWNSHIP2),
        ])
        s.flush()
        a = add_household(s, no="5223261002010001", head="张三", seq=1)
        b = add_household(s, no="5223261002010002", head="单明", seq=2)
        c = add_household(s, no="5223261002020001", head="王五", seq=3)
        c.region_code = VILLAGE2
        c.household_type = "02"
        a.members[1].work_status = "04"  # 省外务工
        ids = (a.id, b.id, c.id)
    return db, ids


def march_changes(s, ids) -> None:
    a, b, _c = ids
    reg.add_member(s, a, reg.NewMember(name="张小宝", id_number=make_id(d(MARCH, 2), 11),
                                      relation="03", sex="1", birth_date=d(MARCH, 2)),
                   reason="出生", effective=d(MARCH, 3), reported_month=MARCH)
    reg.register_household(
        s, region_code=VILLAGE3, head=reg.NewMember(name="赵六", id_number=make_id(dt.date(1980, 1, 1), 21),
                                                    relation="01", sex="1"),
        household_no="5223261012010001", household_type="01", effective=d(MARCH, 5),
        reported_month=MARCH)
    reg.start_monitoring(s, b, category="01", risks=["01"], identified_ym=MARCH,
                         effective=d(MARCH, 8), reported_month=MARCH)
    s.add(GuaranteeCheck(household_id=a, year=2026, water_problem=True, housing_problem=True,
                         checked_on=d(MARCH, 1)))
    project = Project(year=2026, name="新寨村产业路", region_code=VILLAGE, status="09")
    project.status_logs = [
        ProjectStatusLog(from_status="07", to_status="08", date=d("2026-02", 10)),
        ProjectStatusLog(from_status="08", to_status="09", date=d(MARCH, 15)),
    ]
    project.disbursements = [
        Disbursement(kind="01", date=d("2026-02", 20), amount=Decimal("100000.00")),
        Disbursement(kind="02", date=d(MARCH, 20), amount=Decimal("40000.50")),
    ]
    township_project = Project(year=2026, name="城关镇冷库", region_code=TOWNSHIP, status="08")
    township_project.status_logs = [ProjectStatusLog(to_status="08", date=d(MARCH, 2))]
    s.add_all([project, township_project])
    s.add(Asset(asset_no="ZC-1", name="冷库", category="01", region_code=VILLAGE,
                original_value=Decimal("50000.00"), ownership_level="03", registered_on=d(MARCH, 10)))
    s.flush()


def april_changes(s, ids) -> None:
    a, b, _c = ids
    hh = s.get(reg.Household, a)
    spouse = next(m for m in hh.members if m.relation == "02")
    reg.remove_member(s, a, spouse.id, reason="死亡", effective=d(APRIL, 2), reported_month=APRIL)
    reg.eliminate_risk(s, b, mode="02", eliminated_on=d(APRIL, 20), reported_month=APRIL)
    check = s.query(GuaranteeCheck).filter_by(household_id=a).one()
    check.resolved_on = d(APRIL, 5)
    project = s.query(Project).filter_by(name="新寨村产业路").one()
    project.status_logs.append(ProjectStatusLog(from_status="09", to_status="10", date=d(APRIL, 10)))
    project.disbursements.append(Disbursement(kind="03", date=d(APRIL, 12), amount=Decimal("30000")))
    asset = s.query(Asset).one()
    asset.status = "05"
    asset.disposals = [AssetDisposal(trigger="01", method="01", status="05", requested_on=d(APRIL, 1),
                                     disposed_on=d(APRIL, 25))]
    s.flush()
