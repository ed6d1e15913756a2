"""The forms added for a new 监测 case, the income worksheet, the standalone 帮扶计划 / 走访记录
sheets, the 资产移交书 and the month's 人口变动 notice, read back from the PDF text."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader

from fupin_desktop.errors import UserError
from fupin_desktop.models import (
    AppSetting,
    AssistanceMeasure,
    ChangeEvent,
    HouseholdYear,
    Member,
)
from fupin_desktop.services import assets as asset_svc
from fupin_desktop.services import printing
from tests.factories import TOWNSHIP, VILLAGE, add_household, make_id
from tests.unit.printing.sample import (
    BANK,
    HEAD_ID,
    HEAD_PHONE,
    RARE_NAMES,
    build_handover,
    build_household,
)

D = Decimal


def _text(path) -> str:
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(path).pages))


@pytest.fixture
def household(db):
    """The sample household (15 adults, a 因病 monitoring case from 2025-03), with a child, a
    2025 measure on the case and the 2025 监测范围 set at 7 500 元."""
    with db.session() as s:
        hh = build_household(s)
        child = make_id(dt.date.today().replace(year=dt.date.today().year - 10, day=1), 301)
        s.add(Member(household_id=hh.id, name="周小燊", relation="03", sex="1", id_number=child, id18=child,
                     seq=16, birth_date=dt.date.today().replace(year=dt.date.today().year - 10, day=1)))
        case = hh.monitoring_cases[0] if hh.monitoring_cases else None
        s.add(AssistanceMeasure(household_id=hh.id, monitoring_case_id=case.id if case else None, year=2025,
                                category="01", content="产业奖补：茶叶种植", amount=D("3900"),
                                start_date=dt.date(2025, 4, 1)))
        s.add(AppSetting(key="monitoring_line", value={"2025": "7500"}))
        return hh.id


def test_monitoring_form_prints_case_risks_income_and_members(db, household, tmp_path):
    out = tmp_path / "m.pdf"
    result = printing.print_households(db, "monitoring-form", [household], out)
    assert result.pages >= 1
    text = _text(out)
    assert "防止返贫监测对象信息采集表" in text
    assert "☑脱贫不稳定户" in text and "□边缘易致贫户" in text
    assert "☑因病" in text and "□因残" in text and "2025年3月" in text
    assert "产业奖补：茶叶种植" in text and "3,900.00" in text and "☑产业帮扶" in text
    # Income worked out from the items (17 000 ÷ the year's 15 persons) beside the 2025 line.
    assert "1,133.33" in text and "7,500.00" in text
    assert HEAD_ID in text and RARE_NAMES[3] in text  # an office form: IDs in full
    assert "黄玥" in text and "户主签字（手印）" in text


def test_authorization_lists_checks_and_signature_line_for_every_adult(db, household, tmp_path):
    out = tmp_path / "a.pdf"
    printing.print_households(db, "授权书", [household], out)
    text = _text(out)
    assert "监测对象申请及承诺授权书" in text
    assert "示例县巩固拓展脱贫攻坚成果和乡村振兴领导小组办公室" in text
    for item in ("银行存款", "机动车辆", "房屋产权", "工商登记"):
        assert item in text, item
    assert "☑因病" in text
    for name in RARE_NAMES:  # the 15 adults
        assert name in text, name
    assert "周小燊" not in text  # a 10-year-old signs nothing
    assert text.count("本人签字（手印）") >= 1


def test_income_sheet_sums_items_and_compares_with_the_line(db, household, tmp_path):
    out = tmp_path / "i.pdf"
    printing.print_households(db, "income", [household], out)
    text = _text(out)
    assert "2025年度家庭收入测算表" in text
    # 12 000 + 3 000 + 500 + 2 400 = 17 900; − 900 = 17 000; ÷ 15 = 1 133.33.
    assert "12,000.00+3,000.00+500.00+2,400.00=17,900.00元" in text
    assert "17,900.00−900.00=17,000.00元" in text
    assert "17,000.00÷15=1,133.33元" in text
    assert "人均纯收入低于监测范围6,366.67元" in text
    assert "周小燊" in text and "养老保险" in text  # the members' sources of income


def test_income_sheet_flags_a_stored_total_that_disagrees(db, tmp_path):
    with db.session() as s:
        hh = build_household(s)
        y = s.query(HouseholdYear).filter_by(household_id=hh.id).one()
        y.per_capita_net_income = D("999.00")
        y.wage_income = D("30000")
        hid = hh.id
    out = tmp_path / "i.pdf"
    printing.print_households(db, "income", [hid], out)
    text = _text(out)
    assert "30,000.00+3,000.00+500.00+2,400.00=35,900.00元" in text
    assert "系统中记录的人均纯收入为999.00元，与本表测算不一致" in text
    # No 监测范围 for 2025 (no setting, no threshold on the case): said, not compared with nothing.
    assert "监测范围：未设置" in text and "低于监测范围" not in text


def test_plan_and_visit_sheets_reuse_the_handbook_entries(db, household, tmp_path):
    plan, visits = tmp_path / "p.pdf", tmp_path / "v.pdf"
    printing.print_households(db, "plan", [household], plan)
    printing.print_households(db, "走访记录", [household], visits)
    text = _text(plan)
    assert "帮扶计划表" in text and "养殖生猪10头" in text and "30,000.00" in text
    assert "黄玥" in text and "望谟县乡村振兴局" in text  # the helper in charge now
    assert "雨露计划补助" not in text  # a measure, not a plan
    text = _text(visits)
    assert "走访记录表" in text and "家中老人患慢性病" in text and "落实家庭医生签约服务" in text
    assert "养殖生猪10头" not in text


def test_household_forms_batch_a_village(db, household, tmp_path):
    for form in ("monitoring-form", "authorization", "income", "plan", "visits"):
        result = printing.print_region(db, form, VILLAGE, tmp_path / form, per_household=True)
        assert result.households == 2 and len(result.files) == 2
        assert all(p.exists() for p in result.files)


def test_handover_lists_the_assets_total_and_both_parties(db, tmp_path):
    with db.session() as s:
        from tests.factories import add_regions

        add_regions(s)
        _project, asset_id = build_handover(s)
    out = tmp_path / "h.pdf"
    printing.print_handover(db, asset_id, out)
    text = _text(out)
    assert "扶贫项目资产移交书" in text and "城移字〔2025〕3号" in text
    assert "新寨村茶叶加工厂建设项目" in text and "XM-2024-007" in text
    assert "茶叶加工厂房" in text and "茶叶加工设备" in text
    assert "500,000.00" in text and "250,000.00" in text and "750,000.00" in text  # the total
    assert "800,000.00" in text
    assert "移交方（盖章）" in text and "接收方（盖章）" in text and "城关镇人民政府" in text
    assert "新寨村股份经济合作社" in text  # the default owner of a village asset receives it
    assert "2025年3月15日" in text


def test_handover_refuses_an_asset_without_a_project(db, tmp_path):
    with db.session() as s:
        from tests.factories import add_regions

        add_regions(s)
        a = asset_svc.create_asset(s, {"name": "光伏电站", "category": "01", "original_value": "300000",
                                       "ownership_level": "03", "formed_on": dt.date(2021, 5, 1)},
                                   region_code=VILLAGE,
                                   fundings=[asset_svc.FundingShare("01", D("300000"))])
        aid = a.id
    out = tmp_path / "out"
    with pytest.raises(UserError, match="没有来源项目"):
        printing.print_handover(db, aid, out / "h.pdf")
    with pytest.raises(UserError, match="没有 id 为"):
        printing.print_handover(db, 99999, out / "h.pdf")
    assert not out.exists()


@pytest.fixture
def changes(db):
    return _add_changes(db)


def _add_changes(db) -> dict[str, str]:
    """November 2026 in 新寨村: a birth (二组), a death and a 信息变更 (三组); October: a 婚出."""
    with db.session() as s:
        hh = build_household(s)
        hh.group_name = "三组"
        other = add_household(s, no="5223261002010002", head="吴燊", seq=5)
        other.group_name = "二组"
        s.flush()
        baby = Member(household_id=other.id, name="吴小龑", relation="03", sex="1", seq=3,
                      birth_date=dt.date(2026, 11, 2), health="02")
        s.add(baby)
        s.flush()
        dead = hh.members[1]
        s.add_all([
            ChangeEvent(household_id=other.id, member_id=baby.id, type="03", reason="11",
                        effective_date=dt.date(2026, 11, 2), reported_month="2026-11"),
            ChangeEvent(household_id=hh.id, member_id=dead.id, type="04", reason="21",
                        effective_date=dt.date(2026, 11, 9), reported_month="2026-11",
                        note="因肺癌病故"),
            ChangeEvent(household_id=hh.id, type="13", effective_date=dt.date(2026, 11, 10),
                        reported_month="2026-11", note="改电话"),
            ChangeEvent(household_id=hh.id, member_id=hh.members[2].id, type="04", reason="22",
                        effective_date=dt.date(2026, 10, 3), reported_month="2026-10"),
        ])
        return {"dead": dead.name, "married_out": hh.members[2].name}


def test_change_notice_lists_the_months_changes_without_private_data(db, changes, tmp_path):
    out = tmp_path / "c.pdf"
    result = printing.print_change_notice(db, VILLAGE, "2026-11", out, posted_on=dt.date(2026, 12, 1),
                                          phone="0859-1234567")
    assert result.households == 2
    text = _text(out)
    assert "新寨村2026年11月人口变动（动态调整）公示" in text
    assert "吴小龑" in text and "出生" in text and "自然增加" in text
    assert changes["dead"] in text and "死亡" in text and "自然减少" in text
    assert changes["married_out"] not in text  # reported in October
    assert "信息变更" not in text and "改电话" not in text
    # 二组 before 三组, the month's totals, 公示期 and the phones.
    assert text.index("吴小龑") < text.index(changes["dead"])
    assert "合计：2户2条" in text and "12317" in text and "0859-1234567" in text
    assert "2026年12月1日至2026年12月5日" in text
    # Privacy: no ID number, phone, bank account or health status (or an illness in a note).
    assert HEAD_ID not in text and HEAD_PHONE not in text and BANK not in text
    assert not re.search(r"\d{17}[\dX]", text)
    for word in ("健康", "残疾", "患病", "肺癌", "病故", "大病"):
        assert word not in text, word


def test_change_notice_body_is_at_least_10_5_pt(db, changes, tmp_path):
    out = tmp_path / "c.pdf"
    printing.print_change_notice(db, VILLAGE, "2026-11", out)
    sizes = []

    def visitor(text, cm, tm, font_dict, font_size):
        if text.strip():
            sizes.append(font_size * tm[0] if tm[0] else font_size)

    PdfReader(out).pages[0].extract_text(visitor_text=visitor)
    # The running header/footer are small print; the notice itself is not.
    body = [s for s in sizes if s > 9]
    assert body and min(body) >= 10.5


def test_change_notice_for_a_township_names_the_village(db, changes, tmp_path):
    out = tmp_path / "c.pdf"
    printing.print_change_notice(db, TOWNSHIP, "2026-11", out)
    text = _text(out)
    assert "城关镇2026年11月人口变动" in text and "新寨村二组" in text and "城关镇人民政府（盖章）" in text


@pytest.mark.parametrize("month, message", [("2026-13", "不是有效年月"), ("十一月", "不是有效年月"),
                                            ("2026-09", "没有人口变动记录")])
def test_change_notice_refuses_bad_or_empty_months(db, changes, tmp_path, month, message):
    out = tmp_path / "out"
    with pytest.raises(UserError, match=message):
        printing.print_change_notice(db, VILLAGE, month, out / "c.pdf")
    assert not out.exists()


def test_print_commands_for_the_new_forms(sqlite_db, tmp_path, capsys):
    from fupin_desktop import cli

    _add_changes(sqlite_db)
    with sqlite_db.session() as s:
        _project, asset_id = build_handover(s)
    db = str(sqlite_db.engine.url.database)
    for kind in ("monitoring-form", "authorization", "income", "plan", "visits"):
        out = tmp_path / f"{kind}.pdf"
        assert cli.main(["--db", db, "print", kind, "--household", "5223261002010099", "-o", str(out)]) == 0
        assert out.stat().st_size > 1000
    out = tmp_path / "h.pdf"
    assert cli.main(["--db", db, "print", "asset", "--kind", "handover", "--id", str(asset_id), "-o", str(out)]) == 0
    assert "城移字〔2025〕3号" in _text(out)
    out = tmp_path / "c.pdf"
    assert cli.main(["--db", db, "print", "notice", "--region", VILLAGE, "--kind", "人口变动", "--month", "2026-11",
                     "-o", str(out)]) == 0
    assert "2026年11月人口变动" in _text(out)
    capsys.readouterr()
    assert cli.main(["--db", db, "print", "notice", "--region", VILLAGE, "--kind", "人口变动",
                     "-o", str(tmp_path / "x.pdf")]) == 2
    assert "--month" in capsys.readouterr().err
    assert cli.main(["--db", db, "print", "asset", "--kind", "handover", "-o", str(tmp_path / "x.pdf")]) == 2
    assert cli.main(["--db", db, "print", "notice", "--region", VILLAGE, "--kind", "监测纳入", "--month", "2026-11",
                     "-o", str(tmp_path / "x.pdf")]) == 2
    assert not (tmp_path / "x.pdf").exists()
