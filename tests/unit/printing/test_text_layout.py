"""The flowables that draw plain text and option lists without parsing markup lay them out
line for line as the reportlab Paragraphs they replace."""

from __future__ import annotations

import pytest
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.pdfbase.pdfmetrics import stringWidth
from pypdf import PdfReader
from reportlab.platypus import Paragraph, SimpleDocTemplate

from fupin_desktop.printing.fonts import CHECKED, UNCHECKED, font_chain
from fupin_desktop.printing.layout import (
    Emboldened,
    OptionList,
    Options,
    PlainText,
    option_para,
    options,
    para,
    section_title,
    styles,
)

TEXTS = [
    "",
    " ",
    "张三",
    "a  b",
    "  前后  空格 ",
    "（括号）开头。句号，逗号、顿号；分号：冒号！",
    "522326199001011234",
    "望谟县复兴镇新寨村大坪子组老寨脚下第三十六号",
    "Mixed 中英 text with spaces and 数字 12,300.00",
    "养殖生猪10头，每头补助500元，申请贴息小额信贷3万元。" * 3,
]
WIDTHS = (12, 30, 55, 80, 121.5, 200, 400)


@pytest.mark.parametrize("style_name", ["cell", "cell_center", "cell_right", "body", "title", "note"])
def test_plain_text_breaks_lines_like_a_cjk_paragraph(style_name):
    style = getattr(styles(), style_name)
    for text in TEXTS:
        for width in WIDTHS:
            fast = PlainText.make(text, style)
            assert fast is not None, text
            ref = Paragraph(font_chain().markup(text), style)
            assert fast.wrap(width, 1000) == ref.wrap(width, 1000), (text, width)
            ref_lines = ref.blPara.lines
            assert len(fast.lines) == len(ref_lines)
            for (x, runs, word_space), (spare, words) in zip(fast.lines, ref_lines):
                assert runs == ((style.fontName, " ".join(words)),)
                expected = {TA_CENTER: spare / 2, TA_RIGHT: spare}.get(style.alignment, 0)
                assert x == pytest.approx(expected) and word_space == 0


def test_para_keeps_a_paragraph_where_plain_text_would_differ():
    assert isinstance(para("张三"), PlainText)
    for text in ("冯䶮", "𠮷田", "第一行\n第二行", "　　年　　月　　日", "a\tb", "x\xa0y"):
        assert isinstance(para(text), Paragraph), text
    assert isinstance(para("<b>x</b>", markup=True), Paragraph)
    # A Paragraph escapes what it is given: markup characters print as themselves.
    assert para("a<b>&c").text == "a<b>&c"


def test_section_title_is_bold_without_a_bold_face(tmp_path):
    """The embedded CJK fonts have no bold face: the title is the plain text drawn with its
    outline stroked too, and stays text."""
    title = section_title("一、家庭基本情况")
    assert isinstance(title, Emboldened) and isinstance(title.inner, PlainText)
    assert title.getSpaceBefore() == styles().section.spaceBefore
    path = tmp_path / "title.pdf"
    SimpleDocTemplate(str(path)).build([title, para("正文不加粗")])
    page = PdfReader(path).pages[0]
    stream = page.get_contents().get_data().decode("latin-1")
    assert stream.count("2 Tr") == 1  # the title only, inside its own q … Q
    assert stream.index("2 Tr") < stream.index("Q", stream.index("2 Tr"))
    assert "一、家庭基本情况" in page.extract_text() and "正文不加粗" in page.extract_text()


def test_plain_text_splits_between_lines_like_a_paragraph():
    style = styles().body
    text = "帮扶责任人每月入户走访一次，了解家庭收入、务工和子女上学情况。" * 6
    for height in (10, 16, 31, 46, 61, 200):
        fast, ref = PlainText.make(text, style), Paragraph(text, style)
        fast.wrap(300, 1000), ref.wrap(300, 1000)
        fast_parts, ref_parts = fast.split(300, height), ref.split(300, height)
        assert len(fast_parts) == len(ref_parts), height
        for a, b in zip(fast_parts, ref_parts):
            assert a.wrap(300, 1000) == b.wrap(300, 1000)
        if len(fast_parts) == 2:
            joined = "".join(r[0][1] for part in fast_parts for _, r, _ in part.lines)
            assert joined == text


OPTION_LISTS = [("poverty_cause", "01"), ("handbook_category", ["01", "03"]),
                ("household_type", "02"), ("main_fuel", None), ([("1", "是"), ("0", "否")], "1")]


@pytest.mark.parametrize("prefix", ["", "帮扶类别："])
def test_option_list_lines_like_the_option_paragraph(prefix):
    style = styles().option
    for items, chosen in OPTION_LISTS:
        opts = options(items, chosen, prefix=prefix)
        # Its markup is the option paragraph it replaces, the prefix text in front.
        assert isinstance(opts, Options) and isinstance(option_para(opts), OptionList)
        assert opts.markup == prefix + options(items, chosen).markup
        for width in range(150, 560, 3):  # wider than any one option
            fast, ref = OptionList(opts, style), Paragraph(opts.markup, style)
            assert fast.wrap(width, 1000) == ref.wrap(width, 1000), (items, prefix, width)


def test_option_list_breaks_only_between_options_and_stays_inside_its_width():
    style = styles().option
    opts = options("poverty_cause", ["01", "08"])
    labels = [("☑" if checked else "□") + label for label, checked in opts.entries]
    assert labels[0] == CHECKED + "因病" and labels[1] == UNCHECKED + "因残"
    for width in (160, 200, 260, 400):
        flow = OptionList(opts, style)
        flow.wrap(width, 1000)
        printed = []
        for x, runs, word_space in flow.lines:
            text = "".join(chunk for _, chunk in runs)
            printed += text.split("   ")
            spaces = text.count(" ")
            drawn = sum(stringWidth(c, n, style.fontSize) for n, c in runs) + spaces * word_space
            assert drawn <= width + 0.01
        assert printed == labels
    # Narrower than one option: the option is cut between characters, nothing overflows.
    flow = OptionList(options("poverty_cause", ["01", "08"], prefix="享受的帮扶措施（可多选）："), style)
    flow.wrap(40, 1000)
    for _, runs, _ in flow.lines:
        assert sum(stringWidth(c, n, style.fontSize) for n, c in runs) <= 40
    text = "".join(c for _, runs, _ in flow.lines for _, c in runs).replace(" ", "")
    assert text == "享受的帮扶措施（可多选）：" + "".join(labels)


def test_blank_cells_of_a_ruled_table_write_no_text(tmp_path):
    from pypdf import PdfReader
    from reportlab.platypus import SimpleDocTemplate

    from fupin_desktop.printing.layout import RuledTable, grid_table

    table = grid_table(["姓名", "户主签名"], [["张三", ""], ["李四", None]], [80, 80], min_rows=5)
    assert isinstance(table, RuledTable)
    path = tmp_path / "t.pdf"
    SimpleDocTemplate(str(path)).build([table])
    stream = PdfReader(path).pages[0].get_contents().get_data()
    assert b"() Tj" not in stream
    assert stream.count(b"Tj") == 4  # the two header cells and the two names
