"""Shared pieces of every printed form: page frame with header and footer, paragraph styles,
☑/□ option lists, ruled tables with repeated headers, signature lines.

A document is a sequence of *records* (one household, one notice, one project …). Each
record starts with :class:`RecordStart` and ends with :class:`RecordEnd`; the page header
shows the record's own header text, and the footer numbers the record's pages
「第 n 页 共 m 页」 (the total is a PDF form filled in when the record's last page is drawn,
so a 500-household batch is laid out once, not twice).

All text goes through :func:`para` (or :meth:`FontChain.markup`), which picks a fallback
font per character, so rare name characters print.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.textsplit import wordSplit
from reportlab.lib.units import mm
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import _listWrapOn
from reportlab.platypus.tables import CellStyle

from fupin_desktop.codes import code_list
from fupin_desktop.printing.fonts import CHECKED, UNCHECKED, SubsetSeed, font_chain

__all__ = [
    "A4_LANDSCAPE",
    "A4_PORTRAIT",
    "FormDocument",
    "KeepTail",
    "OptionList",
    "Options",
    "PlainText",
    "RecordEnd",
    "RecordStart",
    "RuledTable",
    "Styles",
    "NOTICE_SIZE",
    "bool_options",
    "code_width",
    "column_widths",
    "date_text",
    "grid_table",
    "kv_table",
    "money",
    "option_markup",
    "option_para",
    "options",
    "para",
    "section_title",
    "short_date",
    "signature_row",
    "sized_styles",
    "styles",
]

A4_PORTRAIT = A4
A4_LANDSCAPE = landscape(A4)

# Page streams stay binary (Flate only). reportlab's default also wraps them in ASCII85, a
# 7-bit transport encoding no PDF reader or printer needs: a quarter larger files and a
# pure-Python encoder over every page.
rl_config.useA85 = 0

GRID_COLOR = colors.black
HEADER_FILL = colors.Color(0.92, 0.92, 0.92)
BLANK_ROW = 7 * mm
# Two non-breaking spaces and a breaking one: the only break opportunity in an option list.
OPTION_GAP = "&nbsp;&nbsp; "


# -- text ------------------------------------------------------------------------------------


@dataclass
class Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    section: ParagraphStyle
    body: ParagraphStyle
    cell: ParagraphStyle
    cell_center: ParagraphStyle
    cell_right: ParagraphStyle
    head: ParagraphStyle
    small: ParagraphStyle
    note: ParagraphStyle
    option: ParagraphStyle  # option lists: wrap only between options, never inside one


_styles: Styles | None = None


def styles() -> Styles:
    """Paragraph styles in the print font; every style wraps Chinese (wordWrap='CJK')."""
    global _styles
    if _styles is None:
        font = font_chain().primary

        def style(name: str, size: float, leading: float | None = None, **kw: Any) -> ParagraphStyle:
            return ParagraphStyle(
                name, fontName=font, fontSize=size, leading=leading or size * 1.3,
                wordWrap="CJK", **kw,
            )

        _styles = Styles(
            title=style("title", 18, 26, alignment=TA_CENTER, spaceAfter=4),
            subtitle=style("subtitle", 10.5, 15, alignment=TA_CENTER, spaceAfter=6),
            section=style("section", 12, 17, spaceBefore=8, spaceAfter=4),
            body=style("body", 10.5, 15),
            cell=style("cell", 9, 11.5),
            cell_center=style("cell_center", 9, 11.5, alignment=TA_CENTER),
            cell_right=style("cell_right", 9, 11.5, alignment=TA_RIGHT),
            head=style("head", 9, 11.5, alignment=TA_CENTER),
            small=style("small", 8, 10),
            note=style("note", 8.5, 11.5, textColor=colors.Color(0.2, 0.2, 0.2)),
            option=ParagraphStyle("option", fontName=font, fontSize=9, leading=12),
        )
    return _styles


NOTICE_SIZE = 10.5  # posted notices (公示表): 五号 at least, read on a wall


@functools.lru_cache(maxsize=8)
def sized_styles(size: float) -> Styles:
    """:func:`styles` with the body, table cell and header text at ``size`` points
    (posted notices print at :data:`NOTICE_SIZE`)."""
    base = styles()
    leading = round(size * 1.3, 2)

    def at(style: ParagraphStyle) -> ParagraphStyle:
        return style.clone(f"{style.name}_{size}", fontSize=size, leading=leading)

    return Styles(title=base.title, subtitle=at(base.subtitle), section=base.section,
                  body=at(base.body), cell=at(base.cell), cell_center=at(base.cell_center),
                  cell_right=at(base.cell_right), head=at(base.head), small=at(base.small),
                  note=at(base.note), option=at(base.option))


def para(text: Any, style: ParagraphStyle | None = None, *, markup: bool = False) -> Flowable:
    """A wrapping paragraph of ``text`` (plain text unless ``markup``; None prints empty).

    Plain text in one font (no fallback characters, no line breaks) is laid out by
    :class:`PlainText`, which breaks lines exactly as a CJK-wrapping Paragraph does without
    parsing markup; anything else is a real Paragraph."""
    if text is None:
        text = ""
    style = style or styles().cell
    if not markup:
        fast = PlainText.make(str(text), style)
        if fast is not None:
            return fast
    body = str(text) if markup else font_chain().markup(str(text))
    return Paragraph(body, style)


def section_title(text: str) -> Flowable:
    """A section heading in bold. The CJK fonts we embed have no bold face (and none is
    registered, so ``<b>`` would change nothing): the regular glyphs are stroked as well as
    filled (:class:`Emboldened`)."""
    style = styles().section
    return Emboldened(para(text, style), style)


class Emboldened(Flowable):
    """Draws ``inner`` with its text stroked as well as filled (PDF text render mode 2, the
    outline ``weight`` × font size wide): bold type from a font without a bold face. The
    text stays text (selectable, found by pdftotext)."""

    WEIGHT = 0.035

    def __init__(self, inner: Flowable, style: ParagraphStyle) -> None:
        super().__init__()
        self.inner = inner
        self.style = style

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width, self.height = self.inner.wrap(availWidth, availHeight)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        parts = self.inner.split(availWidth, availHeight)
        return [Emboldened(part, self.style) for part in parts]

    def getSpaceBefore(self) -> float:
        return self.inner.getSpaceBefore()

    def getSpaceAfter(self) -> float:
        return self.inner.getSpaceAfter()

    def draw(self) -> None:
        canv = self.canv
        canv.saveState()
        canv.setStrokeColor(self.style.textColor)
        canv.setLineWidth(self.style.fontSize * self.WEIGHT)
        # Text render mode lives in the graphics state (restored below); reportlab's canvas
        # only sets it inside its own text objects, which the inner flowable may not use.
        canv._code.append("2 Tr")
        self.inner.drawOn(canv, 0, 0)
        canv.restoreState()


def money(value: Decimal | int | float | None, *, blank: str = "") -> str:
    if value is None:
        return blank
    return f"{Decimal(value):,.2f}"


def date_text(value: dt.date | None, *, blank: str = "\u3000\u3000年\u3000月\u3000日") -> str:
    if value is None:
        return blank
    return f"{value.year}年{value.month}月{value.day}日"


def short_date(value: dt.date | None, *, blank: str = "") -> str:
    """「2024.03.05」: dates in narrow table cells."""
    if value is None:
        return blank
    return f"{value.year}.{value.month:02d}.{value.day:02d}"


def option_markup(label: str, checked: bool) -> str:
    """「☑label」 as Paragraph markup (the box from the symbol font, as :meth:`FontChain.runs`
    puts every box)."""
    return font_chain().markup((CHECKED if checked else UNCHECKED) + label)


@dataclass(frozen=True)
class Options:
    """An option list 「☑因病 □因残 …」 as the national forms print it: its entries and the
    plain text printed in front of the first option (「帮扶类别：」). :func:`option_para`
    draws it without markup (:class:`OptionList`); :attr:`markup` is the same list as
    Paragraph markup."""

    entries: tuple[tuple[str, bool], ...]  # (label, checked)
    prefix: str = ""  # plain text before the first option

    @property
    def markup(self) -> str:
        """Paragraph markup of the list; the 「&nbsp;&nbsp; 」 gaps are the only places a
        Paragraph may break it."""
        listed = OPTION_GAP.join(option_markup(label, checked) for label, checked in self.entries)
        return font_chain().markup(self.prefix) + listed


def options(
    items: Iterable[tuple[str, str]] | str,
    selected: str | Iterable[str] | None,
    *,
    era: str | None = None,
    exclude: Iterable[str] = (),
    prefix: str = "",
) -> Options:
    """An option list as the national forms print it: 「☑因病 □因残 □因学 …」.

    ``items`` is a code-list name (its entries, in order, for ``era``) or ``(code, label)``
    pairs; ``selected`` one code or several; ``prefix`` plain text in front of the first
    option (「帮扶类别：」), on its line. The list wraps between options, never inside one.
    """
    if selected is None:
        chosen: frozenset[str] = frozenset()
    elif isinstance(selected, str):
        chosen = frozenset({selected})
    else:
        chosen = frozenset(str(s) for s in selected if s is not None)
    key = items if isinstance(items, str) else tuple(items)
    return _options(key, chosen, era, tuple(exclude), prefix)


@functools.lru_cache(maxsize=4096)
def _options(items: str | tuple, chosen: frozenset[str], era: str | None,
             exclude: tuple[str, ...], prefix: str) -> Options:
    # The same option lists print on every page of a batch: build each one once.
    entries = list(code_list(items, era).entries()) if isinstance(items, str) else list(items)
    return Options(tuple((label, code in chosen) for code, label in entries if code not in exclude),
                   prefix)


def option_para(opts: Options, style: ParagraphStyle | None = None) -> Flowable:
    """An option list (from :func:`options`), wrapping between options, never inside one."""
    return OptionList(opts, style or styles().option)


def bool_options(value: bool | None, yes: str = "是", no: str = "否") -> Options:
    """☑是 □否 for a yes/no field; both boxes empty when unknown."""
    return options([("1", yes), ("0", no)], None if value is None else ("1" if value else "0"))


class _TextLines(Flowable):
    """Lines already broken for a width, drawn in one text object: what :class:`PlainText`
    and :class:`OptionList` lay out, and the parts of a split one. A line is
    ``(x, runs, word_space)``: its offset, its ``(font, text)`` runs and the extra width of
    each space (negative when the spaces shrink to make the line fit).

    Drawn the way a Paragraph draws (first baseline ``fontSize`` below the top, then one
    ``leading`` per line, fill colour from the style), so they line up with Paragraphs."""

    def __init__(self, style: ParagraphStyle, lines: tuple | None = None):
        super().__init__()
        self.style = style
        self._lines: tuple = lines if lines is not None else ()
        self._fixed = lines is not None  # the part of a split: never broken again
        self._broken_for: float | None = None

    def _break(self, width: float) -> tuple:
        raise NotImplementedError

    @property
    def lines(self) -> tuple:
        """The lines as last broken by :meth:`wrap`."""
        return self._lines

    def wrap(self, availWidth, availHeight):
        if not self._fixed and self._broken_for != availWidth:
            self._lines = self._break(availWidth)
            self._broken_for = availWidth
        self.width = availWidth
        self.height = len(self._lines) * self.style.leading
        return self.width, self.height

    def getSpaceBefore(self):
        return getattr(self, "_space_before", self.style.spaceBefore)

    def getSpaceAfter(self):
        return getattr(self, "_space_after", self.style.spaceAfter)

    def split(self, availWidth, availHeight):
        self.wrap(availWidth, availHeight)
        lines = self._lines
        fit = int((availHeight + 1e-6) // self.style.leading)
        if fit >= len(lines):
            return [self]
        if fit <= 0 or (fit == 1 and not self.style.allowOrphans):
            return []
        if len(lines) - fit == 1 and not self.style.allowWidows:
            fit -= 1
            if fit <= 0:
                return []
        first, rest = _TextLines(self.style, lines[:fit]), _TextLines(self.style, lines[fit:])
        first._space_before, first._space_after = self.getSpaceBefore(), 0
        rest._space_before, rest._space_after = 0, self.getSpaceAfter()
        for part in (first, rest):
            part._broken_for = availWidth
        return [first, rest]

    def draw(self):
        """One text object, written directly: the operators a reportlab text object would
        write for these runs (font subset, ``Tf``, ``Tj`` per chunk), without its cursor
        bookkeeping. The fonts are the print chain's TrueType fonts (always subsetted)."""
        st = self.style
        canv = self.canv
        doc = canv._doc
        escape_pdf = canv._escape
        canv.saveState()
        canv.setFillColor(st.textColor)
        size = f"{fp_str(st.fontSize)} Tf"
        flip = "1 0 0 1" if canv.bottomup else "1 0 0 -1"
        ops = ["BT"]
        y = self.height - st.fontSize
        current = None
        for x, runs, word_space in self._lines:
            ops.append(f"{flip} {fp_str(x, y)} Tm")
            if word_space:
                ops.append(f"{fp_str(word_space)} Tw")
            for name, chunk in runs:
                font = getFont(name)
                for subset, part in font.splitString(chunk, doc):
                    if (name, subset) != current:
                        ops.append(f"{font.getSubsetInternalName(subset, doc)} {size}")
                        current = (name, subset)
                    ops.append(f"({escape_pdf(part)}) Tj")
            if word_space:
                ops.append("0 Tw")
            y -= st.leading
        ops.append("ET")
        canv._code.append(" ".join(ops))
        canv.restoreState()


def _line_x(alignment: int, spare: float) -> float:
    if alignment == TA_CENTER:
        return spare / 2
    if alignment == TA_RIGHT:
        return spare
    return 0.0


class PlainText(_TextLines):
    """A paragraph of plain single-font text without markup parsing.

    Lines break with reportlab's own CJK splitter (``wordSplit``), on the text a Paragraph
    would see (whitespace collapsed), so the result is the same lines as
    ``Paragraph(markup(text), style)`` with ``wordWrap='CJK'``; :meth:`make` refuses what
    it cannot do the same (fallback fonts, line breaks, U+3000 blanks, indents)."""

    def __init__(self, text: str, style: ParagraphStyle):
        super().__init__(style)
        self.text = text

    @classmethod
    def make(cls, text: str, style: ParagraphStyle) -> "PlainText | None":
        if (style.wordWrap != "CJK" or style.alignment not in (TA_LEFT, TA_CENTER, TA_RIGHT)
                or style.leftIndent or style.rightIndent or style.firstLineIndent
                or style.backColor or style.borderWidth or getattr(style, "bulletText", None)
                or style.textTransform):
            return None
        if not text.isprintable():  # \n, \t, U+3000, no-break spaces: Paragraph rules
            return None
        runs = font_chain().runs(text)
        if len(runs) > 1 or (runs and runs[0][0] != style.fontName):
            return None
        # The only whitespace left is " ": a Paragraph collapses runs of it and strips the ends.
        return cls(" ".join(text.split()), style)

    def _break(self, width: float) -> tuple:
        st = self.style
        lines = _plain_lines if len(self.text) <= 200 else _plain_lines.__wrapped__
        return lines(self.text, st.fontName, st.fontSize, st.alignment, width)

    def minWidth(self):
        st = self.style
        return max((stringWidth(w, st.fontName, st.fontSize) for w in self.text.split(" ")), default=0)


@functools.lru_cache(maxsize=8192)
def _plain_lines(text: str, font: str, size: float, alignment: int, width: float) -> tuple:
    if not text:
        return ()
    return tuple((_line_x(alignment, spare), ((font, line),), 0.0)
                 for spare, line in wordSplit(text, [width], font, size))


class OptionList(_TextLines):
    """An option list drawn directly: every box from the symbol font, labels with
    per-character fallback, lines broken only between options (as the option markup's
    「&nbsp;&nbsp; 」 gaps do in a Paragraph)."""

    def __init__(self, opts: Options, style: ParagraphStyle):
        super().__init__(style)
        self.opts = opts

    def _break(self, width: float) -> tuple:
        st = self.style
        return _option_lines(self.opts.entries, self.opts.prefix, st.fontName, st.fontSize,
                             st.alignment, width)

    def minWidth(self):
        return max((w for _, w, _ in _option_words(self.opts.entries, self.opts.prefix,
                                                   self.style.fontName, self.style.fontSize)),
                   default=0)


@functools.lru_cache(maxsize=4096)
def _option_words(entries: tuple, prefix: str, font: str, size: float) -> tuple:
    """Per option: its runs, its width and the width of the two no-break spaces after it."""
    chain = font_chain()
    space = stringWidth(" ", font, size)
    words = []
    for i, (label, checked) in enumerate(entries):
        box = CHECKED if checked else UNCHECKED
        runs = chain.runs((prefix if i == 0 else "") + box + label)
        width = sum(stringWidth(chunk, name, size) for name, chunk in runs)
        words.append((runs, width, 2 * space if i < len(entries) - 1 else 0.0))
    return tuple(words)


@functools.lru_cache(maxsize=8192)
def _option_lines(entries: tuple, prefix: str, font: str, size: float, alignment: int,
                  width: float) -> tuple:
    """Options filled into lines the way a Paragraph fills words: an option goes on the
    line while the line (with the gaps) fits, where each space on the line may shrink by
    5 % (reportlab's ``spaceShrinkage``); a line that only fits shrunk is drawn with that
    negative word spacing."""
    words = _option_words(entries, prefix, font, size)
    space = stringWidth(" ", font, size)
    lines: list[list] = []
    sizes: list[list] = []  # per line: width with the trailing gap, number of options
    for runs, w, gap in words:
        if lines:
            used, count = sizes[-1]
            if used + space + w + gap <= width + 0.05 * space * count:
                lines[-1].append((font, "   "))  # the two no-break spaces and the breaking one
                lines[-1].extend(runs)
                sizes[-1] = [used + space + w + gap, count + 1]
                continue
        if w > width:  # an option wider than the line: cut it between characters
            *whole, (runs, w) = _cut_runs(runs, width, size)
            for part, part_width in whole:
                lines.append(part)
                sizes.append([part_width, 1])
        lines.append(list(runs))
        sizes.append([w + gap, 1])
    out = []
    for runs, (used, count) in zip(lines, sizes):
        merged: list[tuple[str, str]] = []
        for name, chunk in runs:
            if merged and merged[-1][0] == name:
                merged[-1] = (name, merged[-1][1] + chunk)
            else:
                merged.append((name, chunk))
        spare = width - used
        if spare < 0:  # shrink the spaces: 3 per gap, and the 2 after the line's last option
            spaces = 3 * (count - 1) + (0 if runs is lines[-1] else 2)
            out.append((0.0, tuple(merged), spare / spaces if spaces else 0.0))
        else:
            out.append((_line_x(alignment, spare), tuple(merged), 0.0))
    return tuple(out)


def _cut_runs(runs, width: float, size: float) -> list[tuple[list, float]]:
    """``(font, text)`` runs cut between characters into pieces no wider than ``width``
    (a piece holds one character at least); each piece with its width."""
    pieces: list[tuple[list, float]] = []
    current: list[tuple[str, str]] = []
    used = 0.0
    for name, chunk in runs:
        for char in chunk:
            w = stringWidth(char, name, size)
            if current and used + w > width:
                pieces.append((current, used))
                current, used = [], 0.0
            if current and current[-1][0] == name:
                current[-1] = (name, current[-1][1] + char)
            else:
                current.append((name, char))
            used += w
    pieces.append((current, used))
    return pieces


# -- tables ----------------------------------------------------------------------------------


CELL_PADDING = 3  # points left and right inside a table cell


class RuledTable(Table):
    """A reportlab Table that skips empty text cells when drawing.

    A form is a third blank cells (rows left for handwriting, 户主签名 columns); reportlab
    writes an empty text object for each, which draws nothing."""

    def _drawCell(self, cellval, cellstyle, pos, size):
        if cellval == "" and not cellstyle.href and not cellstyle.destination:
            return
        super()._drawCell(cellval, cellstyle, pos, size)


def _cell(value: Any, style: ParagraphStyle, width: float | None = None) -> Any:
    """A table cell: plain text when it fits on one line in the primary font (reportlab
    draws those directly, several times faster than a Paragraph), else a wrapping
    Paragraph with per-character fallback fonts."""
    if isinstance(value, Flowable | list):
        return value
    text = str(value)
    if width is not None and _fits(text, style, width - 2 * CELL_PADDING):
        return text
    if width is not None and _NUMBER.fullmatch(text):  # numbers never wrap: set them smaller
        room = width - 2 * CELL_PADDING
        size = max(5.5, style.fontSize * room / max(1.0, stringWidth(text, style.fontName,
                                                                       style.fontSize)) - 0.05)
        return para(text, _smaller(style, round(size, 2)))
    return para(text, style)


_NUMBER = re.compile(r"[0-9A-Za-z.,:%+\-/]{1,40}")


@functools.lru_cache(maxsize=64)
def _smaller(style: ParagraphStyle, size: float) -> ParagraphStyle:
    return style.clone(f"{style.name}_{size}", fontSize=size, leading=max(size * 1.25, 7))


def _fits(text: str, style: ParagraphStyle, width: float) -> bool:
    if len(text) > 60:
        return False
    runs = font_chain().runs(text)
    if len(runs) > 1 or (runs and runs[0][0] != style.fontName):
        return False
    return all(stringWidth(line, style.fontName, style.fontSize) <= width
               for line in text.split("\n"))


def _text_style(header_rows: int, aligns: Sequence[str], st: "Styles") -> list[tuple]:
    """Font, size and alignment for the plain-text cells of a table."""
    names = {"l": "LEFT", "c": "CENTER", "r": "RIGHT"}
    cmds: list[tuple] = [
        ("FONT", (0, 0), (-1, -1), st.cell.fontName, st.cell.fontSize, st.cell.leading),
    ]
    for i, a in enumerate(aligns):
        cmds.append(("ALIGN", (i, header_rows), (i, -1), names[a]))
    if header_rows:
        cmds.append(("ALIGN", (0, 0), (-1, header_rows - 1), "CENTER"))
    return cmds


def text_width(text: str, style: ParagraphStyle | None = None) -> float:
    """Width of ``text`` in points as printed (per-character fallback fonts included)."""
    style = style or styles().cell
    return sum(stringWidth(chunk, name, style.fontSize) for name, chunk in font_chain().runs(text))


@functools.lru_cache(maxsize=256)
def code_width(list_name: str, header: str = "") -> float:
    """The width (points) of a table column holding labels of the code list ``list_name``:
    its longest label (or the header's longest line) on one line, plus the cell padding,
    so no label breaks inside a word (「普通劳动/力」)."""
    labels = [label for _, label in code_list(list_name).entries()]
    longest = max([text_width(x) for x in labels] + [text_width(line, styles().head)
                                                       for line in header.split("\n") if line])
    return longest + 2 * CELL_PADDING + 0.5


def column_widths(total: float, specs: Sequence[float | str | None],
                  headers: Sequence[str] = ()) -> list[float]:
    """Column widths (points) filling ``total``: a number is a fixed width, a string the
    name of the code list the column holds (:func:`code_width`), None a share of what is
    left (at least the header's width). Raises ValueError when the fixed and code-list
    columns alone are wider than ``total`` (a layout error to fix, not a runtime case)."""
    widths: list[float | None] = []
    for i, spec in enumerate(specs):
        head = headers[i] if i < len(headers) else ""
        if isinstance(spec, str):
            widths.append(code_width(spec, head))
        else:
            widths.append(None if spec is None else float(spec))
    fixed = sum(w for w in widths if w is not None)
    flex = [i for i, w in enumerate(widths) if w is None]
    if fixed > total + 0.01 or (flex and fixed >= total):
        raise ValueError(f"columns {fixed:.0f}pt wider than {total:.0f}pt")
    share = (total - fixed) / len(flex) if flex else 0.0
    out = [share if w is None else w for w in widths]
    if not flex and fixed < total:  # spread the spare width over the code-list columns
        grow = [i for i, spec in enumerate(specs) if isinstance(spec, str)] or list(range(len(out)))
        extra = (total - fixed) / len(grow)
        for i in grow:
            out[i] += extra
    return out


def grid_table(
    header: Sequence[Any] | Sequence[Sequence[Any]],
    rows: Iterable[Sequence[Any]],
    col_widths: Sequence[float],
    *,
    align: Sequence[str] | None = None,
    min_rows: int = 0,
    row_height: float | None = None,
    extra_style: Sequence[tuple] = (),
    font_size: float | None = None,
) -> Table:
    """A ruled table whose header row(s) repeat on every page it flows onto.

    ``header`` is one row or a list of rows (strings or flowables); cells of ``rows`` may be
    strings (wrapped paragraphs), flowables or None. ``align`` per column: "l", "c" or "r".
    ``min_rows`` pads with empty ruled rows (blank lines for handwriting); ``font_size``
    sets the text size (notices: :data:`NOTICE_SIZE`).
    """
    st = styles() if font_size is None else sized_styles(font_size)
    header_rows: list[Sequence[Any]]
    if header and isinstance(header[0], list | tuple):
        header_rows = [list(r) for r in header]  # type: ignore[arg-type]
    else:
        header_rows = [list(header)]
    cell_style = {"l": st.cell, "c": st.cell_center, "r": st.cell_right}
    aligns = list(align or ["l"] * len(col_widths))
    widths = list(col_widths)
    data: list[list[Any]] = [
        [_cell(v, st.head, widths[i] if len(r) == len(widths) else None) if v is not None else ""
         for i, v in enumerate(r)] for r in header_rows
    ]
    count = 0
    for row in rows:
        data.append([
            _cell(v, cell_style[aligns[i]], widths[i]) if v is not None else ""
            for i, v in enumerate(row)
        ])
        count += 1
    blank = max(0, min_rows - count)
    for _ in range(blank):
        data.append([""] * len(col_widths))
    # Blank ruled rows are tall enough to write in by hand.
    heights: list[float | None] | None = [None] * (len(data) - blank) + [BLANK_ROW] * blank
    if row_height is not None:
        heights = [None] * len(header_rows) + [row_height] * (len(data) - len(header_rows))
    table = RuledTable(data, colWidths=list(col_widths), rowHeights=heights,
                  repeatRows=len(header_rows), hAlign="CENTER")
    table.setStyle(TableStyle([
        *_text_style(len(header_rows), aligns, st),
        ("GRID", (0, 0), (-1, -1), 0.5, GRID_COLOR),
        ("BACKGROUND", (0, 0), (-1, len(header_rows) - 1), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        *extra_style,
    ]))
    return table


def kv_table(
    rows: Sequence[Sequence[Any]],
    col_widths: Sequence[float],
    *,
    label_columns: Sequence[int] = (0, 2, 4),
    spans: Sequence[tuple[tuple[int, int], tuple[int, int]]] = (),
) -> Table:
    """A ruled block of 「label | value」 cells (the 家庭情况 box of a form).

    Cells in ``label_columns`` are shaded labels; ``spans`` are ``((col, row), (col, row))``
    pairs merged into one cell (value strings may hold option markup: pass a Paragraph).
    """
    st = styles()
    widths = list(col_widths)
    data = [[_cell(v, st.cell, widths[i]) if v is not None else "" for i, v in enumerate(r)]
            for r in rows]
    table = RuledTable(data, colWidths=widths, hAlign="CENTER")
    cmds: list[tuple] = [
        *_text_style(0, ["l"] * len(widths), st),
        ("GRID", (0, 0), (-1, -1), 0.5, GRID_COLOR),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    for c in label_columns:
        if c < len(col_widths):
            cmds.append(("BACKGROUND", (c, 0), (c, -1), HEADER_FILL))
    for start, end in spans:
        cmds.append(("SPAN", start, end))
        cmds.append(("BACKGROUND", start, end, colors.white))
    table.setStyle(TableStyle(cmds))
    return table


def signature_row(labels: Sequence[str], width: float) -> Table:
    """「户主签字：________  填表人：________  日期：  年  月  日」, boxes left empty."""
    st = styles()
    cells = []
    for label in labels:
        if "日期" in label or "时间" in label:
            gap = font_chain().em_gap(1.0)
            cells.append(para(f"{font_chain().markup(label)}：{gap}{gap}年{gap}月{gap}日", st.body,
                              markup=True))
        else:
            cells.append(para(f"{label}：", st.body))
    weights = [1.8 if ("日期" in x or "时间" in x) else 1.0 for x in labels]
    unit = width / sum(weights)
    table = Table([cells], colWidths=[unit * w for w in weights], rowHeights=[12 * mm])
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.grey),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
    ]))
    return table


# -- no orphan pages ---------------------------------------------------------------------------


class KeepTail(Flowable):
    """``body`` (a heading, then a table) followed by ``tail`` (the 承诺 sentence, the
    signature block, a 合计 line …) such that no page starts with the tail alone or with a
    table's last row (its 合计) alone: when the tail does not fit under the table, the
    table's last ``carry_rows`` rows go over with it (under the repeated header); when the
    table is that short, the heading and table go over too. A table split across pages
    always leaves at least ``carry_rows`` rows for its last page.

    Like reportlab's KeepTogether it never draws itself: its height is "too tall" so the
    frame always asks it to split, and it answers with the flowables to lay out instead.
    """

    def __init__(self, body: Sequence[Flowable], tail: Sequence[Flowable] = (), *,
                 carry_rows: int = 2):
        super().__init__()
        self.body = list(body)
        self.tail = list(tail)
        self.carry_rows = carry_rows

    def wrap(self, availWidth, availHeight):
        self.width = availWidth
        return availWidth, 0xFFFFFF  # force split()

    def getSpaceBefore(self):
        return self.body[0].getSpaceBefore() if self.body else 0

    def split(self, availWidth, availHeight):
        content = [*self.body, *self.tail]
        canv = self.canv
        frame = getattr(self, "_frame", None)
        at_top = bool(getattr(frame, "_atTop", False))
        _, total = _listWrapOn(content, availWidth, canv)
        if total <= availHeight:
            return content
        table = self.body[-1] if self.body and isinstance(self.body[-1], Table) else None
        lead = self.body[:-1] if table is not None else self.body
        if table is None:
            return content if at_top else [PageBreak(), *content]
        lead_h = _listWrapOn(lead, availWidth, canv)[1] if lead else 0.0
        room = availHeight - lead_h - (table.getSpaceBefore() if lead else 0) - 0.01
        table.wrapOn(canv, availWidth, availHeight)
        heights = list(table._rowHeights)
        head = table.repeatRows if isinstance(table.repeatRows, int) else len(table.repeatRows)
        used, fit = 0.0, 0
        for h in heights:
            if used + h > room:
                break
            used += h
            fit += 1
        if fit == len(heights):  # the table fits; the tail does not: carry rows with it
            fit = len(heights) - self.carry_rows
        elif len(heights) - fit < self.carry_rows:
            fit = len(heights) - self.carry_rows
        if fit <= head:  # not one body row (or too few rows) to leave here: all goes over
            if at_top:
                return content
            return [PageBreak(), KeepTail(self.body, self.tail, carry_rows=self.carry_rows)]
        parts = table.split(availWidth, sum(heights[:fit]) + 0.01)
        if len(parts) != 2:
            return content if at_top else [PageBreak(), *content]
        return [*lead, parts[0], PageBreak(),
                KeepTail([parts[1]], self.tail, carry_rows=self.carry_rows)]


# -- records and the page frame -------------------------------------------------------------


@dataclass
class _PageState:
    header_left: str = ""
    header_right: str = ""
    footer: str = ""
    page: int = 1
    record: int = 0
    numbered: bool = True
    totals: set[str] = field(default_factory=set)


class RecordStart(Flowable):
    """Zero-size marker: the record drawn from here on has this header and its own page count.

    Put it first on a new page (``FormDocument.records`` does)."""

    def __init__(self, header_left: str, header_right: str = "", footer: str = "",
                 numbered: bool = True):
        super().__init__()
        self.header_left = header_left
        self.header_right = header_right
        self.footer = footer
        self.numbered = numbered
        self.width = self.height = 0
        self.state: _PageState | None = None  # set by FormDocument

    def wrap(self, availWidth, availHeight):
        return 0, 0

    def draw(self):
        s = self.state
        assert s is not None
        s.record += 1
        s.page = 1
        s.header_left, s.header_right, s.footer = self.header_left, self.header_right, self.footer
        s.numbered = self.numbered


class RecordEnd(Flowable):
    """Zero-size marker on a record's last page: fills in the record's 「共 m 页」."""

    def __init__(self):
        super().__init__()
        self.width = self.height = 0
        self.state: _PageState | None = None

    def wrap(self, availWidth, availHeight):
        return 0, 0

    def draw(self):
        s = self.state
        assert s is not None
        name = f"fupin_total_{s.record}"
        if name in s.totals:
            return
        s.totals.add(name)
        canv = self.canv
        canv.saveState()
        canv.beginForm(name, lowerx=-100, lowery=-10, upperx=10, uppery=20)
        size = 8
        font_chain().draw_string(canv, 0, 0, str(s.page), size, align="right")
        canv.endForm()
        canv.restoreState()


class FormDocument(BaseDocTemplate):
    """An A4 document of records, each page with the record's header and numbered footer.

    ``build_records(records, story_for)`` lays out ``story_for(record)`` per record, each
    starting on a new page; ``progress(done, total)`` is called per record and ``cancel()``
    (returning True) stops between records with :class:`Cancelled`.
    """

    def __init__(self, target: Any, *, pagesize=A4_PORTRAIT, title: str = "",
                 margins: tuple[float, float, float, float] = (16 * mm, 14 * mm, 18 * mm, 16 * mm),
                 header: bool = True, seed: SubsetSeed | None = None):
        """``seed``: shared by the documents of a one-file-per-record batch (see
        :class:`~fupin_desktop.printing.fonts.SubsetSeed`)."""
        left, right, top, bottom = margins
        super().__init__(
            target, pagesize=pagesize, leftMargin=left, rightMargin=right, topMargin=top,
            bottomMargin=bottom, title=title, author="fupin_desktop", creator="fupin_desktop",
            invariant=True,
            # A TrueType initial font: reportlab otherwise starts every page with a Helvetica
            # (never embedded) selected, which PDF/A preflights flag although nothing uses it.
            initialFontName=font_chain().primary,
        )
        # Table cells without a FONT command (a plain Table's empty cell) select reportlab's
        # default Helvetica: make the default the print font too.
        CellStyle.fontname = font_chain().primary
        self.state = _PageState()
        self.show_header = header
        self.seed = seed
        frame = Frame(left, bottom, self.width, self.height, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate("page", [frame], onPageEnd=self._decorate,
                                            pagesize=pagesize)])

    @property
    def content_width(self) -> float:
        return self.width

    def handle_documentBegin(self):
        super().handle_documentBegin()
        if self.seed is not None:
            self.seed.begin(self.canv._doc)

    def _decorate(self, canv, doc) -> None:
        s = self.state
        chain = font_chain()
        w, h = self.pagesize
        canv.saveState()
        canv.setLineWidth(0.4)
        canv.setStrokeColor(colors.grey)
        if self.show_header and (s.header_left or s.header_right):
            y = h - self.topMargin + 5 * mm
            chain.draw_string(canv, self.leftMargin, y, s.header_left, 8)
            if s.header_right:
                chain.draw_string(canv, w - self.rightMargin, y, s.header_right, 8, align="right")
            canv.line(self.leftMargin, y - 1.6 * mm, w - self.rightMargin, y - 1.6 * mm)
        if s.numbered:
            y = self.bottomMargin - 9 * mm
            left = f"{s.footer}    " if s.footer else ""
            text_a = f"{left}第 {s.page} 页  共 "
            text_b = " 页"
            # "共 m 页": m is a form drawn right-aligned into a slot three digits wide.
            slot = stringWidth("000", chain.primary, 8)
            width_a = sum(stringWidth(c, n, 8) for n, c in chain.runs(text_a))
            width_b = stringWidth(text_b, chain.primary, 8)
            x = w / 2 - (width_a + slot + width_b) / 2
            chain.draw_string(canv, x, y, text_a, 8)
            canv.saveState()
            canv.translate(x + width_a + slot, y)
            canv.doForm(f"fupin_total_{s.record}")
            canv.restoreState()
            chain.draw_string(canv, x + width_a + slot, y, text_b, 8)
        canv.restoreState()
        s.page += 1

    def _attach(self, story: list[Flowable]) -> None:
        for f in story:
            if isinstance(f, RecordStart | RecordEnd):
                f.state = self.state

    def build_records(
        self,
        records: Iterable[Any],
        story_for: Callable[[Any], list[Flowable]],
        *,
        total: int = 0,
        progress: Callable[[int, int, str], None] | None = None,
        cancel: Callable[[], bool] | None = None,
        label: Callable[[Any], str] = lambda r: "",
    ) -> int:
        """Lay out every record, each from a new page; returns the number of pages.

        Records are pulled one at a time while the previous ones are laid out, so memory
        stays flat for a whole township and progress follows the real work.
        """
        counter = {"done": 0}

        def parts():
            for record in records:
                if cancel is not None and cancel():
                    raise Cancelled()
                part = story_for(record)
                self._attach(part)
                if counter["done"]:
                    part.insert(0, PageBreak())
                counter["done"] += 1
                if progress is not None:
                    progress(counter["done"] - 1, total, f"正在排版：{label(record)}")
                yield part

        story = _LazyStory(parts())
        if not story:
            story.append(Spacer(1, 1))
        self.build(story)
        if self.seed is not None:
            self.seed.end()
        if progress is not None:
            progress(counter["done"], total, "已完成")
        return self.page


class _LazyStory(list):
    """A story list that refills itself from a generator of record stories as reportlab
    consumes it (reportlab takes flowables with ``del flowables[0]``)."""

    LOW_WATER = 40

    def __init__(self, parts):
        super().__init__()
        self._parts = parts
        self._top_up()

    def _top_up(self) -> None:
        while self._parts is not None and len(self) < self.LOW_WATER:
            try:
                self.extend(next(self._parts))
            except StopIteration:
                self._parts = None

    def __delitem__(self, index) -> None:
        super().__delitem__(index)
        self._top_up()


class Cancelled(Exception):
    """The clerk cancelled a print job; nothing was written."""


def record(header_left: str, header_right: str, body: list[Flowable], *, footer: str = "",
           numbered: bool = True) -> list[Flowable]:
    """``body`` wrapped in the record markers."""
    return [RecordStart(header_left, header_right, footer, numbered), *body, RecordEnd()]
