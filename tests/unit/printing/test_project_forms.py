"""项目库 PDFs: each kind renders, carries the fields, and the notice keeps private data out."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from fupin_desktop.errors import UserError
from fupin_desktop.printing import projects as pp
from fupin_desktop.services import projects as P
from tests.factories import add_regions
from tests.unit.services.test_projects import road, walk_to


def text_of(data: bytes) -> tuple[int, str, tuple[float, float]]:
    reader = PdfReader(io.BytesIO(data))
    box = reader.pages[0].mediabox
    # Cells wrap: compare without whitespace.
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages))
    return len(reader.pages), text, (float(box.width), float(box.height))


@pytest.fixture
def printed(sqlite_db):
    with sqlite_db.session() as s:
        add_regions(s)
        p = P.create_project(s, road(manager="王建国", manager_phone="13800001234",
                                     benefit_linkage="务工带动，优先吸纳脱贫户",
                                     beneficiaries_poor_hh=12, beneficiaries_poor_persons=40))  # fmt: skip
        walk_to(s, p.id, P.IN_LIBRARY, dt.date(2023, 10, 8))
        P.create_project(s, road(name="新寨村饮水工程"))
        yield s, p.id


def render(session, kind, **kw) -> bytes:
    out = io.BytesIO()
    pp.render(session, kind, out, **kw)
    return out.getvalue()


def test_declaration_has_fields_and_opinion_boxes(printed):
    s, pid = printed
    pages, text, (w, h) = text_of(render(s, "declaration", project_id=pid))
    assert pages == 1 and h > w  # A4 portrait
    for needle in ("项目入库申报表", "新寨村通组路硬化项目", "乡村建设行动", "县交通运输局",
                   "50.00", "硬化道路长度", "村（两委）意见", "乡镇审核意见", "主管部门审核意见",
                   "盖章", "务工带动"):  # fmt: skip
        assert needle in text, needle


def test_declaration_for_a_year_is_one_page_per_project(printed):
    s, _ = printed
    pages, text, _ = text_of(render(s, "declaration", year=2024))
    assert pages == 2 and "新寨村饮水工程" in text


def test_notice_has_no_phone_and_has_the_hotline(printed):
    s, pid = printed
    pages, text, (w, h) = text_of(render(s, "notice", year=2024))
    assert w > h  # landscape
    assert "项目公示表" in text and "12317" in text and "新寨村通组路硬化项目" in text
    assert "13800001234" not in text and "王建国" not in text
    assert "脱贫户12户40人" in text


def test_list_has_totals(printed):
    s, _ = printed
    pages, text, (w, h) = text_of(render(s, "list", year=2024))
    assert w > h and "项目清单" in text and "合计" in text and "100.00" in text  # 2 × 50 万元


def test_nothing_to_print_is_a_user_error(printed):
    s, _ = printed
    with pytest.raises(UserError, match="2019年度没有可打印的项目"):
        render(s, "list", year=2019)
    with pytest.raises(UserError, match="不认识的打印种类"):
        render(s, "poster", year=2024)


def test_rare_name_characters_print_in_every_kind(sqlite_db, tmp_path, pdftotext):
    """䶮 (Extension A) and 𠮷 (beyond U+FFFF) come back out of the PDF text: the shared
    font chain draws them and writes their ToUnicode entries."""
    with sqlite_db.session() as s:
        add_regions(s)
        p = P.create_project(s, road(name="𠮷田组产业路", implementer="冯䶮种养专业合作社",
                                     manager="冯䶮"))  # fmt: skip
        walk_to(s, p.id, P.IN_LIBRARY, dt.date(2023, 10, 8))
        for kind in ("declaration", "notice", "list"):
            out = tmp_path / f"{kind}.pdf"
            pp.render(s, kind, str(out), project_id=p.id)
            text = re.sub(r"\s+", "", pdftotext(out))
            assert "𠮷田组产业路" in text, kind
            if kind != "list":
                assert "冯䶮种养专业合作社" in text, kind
            # The page footer, read in page order (pdftotext's reading order may mix it with
            # a widely spaced 「年　月　日」 line just above).
            assert "第1页共1页" in re.sub(r"\s+", "", pdftotext(out, "-layout")), kind
