"""What the printed forms say (issue: measures, years, titles, totals, issuers, fonts) and
that no multi-page form ends on a page holding only its signature block or total row."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from fupin_desktop.models import AssistanceMeasure, MonitoringCase
from fupin_desktop.printing.style import county_office, township_government, village_committee
from fupin_desktop.services import demo, printing
from tests.factories import add_household, add_regions

THIS_YEAR = dt.date.today().year


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _unembedded_fonts(path: Path) -> set[str]:
    """Fonts a PDF names without embedding a font program (pypdf font dictionaries)."""
    out = set()
    for page in PdfReader(path).pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for font in fonts.values():
            font = font.get_object()
            desc = font.get("/FontDescriptor")
            desc = desc.get_object() if desc is not None else {}
            if not any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                out.add(str(font.get("/BaseFont")))
    return out


@pytest.fixture
def monitored(db):
    """A 监测户 with an open 2024 measure, one recorded this year and one that ended in 2023."""
    with db.session() as s:
        add_regions(s)
        hh = add_household(s, no="5223261002010777", head="岑梅", seq=7)
        hh.household_type, hh.monitoring_category = "01", "01"
        case = MonitoringCase(household_id=hh.id, category="01", identified_ym="2024-03",
                              risk_1="01", risk_2="03", risk_eliminated=False)
        s.add(case)
        s.flush()
        s.add_all([
            AssistanceMeasure(household_id=hh.id, monitoring_case_id=case.id, year=2024, category="01",
                              content="产业奖补种植茶叶", amount=Decimal("3900"),
                              start_date=dt.date(2024, 4, 1)),
            AssistanceMeasure(household_id=hh.id, year=2024, category="10", content="纳入低保",
                              amount=Decimal("6800"), start_date=dt.date(2024, 5, 1)),
            AssistanceMeasure(household_id=hh.id, year=THIS_YEAR, category="11", content="临时救助本年",
                              amount=Decimal("3000"), start_date=dt.date(THIS_YEAR, 1, 15)),
            AssistanceMeasure(household_id=hh.id, year=2021, category="02", content="已结束的就业补贴",
                              amount=Decimal("500"), start_date=dt.date(2021, 3, 1),
                              end_date=dt.date(2023, 6, 30)),
        ])
        return hh.id


@pytest.mark.parametrize("form", ["card", "form", "handbook"])
def test_measures_in_force_print_on_every_household_form(db, monitored, tmp_path, pdftotext, form):
    out = tmp_path / f"{form}.pdf"
    printing.print_households(db, form, [monitored], out)
    flat = _flat(pdftotext(out))
    for content in ("产业奖补种植茶叶", "纳入低保", "临时救助本年"):
        assert content in flat, content
    assert "已结束的就业补贴" not in flat  # ended before the printed year
    assert f"{THIS_YEAR}" in flat
    if form == "card":
        assert f"{THIS_YEAR}年度" in flat
        assert re.search(r"产业帮扶☑享受□未享受", flat)
        assert "3,900.00" in flat and "2024.04.01—" in flat
    if form == "form":
        assert "监测户信息采集表" in flat and "户户" not in flat
        for label in ("致贫返贫风险", "识别监测时间", "2024年3月", "风险是否消除"):
            assert label in flat, label
    assert not _unembedded_fonts(out)


def test_a_picked_year_prints_that_years_measures(db, monitored, tmp_path, pdftotext):
    out = tmp_path / "card2022.pdf"
    printing.print_households(db, "card", [monitored], out, year=2022)
    flat = _flat(pdftotext(out))
    assert "2022年度" in flat and "已结束的就业补贴" in flat
    assert "产业奖补种植茶叶" not in flat and "临时救助本年" not in flat


def test_issuer_names_are_full():
    assert village_committee("新寨村") == "新寨村村民委员会"
    assert village_committee("城关社区") == "城关社区居民委员会"
    assert village_committee("新寨村村委会") == "新寨村村民委员会"
    assert township_government("复兴镇") == "复兴镇人民政府"
    assert township_government("城关街道") == "城关街道办事处"
    assert county_office("望谟县") == "望谟县巩固拓展脱贫攻坚成果和乡村振兴领导小组办公室"


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """A small demo county in SQLite (the orphan and font checks read every form kind)."""
    from fupin_desktop.db import open_database

    path = tmp_path_factory.mktemp("county") / "demo.db"
    db = open_database(str(path))
    demo.generate(db, households=120, seed=11)
    yield db
    db.dispose()


def _village(db) -> str:
    from sqlalchemy import func, select

    from fupin_desktop.models import Household

    with db.session() as s:
        return s.execute(select(Household.region_code).group_by(Household.region_code)
                         .order_by(func.count().desc()).limit(1)).scalar_one()


@pytest.mark.parametrize("form, last_section", [("form", "六、帮扶责任人"), ("handbook", "十、巩固提升需求")])
def test_no_household_form_ends_on_an_orphan_page(county, tmp_path, form, last_section):
    """Every multi-page 采集表 / 扶贫手册 of the county: the last page holds the last section's
    table with the signatures, never the signature block alone."""
    result = printing.print_region(county, form, _village(county)[:9] + "000", tmp_path / form,
                                   per_household=True)
    assert len(result.files) > 10
    multi = 0
    for path in result.files:
        pages = PdfReader(path).pages
        if len(pages) < 2:
            continue
        multi += 1
        last = _flat(pages[-1].extract_text())
        assert last_section in last, (path.name, last[:80])
    assert multi


def test_notices_are_large_with_totals_and_no_private_data(county, tmp_path, pdftotext):
    with county.session() as s:
        from sqlalchemy import select

        from fupin_desktop.models import Household, IncomeDistribution, Member, Region

        village = s.scalar(select(Household.region_code).join(
            IncomeDistribution, IncomeDistribution.household_id == Household.id).limit(1))
        name = s.scalar(select(Region.name).where(Region.code == village))
        ids = [m.id_number for m in s.scalars(select(Member).join(Household)
                                               .where(Household.region_code == village)) if m.id_number]
        phones = [h.phone for h in s.scalars(select(Household).where(Household.region_code == village))
                  if h.phone]
    out = tmp_path / "dist.pdf"
    printing.print_notice(county, village, "收益分配", out)
    flat = _flat(pdftotext(out))
    assert "资产收益分配总额" in flat and "村集体" in flat and "公益岗位" in flat
    assert village_committee(name) + "（盖章）" in flat
    assert "12317" in flat
    for private in ids[:20] + phones[:20]:
        assert private not in flat
    sizes = set()  # of the text between the running header and the page footer

    def visit(text, cm, tm, font, size):
        if text.strip() and 40 < tm[5] < 780:
            sizes.add(round(size * tm[0], 1))

    for page in PdfReader(out).pages:
        page.extract_text(visitor_text=visit)
    assert sizes and min(sizes) >= 10.5
    assert not _unembedded_fonts(out)


def test_no_form_kind_names_an_unembedded_font(county, tmp_path):
    from fupin_desktop.printing import asset_forms
    from fupin_desktop.printing import projects as project_print
    from fupin_desktop.models import Asset, Project

    village = _village(county)
    outs = []
    for form in ("card", "form", "handbook"):
        out = tmp_path / f"{form}.pdf"
        printing.print_region(county, form, village, out)
        outs.append(out)
    with county.session() as s:
        from sqlalchemy import select

        asset = s.scalars(select(Asset)).first()
        project = s.scalars(select(Project)).first()
        outs.append(asset_forms.render_card(s, asset.id, tmp_path / "asset.pdf"))
        outs.append(asset_forms.render_ledger(s, asset.region_code[:9] + "000", tmp_path / "ledger.pdf"))
        decl = tmp_path / "decl.pdf"
        with decl.open("wb") as f:
            project_print.render(s, "declaration", f, project_id=project.id)
        outs.append(decl)
    for out in outs:
        assert not _unembedded_fonts(out), out.name


def test_asset_ledger_has_source_scale_funds_and_custodian_at_9pt(county, tmp_path, pdftotext):
    from fupin_desktop.printing import asset_forms
    from fupin_desktop.models import Asset

    with county.session() as s:
        from sqlalchemy import select

        asset = s.scalars(select(Asset).where(Asset.custodian_person.is_not(None))).first()
        out = asset_forms.render_ledger(s, asset.region_code[:9] + "000", tmp_path / "ledger.pdf")
        person = asset.custodian_person
    flat = _flat(pdftotext(out))
    for head in ("来源项目", "建设规模", "形成时间", "资金来源", "管护责任人"):
        assert head in flat, head
    assert person in flat
    sizes = set()

    def visit(text, cm, tm, font, size):
        if text.strip() and 40 < tm[5] < 520:  # below the running header, above the footer
            sizes.add(round(size * tm[0], 1))

    PdfReader(out).pages[0].extract_text(visitor_text=visit)
    assert sizes and min(sizes) >= 9


def test_a_past_years_notice_is_titled_with_its_year_and_no_date_of_today(county, tmp_path, pdftotext):
    from sqlalchemy import func, select

    from fupin_desktop.models import Household

    with county.session() as s:
        village, year = s.execute(select(Household.region_code, func.max(Household.identified_year))
                                  .where(Household.identified_year.is_not(None))
                                  .group_by(Household.region_code).limit(1)).one()
    assert year < THIS_YEAR
    out = tmp_path / "identify.pdf"
    printing.print_notice(county, village, "识别", out)
    flat = _flat(pdftotext(out))
    today = dt.date.today()
    assert f"{year}年建档立卡对象识别公示" in flat
    assert f"{today.year}年{today.month}月{today.day}日" not in flat
    posted = tmp_path / "posted.pdf"
    printing.print_notice(county, village, "识别", posted, posted_on=dt.date(year, 9, 1))
    assert f"{year}年9月1日" in _flat(pdftotext(posted))
