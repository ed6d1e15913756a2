"""核查: each check fires on a case made for it and stays quiet on a clean household; the
run is stored, compared with the previous one and read back by the registry."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from fupin_desktop.cli import main as cli_main
from fupin_desktop.models import (
    AppSetting,
    Asset,
    AssistanceMeasure,
    ChangeEvent,
    GuaranteeCheck,
    Helper,
    HelperAssignment,
    Household,
    HouseholdYear,
    Member,
    MonitoringCase,
    Project,
)
from fupin_desktop.services import checks
from fupin_desktop.services import registry as reg
from fupin_desktop.services.checks.catalogue import FIELD_CHECKS, check_of_rule
from tests.factories import VILLAGE, add_regions, make_id

TODAY = dt.date(2026, 12, 7)
YEAR = 2026


def _member(name: str, relation: str, birth: dt.date, seq: int, **extra) -> Member:
    id_number = make_id(birth, seq)
    values = dict(
        name=name, relation=relation, sex="1" if seq % 2 else "2", id_type="01", id_number=id_number,
        id18=id_number, birth_date=birth, ethnicity="01", education="03", health="01",
        labour_skill="01", has_resident_medical=True, has_employee_medical=False,
        has_critical_illness_ins=True, has_resident_pension=True, is_dibao=False, is_tekun=False,
        person_no=f"P{id_number[-8:]}", seq=seq,
    )
    values.update(extra)
    return Member(**values)


def clean_household(s, n: int = 1, **extra) -> Household:
    """A household that passes every check: two present members, fully filled in."""
    hh = Household(household_no=f"52232610020100{n:02d}", region_code=VILLAGE, head_name=f"户主{n}",
                   member_count=2, household_type="02", phone=f"135000000{n:02d}", **extra)
    hh.members = [
        _member(f"户主{n}", "01", dt.date(1970, 5, 1), n * 10 + 1),
        _member(f"配偶{n}", "02", dt.date(1972, 3, 9), n * 10 + 2),
    ]
    s.add(hh)
    s.flush()
    return hh


def _run(s, **kw) -> checks.CheckResult:
    return checks.run_checks(s, user="测试员", today=TODAY, **kw)


def _fired(result, code: str) -> list[checks.Finding]:
    return [f for f in result.findings if f.check == code]


@pytest.fixture
def county(db):
    with db.session() as s:
        add_regions(s)
        ids = [clean_household(s, 1).id, clean_household(s, 2).id]
    return db, ids


def test_clean_households_have_no_findings(county):
    db, ids = county
    with db.session() as s:
        result = _run(s)
    assert result.households_checked == 2
    assert result.findings == []
    assert set(result.counts) == {c.code for c in checks.CATALOGUE}


def test_every_validator_rule_belongs_to_a_check():
    source = Path(checks.__file__).parents[2].joinpath("rules", "validation.py").read_text("utf-8")
    rules = set(re.findall(r'"((?:member|household)\.[a-z_]+)"', source))
    rules |= {f"code.{a}.invalid" for a in ("ethnicity", "household_type")}
    rules |= {f"code.{a}.other_era" for a in ("education",)}
    rules |= {"member.is_dibao_blank", "member.work_months_range", "member.disability_type_id_mismatch",
              "household.is_dangerous_house_blank"}
    field_codes = {c.code for c in FIELD_CHECKS} - {"field.other", "field.other_warning"}
    assert rules and all(check_of_rule(r) in field_codes for r in rules)
    assert check_of_rule("pending.ethnicity", "warning") == "field.pending"
    # A rule added to the validator later is still reported, under its severity.
    assert check_of_rule("member.no_such_rule") == "field.other"
    assert check_of_rule("member.no_such_rule", "warning") == "field.other_warning"


FIELD_CASES = [
    # (check, change to member 0 (户主) or the household, expected field)
    ("member.id_invalid", ("m0", {"id_number": "522326197005010010"}), "id_number"),
    ("member.bool_blank", ("m1", {"is_dibao": None}), "is_dibao"),
    ("member.work_place_without_months", ("m1", {"work_place": "广东东莞", "work_months": 0}), "work_months"),
    ("member.ethnicity_required", ("m1", {"ethnicity": None}), "ethnicity"),
    ("code.invalid", ("m1", {"health": "77"}), "health"),
    # (two 户主 cannot be stored: the database's unique index refuses them)
    ("member.sex_id_mismatch", ("m1", {"sex": "1"}), "sex"),
    ("household.no_head", ("m0", {"relation": "03"}), "relation"),
    ("household.phone_format", ("hh", {"phone": "12345"}), "phone"),
    ("member.school_age_blank", ("m1", {"relation": "03", "birth_date": dt.date(2015, 6, 1),
                                        "id_number": make_id(dt.date(2015, 6, 1), 12),
                                        "id18": make_id(dt.date(2015, 6, 1), 12), "education": None}),
     "school_status"),
]


@pytest.mark.parametrize(("code", "change", "field"), FIELD_CASES, ids=[c[0] for c in FIELD_CASES])
def test_field_rules_fire_on_their_case_only(county, code, change, field):
    db, (a, b) = county
    target, values = change
    with db.session() as s:
        hh = s.get(Household, a)
        obj = hh if target == "hh" else sorted(hh.members, key=lambda m: m.seq)[int(target[1])]
        if code == "household.no_head":
            hh.members[1].relation = "03"  # no spouse without a head either
        for k, v in values.items():
            setattr(obj, k, v)
        s.flush()
        result = _run(s)
        data = reg.load_household(s, a)
    hits = _fired(result, code)
    assert hits and {f.household_id for f in hits} == {a}
    assert any(f.field == field for f in hits)
    assert not [f for f in result.findings if f.household_id == b]
    # The same definition as the editor's live check.
    editor = {(check_of_rule(p.rule, p.severity), p.field) for p in reg.check_household_data(data, TODAY)}
    assert {(f.check, f.field) for f in result.findings if f.household_id == a} == editor


def test_member_count_and_left_still_counted(county):
    db, (a, b) = county
    with db.session() as s:
        s.get(Household, a).member_count = 3
        m = s.scalars(select(Member).where(Member.household_id == b, Member.relation == "02")).one()
        s.add(ChangeEvent(household_id=b, member_id=m.id, type="04", reason="21",
                          effective_date=dt.date(2026, 10, 1), reported_month="2026-10"))
        s.flush()
        result = _run(s)
    assert [f.household_id for f in _fired(result, "household.member_count")] == [a]
    left = _fired(result, "member.left_still_counted")
    assert [(f.household_id, f.member_id) for f in left] == [(b, m.id)] and "死亡" in left[0].message


def test_member_in_two_households(county):
    db, (a, b) = county
    with db.session() as s:
        ma = s.scalars(select(Member).where(Member.household_id == a, Member.relation == "02")).one()
        mb = s.scalars(select(Member).where(Member.household_id == b, Member.relation == "02")).one()
        mb.person_no = ma.person_no
        s.flush()
        result = _run(s)
        hits = _fired(result, "member.in_two_households")
        assert {(f.household_id, f.member_id) for f in hits} == {(a, ma.id), (b, mb.id)}
        mb.person_no = None
        s.flush()
        assert not _fired(_run(s), "member.in_two_households")


def test_income_below_monitoring_line_without_case(county):
    db, (a, b) = county
    with db.session() as s:
        s.add(AppSetting(key="monitoring_line", value={str(YEAR): "7000"}))
        for hid in (a, b):
            s.add(HouseholdYear(household_id=hid, year=YEAR, per_capita_net_income=Decimal("5000"),
                                is_dangerous_house=False, safe_drinking_water=True))
        s.add(MonitoringCase(household_id=b, category="02", state="06", identified_ym="2026-03"))
        s.add(AssistanceMeasure(household_id=b, year=YEAR, category="02"))
        s.get(Household, b).monitoring_category = "02"
        s.flush()
        result = _run(s)
        hits = _fired(result, "monitoring.income_below_line")
        assert [f.household_id for f in hits] == [a] and "7000.00" in hits[0].message
        s.get(AppSetting, "monitoring_line").value = {str(YEAR): "4000"}
        s.flush()
        assert not _fired(_run(s), "monitoring.income_below_line")


def test_monitoring_line_falls_back_to_recorded_thresholds(county):
    db, (a, _b) = county
    with db.session() as s:
        assert checks.monitoring_line(s, YEAR) is None
        s.add(MonitoringCase(household_id=a, category="02", state="07", identified_ym="2026-02",
                             per_capita_threshold=Decimal("6800")))
        s.flush()
        assert checks.monitoring_line(s, YEAR) == Decimal("6800")


def test_guarantee_problem_open_too_long(county):
    db, (a, b) = county
    with db.session() as s:
        s.add(GuaranteeCheck(household_id=a, year=YEAR, housing_problem=True,
                             checked_on=TODAY - dt.timedelta(days=checks.GUARANTEE_OPEN_DAYS + 1)))
        s.add(GuaranteeCheck(household_id=b, year=YEAR, housing_problem=True,
                             checked_on=TODAY - dt.timedelta(days=10)))
        s.flush()
        hits = _fired(_run(s), "guarantee.open_too_long")
    assert [f.household_id for f in hits] == [a] and "住房安全" in hits[0].message


def test_monitoring_without_measures_expired_and_unanswered(county):
    db, (a, b) = county
    with db.session() as s:
        helper = Helper(name="王干部", cadre_rank="01")
        s.add(helper)
        s.flush()
        for hid in (a, b):
            s.get(Household, hid).monitoring_category = "02"
            s.add(HelperAssignment(helper_id=helper.id, household_id=hid, role="02", start_date=dt.date(2026, 1, 1)))
        case_a = MonitoringCase(household_id=a, category="02", state="06", identified_ym="2026-03", risk_1="01")
        case_b = MonitoringCase(household_id=b, category="02", state="06", identified_ym="2026-03", risk_1="01")
        s.add_all([case_a, case_b])
        s.flush()
        result = _run(s)
        assert {f.household_id for f in _fired(result, "monitoring.no_measures")} == {a, b}
        # a: a 健康帮扶 that ended; b: a 就业帮扶 still running (answers no 因病 risk).
        s.add(AssistanceMeasure(household_id=a, monitoring_case_id=case_a.id, year=YEAR, category="05",
                                start_date=dt.date(2026, 3, 1), end_date=dt.date(2026, 11, 30)))
        s.add(AssistanceMeasure(household_id=b, monitoring_case_id=case_b.id, year=YEAR, category="02",
                                start_date=dt.date(2026, 3, 1)))
        s.flush()
        result = _run(s)
    assert not _fired(result, "monitoring.no_measures")
    assert [f.household_id for f in _fired(result, "monitoring.measure_expired")] == [a]
    assert [f.household_id for f in _fired(result, "monitoring.risk_unanswered")] == [b]


def test_helper_overload_and_households_without_helper(county):
    db, (a, b) = county
    with db.session() as s:
        for hid in (a, b):
            s.get(Household, hid).household_type = "01"
            s.get(Household, hid).exit_year = 2019
        s.flush()
        result = _run(s)
        assert {f.household_id for f in _fired(result, "household.no_helper")} == {a, b}
        junior = Helper(name="李干部", cadre_rank="04", unit_name="县农业农村局")  # 1 household
        senior = Helper(name="赵县长", cadre_rank="01")  # 4 households
        s.add_all([junior, senior])
        s.flush()
        for hid in (a, b):
            s.add(HelperAssignment(helper_id=junior.id, household_id=hid, start_date=dt.date(2026, 1, 1)))
        s.flush()
        result = _run(s)
        hits = _fired(result, "helper.overload")
        assert [f.helper_id for f in hits] == [junior.id] and "2户" in hits[0].message
        assert hits[0].region_code == VILLAGE
        assert not _fired(result, "household.no_helper")
        s.execute(HelperAssignment.__table__.update().values(helper_id=senior.id))
        s.flush()
        assert not _fired(_run(s), "helper.overload")


def test_project_overdue_and_asset_without_custodian(county):
    db, _ids = county
    with db.session() as s:
        late = Project(year=YEAR, name="村道硬化", region_code=VILLAGE, status="09", end_ym="2026-10")
        done = Project(year=YEAR, name="饮水工程", region_code=VILLAGE, status="10", end_ym="2026-10")
        future = Project(year=YEAR, name="产业园", region_code=VILLAGE, status="09", end_ym="2027-03")
        s.add_all([late, done, future])
        bare = Asset(asset_no="ZC001", name="冷库", category="01", region_code=VILLAGE, original_value=1,
                     ownership_level="03", custodian_person="  ")
        kept = Asset(asset_no="ZC002", name="水池", category="02", region_code=VILLAGE, original_value=1,
                     ownership_level="03", custodian_person="张管护")
        gone = Asset(asset_no="ZC003", name="旧厂房", category="01", region_code=VILLAGE, original_value=1,
                     ownership_level="03", status="05")
        s.add_all([bare, kept, gone])
        s.flush()
        result = _run(s)
        assert [f.project_id for f in _fired(result, "project.overdue")] == [late.id]
        assert [f.asset_id for f in _fired(result, "asset.no_custodian")] == [bare.id]


def test_region_scope(county):
    db, _ids = county
    with db.session() as s:
        s.get(Household, _ids[0]).member_count = 5
        s.flush()
        assert _run(s, region_code=VILLAGE).households_checked == 2
        assert _run(s, region_code="522326999000").households_checked == 0


def test_runs_are_stored_and_compared(county):
    db, (a, b) = county
    with db.session() as s:
        s.get(Household, a).phone = "12345"
        s.get(Household, b).member_count = 9
        s.flush()
        first = _run(s)
        assert first.run_id is not None
        assert checks.open_counts_by_village(s) == first.counts_by_village() == {
            "household.phone_format": {VILLAGE: 1}, "household.member_count": {VILLAGE: 1}}
        assert checks.open_error_count(s) == 2
        assert [f.check for f in checks.findings_for_household(s, a)] == ["household.phone_format"]
        assert reg.household_ids(s, reg.HouseholdFilter(has_errors=True)) in ([a, b], [b, a])
        s.get(Household, a).phone = "13511112222"
        s.flush()
        second = _run(s)
        assert second.fixed == {"household.phone_format": 1}
        fixed = checks.fixed_since_previous(s)
        assert [(f.check, f.household_id) for f in fixed] == [("household.phone_format", a)]
        assert checks.open_error_count(s) == 1
        assert checks.findings_for_household(s, a) == []
        history = checks.run_history(s)
        assert [h["id"] for h in history] == [second.run_id, first.run_id]
        assert history[1]["counts"] == {"household.phone_format": 1, "household.member_count": 1}
        assert history[0]["who"] == "测试员" and history[0]["households_checked"] == 2
        third = _run(s, store=False)
        assert third.run_id is None and len(checks.run_history(s)) == 2
        village = _run(s, region_code=VILLAGE)
        assert [h["id"] for h in checks.run_history(s, VILLAGE)] == [village.run_id, second.run_id, first.run_id]
        # Another township's history has the county runs, not this village's.
        assert [h["id"] for h in checks.run_history(s, "522326200000")] == [second.run_id, first.run_id]


def test_editor_save_updates_the_households_findings(county):
    db, (a, _b) = county
    with db.session() as s:
        s.get(Household, a).phone = "12345"
        s.flush()
        _run(s)
    base = _load(db, a)
    edited = _load(db, a)
    edited.household["phone"] = "13522223333"
    with db.session() as s:
        assert reg.save_household(s, base, edited, today=TODAY, reported_month="2026-12").saved
    with db.session() as s:
        assert checks.findings_for_household(s, a) == []
        assert reg.household_ids(s, reg.HouseholdFilter(has_errors=True)) == []
    base = _load(db, a)
    edited = _load(db, a)
    edited.members[1]["ethnicity"] = None
    with db.session() as s:
        reg.save_household(s, base, edited, today=TODAY, reported_month="2026-12")
    with db.session() as s:
        mine = checks.findings_for_household(s, a)
        assert [(f.check, f.member_no) for f in mine] == [("member.ethnicity_required", edited.members[1]["person_no"])]
        assert reg.household_rows(s, [a])[0].error_count == 1


def _load(db, hid):
    with db.session() as s:
        return reg.load_household(s, hid)


def test_cli_json_and_workbook(county, tmp_path, capsys):
    db, (a, _b) = county
    with db.session() as s:
        s.get(Household, a).phone = "12345"
    out = tmp_path / "核查结果.xlsx"
    assert cli_main(["--db", db.url, "check", "--json", "-o", str(out)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["households_checked"] == 2
    counts = {c["code"]: c["count"] for c in data["checks"]}
    assert counts["household.phone_format"] == 1 and sum(counts.values()) == 1
    assert data["findings"] == [{"check": "household.phone_format", "household_no": "5223261002010001",
                                 "member_no": None, "field": "phone", "message": data["findings"][0]["message"]}]
    from openpyxl import load_workbook

    wb = load_workbook(out)
    assert wb.sheetnames == ["汇总", "户联系电话格式不对"]
    ws = wb["户联系电话格式不对"]
    assert [c.value for c in ws[3]] == ["乡镇", "村", "户编号", "户主", "成员", "字段", "说明"]
    assert [c.value for c in ws[4]][:6] == ["城关镇", "新寨村", "5223261002010001", "户主1", None, "户联系电话"]
    assert ws.print_title_rows == "$3:$3" and ws.page_setup.orientation == "landscape"
    assert cli_main(["--db", db.url, "check", "--region", "123"]) == 2
    assert "区划代码“123”不在本系统中" in capsys.readouterr().err
    # A real village code narrows the run to that village.
    assert cli_main(["--db", db.url, "check", "--region", "522326100201", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["households_checked"] == 2
    assert cli_main(["--db", db.url, "check", "-o", str(tmp_path / "x.csv")]) == 2
