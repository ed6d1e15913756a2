"""三级管理、三段防控: each grading rule fires on a case made for it and not on a steady
household; the clerk's decisions and adjustments are kept; warnings are raised, cleared
and closed; visits fall due by grade; the CLI's JSON."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from fupin_desktop.cli import main as cli_main
from fupin_desktop.errors import UserError
from fupin_desktop.models import (
    AppSetting,
    ChangeEvent,
    GuaranteeCheck,
    HandbookEntry,
    Helper,
    HelperAssignment,
    Household,
    HouseholdYear,
    Member,
    MonitoringCase,
    RiskGrade,
    RiskGradeChange,
    RiskWarning,
)
from fupin_desktop.services import risk
from fupin_desktop.services.risk.grading import collect_facts, reasons_of
from tests.factories import VILLAGE, add_regions, make_id

TODAY = dt.date(2026, 12, 7)
LINE = Decimal("7500")


def _member(name: str, relation: str, seq: int, **extra) -> Member:
    id_number = make_id(dt.date(1975, 1, 1), seq)
    values = dict(name=name, relation=relation, sex="1" if seq % 2 else "2", id_number=id_number, id18=id_number,
                  birth_date=dt.date(1975, 1, 1), health="01", labour_skill="01", seq=seq)
    values.update(extra)
    return Member(**values)


def steady(s, n: int = 1, *, income=Decimal("12000"), previous=Decimal("11500"), members=None) -> Household:
    """A 脱贫户 no rule fires for: income well above the line and rising, three able members."""
    hh = Household(household_no=f"52232610020100{n:02d}", region_code=VILLAGE, head_name=f"户主{n}",
                   member_count=3, household_type="01")
    hh.members = members or [_member(f"户主{n}", "01", n * 10 + 1), _member(f"配偶{n}", "02", n * 10 + 2),
                             _member(f"子女{n}", "03", n * 10 + 3)]
    s.add(hh)
    s.flush()
    for year, value in ((2025, income), (2024, previous)):
        if value is not None:
            s.add(HouseholdYear(household_id=hh.id, year=year, household_size=3, per_capita_net_income=value))
    s.flush()
    return hh


@pytest.fixture
def county(db):
    with db.session() as s:
        add_regions(s)
        s.add(AppSetting(key="monitoring_line", value={"2025": str(LINE), "2024": "7000"}))
        steady(s, 1)
    return db


def _fired(s, hid: int) -> list[str]:
    rules = risk.load_rules(s)
    return [r.rule for r in reasons_of(collect_facts(s, today=TODAY)[hid], rules)]


def _make(case: str, s, hh: Household) -> None:
    """Change the steady household so that rule ``case`` fires."""
    if case == "income_below_line":
        s.execute(HouseholdYear.__table__.update().where(HouseholdYear.household_id == hh.id,
                                                         HouseholdYear.year == 2025)
                  .values(per_capita_net_income=Decimal("7000")))
        s.execute(HouseholdYear.__table__.update().where(HouseholdYear.household_id == hh.id,
                                                         HouseholdYear.year == 2024)
                  .values(per_capita_net_income=Decimal("7100")))
    elif case == "income_near_line":  # 8000 is 6.7 % above 7500 (< 20 %)
        s.execute(HouseholdYear.__table__.update().where(HouseholdYear.household_id == hh.id)
                  .values(per_capita_net_income=Decimal("8000")))
    elif case == "income_drop":  # 20000 → 12000: −40 %
        s.execute(HouseholdYear.__table__.update().where(HouseholdYear.household_id == hh.id,
                                                         HouseholdYear.year == 2024)
                  .values(per_capita_net_income=Decimal("20000")))
    elif case == "no_labour":  # 2 of 3 without labour
        for m in hh.members[1:]:
            m.labour_skill = "05"
    elif case == "illness":
        hh.members[2].health = "03"
    elif case == "guarantee_open":
        s.add(GuaranteeCheck(household_id=hh.id, year=2025, housing_problem=True, checked_on=TODAY))
    elif case == "monitoring_open":
        s.add(MonitoringCase(household_id=hh.id, category="01", identified_ym="2026-06", risk_1="01"))
    elif case == "sudden":
        s.add(ChangeEvent(household_id=hh.id, member_id=hh.members[2].id, type="04", reason="21",
                          effective_date=TODAY - dt.timedelta(days=30), reported_month="2026-11"))
    s.flush()


RULE_CASES = ["income_below_line", "income_near_line", "income_drop", "no_labour", "illness", "guarantee_open",
              "monitoring_open", "sudden"]


@pytest.mark.parametrize("case", RULE_CASES)
def test_each_grade_rule_fires_and_does_not(county, case):
    with county.session() as s:
        hh = s.scalar(select(Household))
        assert _fired(s, hh.id) == []
        _make(case, s, hh)
        fired = _fired(s, hh.id)
        assert case in fired
        suggestion = risk.suggestion_for(s, hh.id, today=TODAY)
        expected = {r.code: r.grade for r in risk.GRADE_RULES}[case]
        assert suggestion.grade == expected
        assert any(r.rule == case and r.text for r in suggestion.reasons)


def test_thresholds_are_editable_and_rules_can_be_switched_off(county):
    with county.session() as s:
        hh = s.scalar(select(Household))
        _make("income_near_line", s, hh)  # 6.7 % above the line
        settings = risk.stored_settings(s)
        settings["grading"]["income_near_line"]["threshold"] = 5
        risk.save_settings(s, settings)
        assert "income_near_line" not in _fired(s, hh.id)
        settings["grading"]["income_near_line"]["threshold"] = 10
        settings["grading"]["illness"]["enabled"] = False
        risk.save_settings(s, settings)
        assert "income_near_line" in _fired(s, hh.id)
        _make("illness", s, hh)
        assert "illness" not in _fired(s, hh.id)
        settings["grading"]["no_labour"]["threshold"] = 120
        with pytest.raises(UserError, match="超出范围"):
            risk.save_settings(s, settings)


def test_three_second_grade_reasons_make_a_first_grade(county):
    with county.session() as s:
        hh = s.scalar(select(Household))
        for case in ("income_near_line", "no_labour"):
            _make(case, s, hh)
        assert risk.suggestion_for(s, hh.id, today=TODAY).grade == "2"
        _make("illness", s, hh)
        suggestion = risk.suggestion_for(s, hh.id, today=TODAY)
        assert suggestion.grade == "1"
        assert [r.rule for r in suggestion.reasons][-1] == "many_reasons"


def test_only_tuopin_and_monitored_households_are_graded(county):
    with county.session() as s:
        other = steady(s, 2)
        other.household_type = "02"
        s.flush()
        assert [x.household_no for x in risk.suggest_grades(s, today=TODAY)] == ["5223261002010001"]
        other.monitoring_category = "02"
        s.flush()
        assert len(risk.suggest_grades(s, today=TODAY)) == 2


def test_confirm_and_adjust_are_kept_with_history(county):
    with county.session() as s:
        hh = s.scalar(select(Household))
        _make("illness", s, hh)
        with pytest.raises(UserError, match="调整理由"):
            risk.set_grade(s, hh.id, "一级", today=TODAY)
        risk.set_grade(s, hh.id, "二级", today=TODAY, user="王会计")
        risk.set_grade(s, hh.id, "三级", reason="病已治愈，入户核实", today=TODAY, user="王会计")
        row = s.get(RiskGrade, hh.id)
        assert (row.grade, row.suggested, row.reason) == ("3", "2", "病已治愈，入户核实")
        history = risk.grade_history(s, hh.id)
        assert [(c.old_grade, c.new_grade) for c in history] == [("2", "3"), (None, "2")]
        assert history[1].reasons[0]["rule"] == "illness"
        # The adjustment stands: the same suggestion is not a change, --apply leaves it.
        suggestions = risk.suggest_grades(s, today=TODAY)
        assert not suggestions[0].changed
        assert risk.apply_suggestions(s, suggestions, today=TODAY) == 0
        assert s.get(RiskGrade, hh.id).grade == "3"
        # A new suggestion (a first-grade rule fires) is a change again.
        _make("guarantee_open", s, hh)
        suggestions = risk.suggest_grades(s, today=TODAY)
        assert suggestions[0].changed and suggestions[0].grade == "1"
        assert risk.apply_suggestions(s, suggestions, today=TODAY) == 1
        assert s.get(RiskGrade, hh.id).grade == "1"
        # Moving up raised a warning.
        up = s.scalars(select(RiskWarning).where(RiskWarning.rule == "grade_up")).all()
        assert [w.message for w in up] == ["风险等级由三级上调为一级"]
        assert up[0].due_on == TODAY + dt.timedelta(days=7)


def test_warnings_raised_cleared_and_closed(county):
    with county.session() as s:
        hh = s.scalar(select(Household))
        assert risk.refresh_warnings(s, today=TODAY).raised == 0
        _make("income_below_line", s, hh)
        result = risk.refresh_warnings(s, today=TODAY)
        assert (result.raised, result.cleared) == (1, 0)
        rows = risk.list_warnings(s, today=TODAY)
        assert [(w.rule, w.status_label) for w in rows] == [("income_below_line", "待核实")]
        assert rows[0].values == {"year": 2025, "income": "7000.00", "line": "7500"}
        assert rows[0].due_on == TODAY + dt.timedelta(days=30)  # not graded: as 三级
        assert risk.refresh_warnings(s, today=TODAY).raised == 0  # not twice
        # The income is corrected: the warning is cleared.
        s.execute(HouseholdYear.__table__.update().where(HouseholdYear.household_id == hh.id)
                  .values(per_capita_net_income=Decimal("9800")))
        assert risk.refresh_warnings(s, today=TODAY).cleared == 1
        assert risk.list_warnings(s, today=TODAY) == []
        assert s.scalar(select(RiskWarning.status)) == risk.CLEARED


def test_death_and_work_ended_warnings_and_verification(county):
    with county.session() as s:
        hh = s.scalar(select(Household))
        risk.set_grade(s, hh.id, "三级", today=TODAY)
        _make("sudden", s, hh)
        s.add(ChangeEvent(household_id=hh.id, type="13", effective_date=TODAY - dt.timedelta(days=10),
                          reported_month="2026-11", details={"配偶1 务工状况": ["省外务工", None]}))
        old = ChangeEvent(household_id=hh.id, type="13", effective_date=TODAY - dt.timedelta(days=200),
                          reported_month="2026-05", details={"配偶1 务工状况": ["省外务工", None]})
        s.add(old)
        s.flush()
        risk.refresh_warnings(s, today=TODAY)
        rows = {w.rule: w for w in risk.list_warnings(s, today=TODAY)}
        assert set(rows) == {"member_death", "work_ended"}
        assert "配偶1" in rows["work_ended"].message
        with pytest.raises(UserError, match="核实情况"):
            risk.verify_no_risk(s, rows["work_ended"].id, " ")
        risk.verify_no_risk(s, rows["work_ended"].id, "已在本地务工", today=TODAY)
        risk.to_monitoring(s, rows["member_death"].id, category="01", risks=["缺劳动力"], identified_ym="2026-12",
                           effective=TODAY, reported_month="2026-12")
        case = s.scalar(select(MonitoringCase).where(MonitoringCase.household_id == hh.id))
        assert case.risk_1 == "08" and case.discovery_channel == "监测预警"
        statuses = {w.rule: (w.status, w.monitoring_case_id) for w in s.scalars(select(RiskWarning))}
        assert statuses == {"work_ended": ("03", None), "member_death": ("02", case.id)}
        # Verified warnings are not raised again.
        assert risk.refresh_warnings(s, today=TODAY).raised == 0
        with pytest.raises(UserError, match="不能再次核实"):
            risk.verify_no_risk(s, rows["work_ended"].id, "再次")


@pytest.mark.parametrize("kind", ["死亡人员", "医保大额", "应急受灾"])
def test_comparison_list_hit_raises_a_warning(county, tmp_path, kind):
    from openpyxl import Workbook

    from fupin_desktop.services.checks import import_list

    with county.session() as s:
        hh = s.scalar(select(Household))
        wb = Workbook()
        wb.active.append(["姓名", "身份证号"])
        wb.active.append([hh.members[1].name, hh.members[1].id18])
        wb.save(tmp_path / f"{kind}.xlsx")
        import_list(s, tmp_path / f"{kind}.xlsx", kind, user="测试员")
        risk.refresh_warnings(s, today=TODAY)
        rows = risk.list_warnings(s, today=TODAY)
        assert [w.rule for w in rows] == ["list_hit"]
        assert rows[0].values["kind"] == kind


def _helper(s, hh: Household, name: str = "刘帮扶") -> Helper:
    helper = Helper(name=name, unit_name="县农业局")
    s.add(helper)
    s.flush()
    s.add(HelperAssignment(helper_id=helper.id, household_id=hh.id, start_date=dt.date(2024, 1, 1)))
    s.flush()
    return helper


@pytest.mark.parametrize(("grade", "last", "due", "in_december"), [
    ("一级", dt.date(2026, 10, 15), dt.date(2026, 11, 15), True),
    ("二级", dt.date(2026, 9, 7), dt.date(2026, 12, 7), True),
    ("二级", dt.date(2026, 10, 1), dt.date(2027, 1, 1), False),
    ("三级", dt.date(2026, 6, 30), dt.date(2026, 12, 30), True),
    ("三级", dt.date(2026, 10, 15), dt.date(2027, 4, 15), False),
])
def test_visit_due_dates_by_grade(county, grade, last, due, in_december):
    with county.session() as s:
        hh = s.scalar(select(Household))
        code = risk.load_rules(s)  # noqa: F841 - defaults: 1 / 3 / 6 months
        s.add(RiskGrade(household_id=hh.id, grade={"一级": "1", "二级": "2", "三级": "3"}[grade],
                        set_on=dt.date(2026, 1, 1)))
        helper = _helper(s, hh)
        s.add(HandbookEntry(household_id=hh.id, year=last.year, section="06", content="走访", entry_date=last))
        s.flush()
        plan = risk.visit_schedule(s, "2026-12", today=TODAY)
        assert [v.due for v in plan] == ([due] if in_december else [])
        if in_december:
            assert plan[0].helper == "刘帮扶" and plan[0].helper_id == helper.id
            assert plan[0].overdue == (due < TODAY)
            assert plan[0].last_visit == last


def test_visit_frequency_is_editable_and_recording_a_visit_writes_the_handbook(county):
    with county.session() as s:
        hh = s.scalar(select(Household))
        s.add(RiskGrade(household_id=hh.id, grade="3", set_on=dt.date(2026, 1, 1)))
        helper = _helper(s, hh)
        s.add(HandbookEntry(household_id=hh.id, year=2026, section="06", content="走访",
                            entry_date=dt.date(2026, 10, 15)))
        s.flush()
        assert risk.visit_schedule(s, "2026-12", today=TODAY) == []
        settings = risk.stored_settings(s)
        settings["visit_months"]["3"] = 1
        risk.save_settings(s, settings)
        plan = risk.visit_schedule(s, "2026-12", today=TODAY)
        assert [(v.due, v.overdue, v.status) for v in plan] == [(dt.date(2026, 11, 15), True, "逾期")]
        entry = risk.record_visit(s, hh.id, {
            "visited_on": dt.date(2026, 12, 5), "content": "宣讲政策，落实务工", "findings": "配偶腰伤未愈",
            "helper_id": helper.id, "signatures": {"household": "户主1", "helper": "刘帮扶", "cadre": ""},
        })
        assert (entry.section, entry.household_signed, entry.signatures) == (
            "06", True, {"household": "户主1", "helper": "刘帮扶"})
        plan = risk.visit_schedule(s, "2026-12", today=TODAY)
        assert [(v.done_on, v.overdue, v.status) for v in plan] == [(dt.date(2026, 12, 5), False, "已走访")]
        assert risk.visit_schedule(s, "2026-12", today=TODAY, include_done=False) == []
        assert risk.signature_text(entry.signatures) == "户主：户主1；帮扶责任人：刘帮扶"
        with pytest.raises(UserError, match="走访日期"):
            risk.record_visit(s, hh.id, {"content": "x", "visited_on": None})


def test_cli_json(county, capsys, tmp_path):
    db = county
    with db.session() as s:
        hh = s.scalar(select(Household))
        _make("income_below_line", s, hh)
        _helper(s, hh)
    assert cli_main(["--db", db.url, "risk", "grade", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["households_graded"] == 1 and data["by_grade"] == {"一级": 1, "二级": 0, "三级": 0}
    assert data["changes"][0]["household_no"] == "5223261002010001"
    assert data["changes"][0]["old"] is None and data["changes"][0]["new"] == "一级"
    assert "低于监测范围" in data["changes"][0]["reasons"][0]
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(RiskGrade)) == 0  # nothing written
    assert cli_main(["--db", db.url, "risk", "grade", "--apply", "--json"]) == 0
    capsys.readouterr()
    with db.session() as s:
        assert s.scalar(select(RiskGrade.grade)) == "1"
        assert s.scalar(select(func.count()).select_from(RiskGradeChange)) == 1
    assert cli_main(["--db", db.url, "risk", "grade", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["changes"] == []
    assert cli_main(["--db", db.url, "risk", "warnings", "--json", "--region", VILLAGE]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["raised"] == 1 and data["warnings"][0]["rule"] == "income_below_line"
    month = f"{dt.date.today():%Y-%m}"
    assert cli_main(["--db", db.url, "visits", "due", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["month"] == month
    assert [set(v) for v in data["visits"]] == [{"helper", "household_no", "grade", "last_visit", "due", "overdue"}]
    assert data["visits"][0]["helper"] == "刘帮扶" and data["visits"][0]["grade"] == "一级"
    assert cli_main(["--db", db.url, "visits", "due", "--month", "2026-13"]) == 2
    assert "年-月" in capsys.readouterr().err
    assert cli_main(["--db", db.url, "risk", "grade", "--region", "999999999999"]) == 2
    assert "不在本系统中" in capsys.readouterr().err
    out = tmp_path / "plan.pdf"
    assert cli_main(["--db", db.url, "print", "visit-plan", "--month", month, "--region", VILLAGE,
                     "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert cli_main(["--db", db.url, "print", "visit-plan", "--month", month, "--helper", "999",
                     "-o", str(out)]) == 2


def test_migration_0011_goes_down_and_up(db, tmp_path, _isolated_user_folders):
    import sqlalchemy as sa

    from fupin_desktop import db as dbmod
    from tests.factories import engine_at_revision

    engine = engine_at_revision(db, "0010_import_day", tmp_path)
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        assert "risk_grades" not in inspector.get_table_names()
        assert "signatures" not in {c["name"] for c in inspector.get_columns("handbook_entries")}
    dbmod.upgrade(engine)
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        assert {"risk_grades", "risk_grade_changes", "risk_warnings"} <= set(inspector.get_table_names())
        assert "signatures" in {c["name"] for c in inspector.get_columns("handbook_entries")}
    engine.dispose()


def test_printed_plan_and_handbook_show_the_visit_and_its_signatures(county, tmp_path):
    from pypdf import PdfReader

    from fupin_desktop.services.risk.plan import visit_plan_data, write_visit_plan
    from fupin_desktop.services.printing import print_households

    with county.session() as s:
        hh = s.scalar(select(Household))
        s.add(RiskGrade(household_id=hh.id, grade="1", set_on=dt.date(2026, 1, 1)))
        helper = _helper(s, hh)
        other = steady(s, 2)
        s.add(RiskGrade(household_id=other.id, grade="2", set_on=dt.date(2026, 12, 1)))
        s.flush()
        risk.record_visit(s, hh.id, {"visited_on": dt.date(2026, 12, 3), "content": "落实公益岗位",
                                     "findings": "务工返乡", "helper_id": helper.id,
                                     "signatures": {"household": "户主1", "helper": "刘帮扶", "cadre": "韦支书"}})
        plan = visit_plan_data(s, "2026-12", helper_id=helper.id, today=TODAY)
        village = visit_plan_data(s, "2026-12", region_code=VILLAGE, today=TODAY)
        hid = hh.id
    assert [(r.head_name, r.status, r.signed) for r in plan.rows] == [("户主1", "已走访", ("户主1", "刘帮扶", "韦支书"))]
    assert [(r.head_name, r.helper, r.status) for r in village.rows] == [
        ("户主1", "刘帮扶", "已走访"), ("户主2", "未落实", "待走访")]
    assert write_visit_plan(plan, tmp_path / "plan.pdf") == 1
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "plan.pdf").pages)
    assert "刘帮扶2026年12月走访计划" in text and "韦支书" in text and "户主1" in text
    print_households(county, "handbook", [hid], tmp_path / "hb.pdf")
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "hb.pdf").pages)
    assert "务工返乡" in text and "落实公益岗位" in text
