"""The four asset forms render, carry the numbers, and the notice never carries IDs or phones."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pypdf import PdfReader

from fupin_desktop.printing import asset_forms
from fupin_desktop.services import assets as svc
from tests.factories import COUNTY, VILLAGE, add_household, add_regions

D = Decimal


def _text(path):
    return "".join(page.extract_text() for page in PdfReader(path).pages)


def test_forms(sqlite_db, tmp_path):
    db = sqlite_db
    with db.session() as s:
        add_regions(s)
        hh = add_household(s)
        hh.phone = "13912345678"
        ids18 = [m.id18 for m in hh.members]
        a = svc.create_asset(s, {"name": "光伏电站", "category": "01", "original_value": "300000",
                                 "ownership_level": "03", "formed_on": dt.date(2021, 5, 1), "owner_name": "新寨村股份经济合作社"},
                             region_code=VILLAGE, fundings=[svc.FundingShare("01", D("300000"))])
        inc = svc.add_income(s, a.id, year=2024, amount="9000", source_kind="分红")
        svc.set_distribution(s, inc.id, [svc.Share("01", D("6000"), hh.id), svc.Share("02", D("3000"), None, "新寨村股份经济合作社")],
                             approved_on=dt.date(2025, 1, 5))
        d = svc.request_disposal(s, a.id, trigger="04", method="转让", reason="效益不佳", requested_on=dt.date(2025, 2, 1))
        svc.record_approval(s, d.id, "02", on=dt.date(2025, 2, 10), doc="村民代表大会决议")
        card = asset_forms.render_card(s, a.id, tmp_path / "card.pdf")
        ledger = asset_forms.render_ledger(s, COUNTY, tmp_path / "ledger.pdf")
        notice = asset_forms.render_distribution(s, inc.id, tmp_path / "notice.pdf")
        disposal = asset_forms.render_disposal(s, d.id, tmp_path / "disposal.pdf")
    text = _text(card)
    assert "扶贫项目资产登记卡" in text and "52232620210001" in text and "300,000.00" in text
    text = _text(ledger)
    assert "示例县扶贫项目资产台账" in text and "按乡镇汇总" in text
    assert PdfReader(ledger).pages[0].mediabox.width > PdfReader(ledger).pages[0].mediabox.height  # landscape
    text = _text(notice)
    assert "收益分配公示表" in text and "6,000.00" in text and "12317" in text
    assert "13912345678" not in text and not any(i in text for i in ids18)
    text = _text(disposal)
    assert "扶贫项目资产处置申请表" in text and "村民代表大会决议" in text and "县级财政部门" in text


def test_rare_name_characters_print(sqlite_db, tmp_path, pdftotext):
    """䶮 (Extension A) and 𠮷 (beyond U+FFFF) come back out of every asset form's text."""
    import re

    with sqlite_db.session() as s:
        add_regions(s)
        hh = add_household(s, head="冯䶮")
        a = svc.create_asset(s, {"name": "𠮷田组光伏电站", "category": "01", "original_value": "80000",
                                 "ownership_level": "03", "formed_on": dt.date(2022, 6, 1),
                                 "owner_name": "𠮷田村股份经济合作社", "custodian_person": "冯䶮"},
                             region_code=VILLAGE, fundings=[svc.FundingShare("01", D("80000"))])
        inc = svc.add_income(s, a.id, year=2024, amount="1000", source_kind="分红")
        svc.set_distribution(s, inc.id, [svc.Share("01", D("1000"), hh.id)], approved_on=dt.date(2025, 1, 5))
        d = svc.request_disposal(s, a.id, trigger="04", method="转让", reason="𠮷田组整体搬迁",
                                 requested_on=dt.date(2025, 2, 1))
        outputs = {
            "card": asset_forms.render_card(s, a.id, tmp_path / "card.pdf"),
            "ledger": asset_forms.render_ledger(s, VILLAGE, tmp_path / "ledger.pdf"),
            "notice": asset_forms.render_distribution(s, inc.id, tmp_path / "notice.pdf"),
            "disposal": asset_forms.render_disposal(s, d.id, tmp_path / "disposal.pdf"),
        }
    for kind, path in outputs.items():
        text = re.sub(r"\s+", "", pdftotext(path))
        assert "𠮷田组光伏电站" in text, kind
        # the shared page frame (read in page order: pdftotext's reading order may mix the
        # footer with a widely spaced 「年　月　日」 line just above)
        assert re.search(r"第1页共\d+页", re.sub(r"\s+", "", pdftotext(path, "-layout"))), kind
    assert "冯䶮" in re.sub(r"\s+", "", pdftotext(outputs["card"]))
    assert "冯䶮" in re.sub(r"\s+", "", pdftotext(outputs["notice"]))
    assert "𠮷田组整体搬迁" in re.sub(r"\s+", "", pdftotext(outputs["disposal"]))
