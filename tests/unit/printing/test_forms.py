"""The printed forms, read back from the PDF: text, ☑/□ choices, page structure, masking."""

from __future__ import annotations

import hashlib
import re

import pytest
from pypdf import PdfReader

from fupin_desktop.errors import UserError
from fupin_desktop.services import printing
from tests.factories import TOWNSHIP, VILLAGE, add_household

from tests.unit.printing.sample import BANK, HEAD_ID, HEAD_PHONE, RARE_NAMES, build_household


@pytest.fixture
def household(db):
    with db.session() as s:
        hh = build_household(s)
        return hh.id


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_handbook_sections_options_and_page_structure(db, household, tmp_path, pdftotext):
    out = tmp_path / "hb.pdf"
    result = printing.print_households(db, "handbook", [household], out)
    assert result.households == 1 and result.files == [out]
    reader = PdfReader(out)
    assert len(reader.pages) == result.pages >= 4
    text = pdftotext(out)
    flat = _compact(text)
    for title in ("一、家庭基本情况", "二、家庭成员", "三、帮扶责任人", "四、帮扶计划", "五、帮扶措施",
                  "六、帮扶成效", "七、年度收支情况", "八、走访记录", "九、自我发展成效", "十、巩固提升需求"):
        assert title in flat, title
    # ☑ marks exactly the household's choices: main cause 因病, other causes 缺劳力 + 缺资金.
    assert "☑因病" in flat and "□因残" in flat
    assert "☑缺劳力" in flat and "☑缺资金" in flat and "□缺技术" in flat
    assert "☑低保贫困户" in flat and "□一般贫困户" in flat
    assert "☑砖混材料" in flat and "□钢筋混凝土" in flat
    # Every member of 15 prints, the table flowing over pages with its header repeated.
    for name in RARE_NAMES:
        assert name in flat, name
    assert flat.count("身份证号码") >= 2
    # The helper history (old one ended, new one current) and entries.
    assert "欧阳堃" in flat and "黄玥" in flat and "2023.05.31" in flat and "至今" in flat
    assert "养殖生猪10头" in flat and "雨露计划补助" in flat and "家中老人患慢性病" in flat
    # Header with the household on every page, numbered "第 n 页 共 m 页".
    pages = [pdftotext(out, "-f", str(i), "-l", str(i)) for i in range(1, len(reader.pages) + 1)]
    for i, page in enumerate(pages, 1):
        assert "5223261002010099" in page
        assert f"第{i}页" in _compact(page)
    # The total is drawn on every page (a form XObject filled in at the end).
    layout = _compact(pdftotext(out, "-layout"))
    assert layout.count(f"共{len(reader.pages)}页") == len(reader.pages)
    # A long address wraps instead of running off the page.
    assert "大坪子组老寨脚下第三十六号" in flat


def test_card_is_one_page_with_ticks(db, household, tmp_path, pdftotext):
    out = tmp_path / "card.pdf"
    result = printing.print_households(db, "card", [household], out, year=2025)
    assert result.pages == 1
    flat = _compact(pdftotext(out))
    assert "帮扶明白卡" in flat and RARE_NAMES[0] in flat
    # 产业 measures from the handbook tick 产业帮扶; 金融 has none.
    assert re.search(r"产业帮扶☑享受□未享受", flat)
    assert re.search(r"金融帮扶□享受☑未享受", flat)
    assert "黄玥" in flat and "莫翀" in flat  # helper and 第一书记


def test_collection_form_has_income_and_full_ids(db, household, tmp_path, pdftotext):
    out = tmp_path / "form.pdf"
    printing.print_households(db, "form", [household], out)
    flat = _compact(pdftotext(out))
    assert "户信息采集表" in flat
    assert HEAD_ID in flat and BANK in flat  # an office form: nothing masked
    assert "17,900.00" in flat and "1,133.33" in flat
    assert "四、三保障和饮水安全" in flat


@pytest.mark.parametrize("kind", ["识别", "monitor", "收益分配"])
def test_notice_never_shows_private_data(db, household, tmp_path, pdftotext, kind):
    out = tmp_path / "notice.pdf"
    result = printing.print_notice(db, VILLAGE, kind, out,
                                   year=2016 if kind == "识别" else 2025)
    assert result.households == 1
    flat = _compact(pdftotext(out))
    assert "公示" in flat and RARE_NAMES[0] in flat and "12317" in flat
    digits = re.sub(r"\D", "", flat)
    for secret in (HEAD_ID, HEAD_ID[:17], HEAD_PHONE, BANK, "13800000001"):
        assert secret not in flat and secret not in digits
    # No 18-digit ID, 11-digit mobile or long account number anywhere in the text.
    assert not re.search(r"\d{15,}", flat)
    assert not re.search(r"1[3-9]\d{9}", flat)
    # Health status (and the 因病 risk that would reveal it) never printed.
    for word in ("患有大病", "长期慢性病", "残疾", "因病", "健康"):
        assert word not in flat


def test_notice_for_a_township_names_the_village(db, household, tmp_path, pdftotext):
    out = tmp_path / "n.pdf"
    printing.print_notice(db, TOWNSHIP, "monitor", out, year=2025)
    assert "新寨村三组" in _compact(pdftotext(out))


def test_region_batch_into_one_file_and_many(db, household, tmp_path):
    one = printing.print_region(db, "card", VILLAGE, tmp_path / "all.pdf")
    assert one.households == 2 and one.pages == 2
    progress = []
    many = printing.print_region(db, "handbook", VILLAGE, tmp_path / "dir",
                                 per_household=True, progress=lambda d, t, m: progress.append((d, t)))
    assert many.households == 2 and len(many.files) == 2
    assert sorted(p.name for p in (tmp_path / "dir").iterdir()) == sorted(p.name for p in many.files)
    assert progress[-1] == (2, 2)
    assert sum(len(PdfReader(p).pages) for p in many.files) == many.pages


def test_cancel_leaves_no_file(db, household, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(printing.PrintCancelled):
        printing.print_region(db, "handbook", VILLAGE, folder / "x.pdf", cancel=lambda: True)
    assert list(folder.iterdir()) == []
    calls = iter([False, True])  # cancelled after the first household's file
    with pytest.raises(printing.PrintCancelled):
        printing.print_region(db, "card", VILLAGE, folder / "d", per_household=True,
                              cancel=lambda: next(calls))
    assert list((folder / "d").iterdir()) == []


def test_bad_requests_are_user_errors(db, household, tmp_path):
    with pytest.raises(UserError, match="没有“badge”这种表"):
        printing.print_households(db, "badge", [household], tmp_path / "x.pdf")
    with pytest.raises(UserError, match="户编号"):
        printing.print_household_numbers(db, "card", ["nope"], tmp_path / "x.pdf")
    with pytest.raises(UserError, match="区划代码"):
        printing.print_region(db, "card", "12", tmp_path / "x.pdf")
    with pytest.raises(UserError, match="公示类型"):
        printing.print_notice(db, VILLAGE, "表扬", tmp_path / "x.pdf")
    with pytest.raises(UserError, match="没有可以公示"):
        printing.print_notice(db, VILLAGE, "风险消除", tmp_path / "x.pdf")
    with pytest.raises(UserError, match="没有区划代码"):
        printing.print_notice(db, "522326100299", "monitor", tmp_path / "x.pdf")


def test_files_of_a_batch_share_their_first_subsets_and_print_the_same(db, tmp_path, pdftotext):
    """One file per household: from the third file on, the characters the first two shared
    come first, so the first font subsets are identical (built once); the text of a file is
    what it is when the household is printed alone."""
    with db.session() as s:
        rare = build_household(s)
        others = [add_household(s, no=f"522326100201{n:04d}", head=head, seq=n)
                  for n, head in ((11, "韦明"), (12, "岑萍霞"), (13, "班林强"))]
        ids = [h.id for h in others] + [rare.id]
    result = printing.print_households(db, "handbook", ids, tmp_path / "many", per_household=True)
    assert len(result.files) == 4

    def subsets(path):
        out = {}
        for page in PdfReader(path).pages:
            for font in page["/Resources"]["/Font"].values():
                font = font.get_object()
                if "/FontDescriptor" in font:
                    data = font["/FontDescriptor"].get_object()["/FontFile2"].get_object().get_data()
                    out[str(font["/BaseFont"])] = hashlib.md5(data).hexdigest()
        return out

    third, fourth = subsets(result.files[2]), subsets(result.files[3])
    first_subset = next(name for name in third if name.startswith("/AAAAAA+UMing"))
    assert third[first_subset] == fourth[first_subset]
    assert subsets(result.files[0])[first_subset] != third[first_subset]  # not seeded yet

    alone = printing.print_households(db, "handbook", [rare.id], tmp_path / "alone.pdf")
    assert pdftotext(result.files[3]) == pdftotext(alone.files[0])
    flat = "".join(pdftotext(result.files[3]).split())
    for name in RARE_NAMES:
        assert name in flat
    assert "☑因病" in flat and "□因残" in flat
    assert "韦明" in pdftotext(result.files[0]) and "班林强" in pdftotext(result.files[2])
