"""Fonts for printed forms: which TrueType files, registered once, and per-character fallback.

reportlab embeds only TrueType-outline (glyf) fonts and silently draws nothing for a character
the font lacks (TECH-NOTES), so every piece of text is split into runs, each in the first font
of the chain that has the character:

1. on Windows, 宋体 (``simsun.ttc``) when the machine has it — what county forms look like;
2. AR PL UMing CN 文鼎明体 (``resources/fonts/print/ARPLUMingCN-GB2312.ttf``, Arphic Public
   License), a 宋/明 face on every platform, cut to the GB 2312 characters (6 763 hanzi);
3. 文泉驿微米黑 (``resources/fonts/wqy-microhei.ttc``, Apache-2.0, the file the UI also bundles)
   for the GBK/Unicode characters outside GB 2312 (珺, 堃 …);
4. 霞鹜文楷 (``resources/fonts/print/LXGWWenKai-Regular.ttf``, OFL-1.1) for the CJK Extension A
   and B name characters 微米黑 lacks (䶮, 𠮷 …);
5. DejaVu Sans (``resources/fonts/print/DejaVuSans.ttf``) for symbols such as ☑.

Fonts are embedded as subsets, so a PDF carries only the glyphs it uses. Only the first one
is parsed at start; the large fallback is parsed the first time a character needs it.

reportlab writes the ToUnicode map of a subset with four hex digits per character, which
truncates characters outside the BMP (𠮷 U+20BB7 comes out of ``pdftotext`` as U+20BB): this
module replaces that one function with one that writes UTF-16 surrogate pairs.

Embedding is a large part of the cost of a small PDF (a 4-page 扶贫手册 uses about 450
characters of 微米黑: two or three subsets to cut out of the font and compress). So the
registered fonts keep the compressed program of the subsets they built lately and reuse it
for an identical subset, and a batch of files can put the characters its documents share
first (:class:`SubsetSeed`), which makes the first subset of every file the same.
"""

from __future__ import annotations

import os
import sys
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfdoc, pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

from fupin_desktop.paths import resource_path

__all__ = [
    "CHECKED",
    "FontChain",
    "SubsetSeed",
    "UNCHECKED",
    "font_chain",
    "missing_characters",
]

CHECKED = "☑"
UNCHECKED = "□"
# Box symbols always come from the symbol font, in running text too ("选项前的“☑”…“□”…"),
# so a □ next to a ☑ has the same size and baseline.
CHECKBOXES = frozenset("☑□☐☒")


@dataclass(frozen=True)
class FontFile:
    name: str  # the name registered with reportlab
    path: Path
    subfont: int = 0


def _bundled(*parts: str) -> Path:
    return resource_path("fonts", *parts)


def candidate_files() -> list[FontFile]:
    """The font chain in order; files that do not exist are left out (Windows fonts)."""
    files: list[FontFile] = []
    override = os.environ.get("FUPIN_PRINT_FONT")
    if override:  # a county that wants its own 宋体/仿宋 file first
        files.append(FontFile("FupinPrint-Custom", Path(override)))
    if sys.platform == "win32":
        fonts_dir = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
        files.append(FontFile("FupinPrint-SimSun", fonts_dir / "simsun.ttc"))
    files.append(FontFile("FupinPrint-Song", _bundled("print", "ARPLUMingCN-GB2312.ttf")))
    files.append(FontFile("FupinPrint-MicroHei", _bundled("wqy-microhei.ttc")))
    files.append(FontFile("FupinPrint-WenKai", _bundled("print", "LXGWWenKai-Regular.ttf")))
    files.append(FontFile("FupinPrint-Symbols", _bundled("print", "DejaVuSans.ttf")))
    return [f for f in files if f.path.is_file()]


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode CMap, with UTF-16 surrogate pairs for characters beyond U+FFFF."""

    def utf16(code: int) -> str:
        if code <= 0xFFFF:
            return f"{code:04X}"
        code -= 0x10000
        return f"{0xD800 + (code >> 10):04X}{0xDC00 + (code & 0x3FF):04X}"

    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        f"<< /Registry ({fontname})",
        f"/Ordering ({fontname})",
        "/Supplement 0",
        ">> def",
        f"/CMapName /{fontname} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        f"<00> <{len(subset) - 1:02X}>",
        "endcodespacerange",
        f"{len(subset)} beginbfchar",
        *(f"<{i:02X}> <{utf16(v)}>" for i, v in enumerate(subset)),
        "endbfchar",
        "endcmap",
        "CMapName currentdict /CMap defineresource pop",
        "end",
        "end",
    ]
    return "\n".join(lines)


ttfonts.makeToUnicodeCMap = _to_unicode_cmap


class _Formatted(pdfdoc.PDFObject):
    """A PDF value already formatted (bytes written as they are)."""

    def __init__(self, data: bytes):
        self.data = data

    def format(self, document):
        return self.data


@dataclass(frozen=True)
class _SubsetObjects:
    """What a font subset adds to a PDF, formatted and compressed: font program, widths,
    ToUnicode map."""

    program_length: int
    program: bytes  # zlib-compressed
    widths: bytes
    to_unicode: bytes  # zlib-compressed


def _flate(content: pdfdoc.PDFStream, data: bytes) -> pdfdoc.PDFStream:
    content.content = data
    content.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
    return content


class _PrintFont(TTFont):
    """A TrueType font that builds the PDF objects of a subset once and reuses them in a
    later document that has the same subset, and tells a document's :class:`SubsetSeed`
    which characters the document used.

    ``addObjects`` writes what reportlab's (5.x) ``TTFont.addObjects`` writes, byte for byte;
    only cutting the subset out of the font, compressing it and formatting its 256 widths
    happen once instead of once per file."""

    CACHED = 24  # subsets kept per font

    def __init__(self, name: str, filename: str, subfontIndex: int = 0):
        super().__init__(name, filename, subfontIndex=subfontIndex)
        self._subsets: OrderedDict[tuple, _SubsetObjects] = OrderedDict()
        self._subsets_lock = threading.Lock()

    def _subset_objects(self, doc, base_name: str, subset: list[int]) -> _SubsetObjects:
        key = (base_name, tuple(subset))
        with self._subsets_lock:
            found = self._subsets.get(key)
            if found is not None:
                self._subsets.move_to_end(key)
                return found
        face = self.face
        program = face.makeSubset(subset)
        widths = pdfdoc.PDFArray([face.getCharWidth(c) for c in subset]).format(doc)
        cmap = ttfonts.makeToUnicodeCMap(base_name, subset).encode("utf8")
        found = _SubsetObjects(len(program), zlib.compress(program), widths, zlib.compress(cmap))
        with self._subsets_lock:
            self._subsets[key] = found
            while len(self._subsets) > self.CACHED:
                self._subsets.popitem(last=False)
        return found

    def addObjects(self, doc):
        if not doc.compression:  # never for our documents: reportlab's own way
            return super().addObjects(doc)
        try:
            state = self.state[doc]
        except KeyError:
            state = self.state[doc] = TTFont.State(self._asciiReadable)
        seed = getattr(doc, "_fupin_subset_seed", None)
        if seed is not None:
            seed.used(self.fontName, [c for sub in state.subsets for c in sub])
        state.frozen = 1
        face = self.face
        for n, subset in enumerate(state.subsets):
            internal_name = self.getSubsetInternalName(n, doc)[1:]
            base_name = b"".join((ttfonts.SUBSETN(n), b"+", face.name, face.subfontNameX)).decode("pdfdoc")
            parts = self._subset_objects(doc, base_name, subset)

            font = pdfdoc.PDFTrueTypeFont()
            font.__Comment__ = f"Font {self.fontName} subset {n}"
            font.Name = internal_name
            font.BaseFont = base_name
            font.FirstChar = 0
            font.LastChar = len(subset) - 1
            font.Widths = _Formatted(parts.widths)
            cmap = _flate(pdfdoc.PDFStream(), parts.to_unicode)
            font.ToUnicode = doc.Reference(cmap, "toUnicodeCMap:" + base_name)

            program = _flate(pdfdoc.PDFStream(), parts.program)
            program.dictionary["Length1"] = parts.program_length
            program_ref = doc.Reference(program, f"fontFile:{face.filename}({base_name})")
            descriptor = pdfdoc.PDFDictionary({
                "Type": "/FontDescriptor",
                "Ascent": face.ascent,
                "CapHeight": face.capHeight,
                "Descent": face.descent,
                "Flags": (face.flags & ~ttfonts.FF_NONSYMBOLIC) | ttfonts.FF_SYMBOLIC,
                "FontBBox": pdfdoc.PDFArray(face.bbox),
                "FontName": pdfdoc.PDFName(base_name),
                "ItalicAngle": face.italicAngle,
                "StemV": face.stemV,
                "FontFile2": program_ref,
                "MissingWidth": face.defaultWidth,
            })
            font.FontDescriptor = doc.Reference(descriptor, "fontDescriptor:" + base_name)

            doc.Reference(font, internal_name)
            doc.idToObject["BasicFonts"].dict[internal_name] = font
        del self.state[doc]


# A subset holds 256 codes. reportlab keeps 0 for the missing glyph and 32 for the space in
# every subset, and 33-127 for ASCII in the first one: 159 other characters fit in the first
# subset, 254 in each later one.
FIRST_SUBSET_FREE = 31 + 128
SUBSET_FREE = 254


class SubsetSeed:
    """The characters every document of a batch (one file per household) starts with.

    The first two documents are built as they come; the characters both used, in the
    order the first used them, become the seed, cut to fill whole subsets of the font:
    every later document then has the same first subsets (the form's own labels and the
    village's names), whose programs the font builds and compresses once, and only its
    own few characters in a last subset. A document may carry a few glyphs it does not
    use; nothing is drawn differently.
    """

    def __init__(self):
        self._seen: list[dict[str, list[int]]] = []
        self._current: dict[str, list[int]] = {}
        self.seed: dict[str, str] = {}

    def begin(self, doc) -> None:
        """Call when a document's canvas exists, before anything is drawn."""
        self._current = {}
        doc._fupin_subset_seed = self
        for name, text in self.seed.items():
            pdfmetrics.getFont(name).splitString(text, doc)

    def used(self, font_name: str, codes: list[int]) -> None:
        self._current[font_name] = [c for c in codes if c >= 128]

    def end(self) -> None:
        """Call after the document was saved."""
        if self.seed or len(self._seen) >= 2:
            return
        self._seen.append(self._current)
        if len(self._seen) < 2:
            return
        first, second = self._seen
        for name, codes in first.items():
            shared = set(second.get(name, ()))
            chars = [c for c in dict.fromkeys(codes) if c in shared]
            if len(chars) < FIRST_SUBSET_FREE:
                continue
            whole = FIRST_SUBSET_FREE + (len(chars) - FIRST_SUBSET_FREE) // SUBSET_FREE * SUBSET_FREE
            self.seed[name] = "".join(map(chr, chars[:whole]))


class FontChain:
    """The registered fonts in fallback order, and the text → font runs split."""

    def __init__(self, files: list[FontFile]):
        if not files:
            raise RuntimeError(
                "找不到打印用的字体文件（resources/fonts）。请重新安装本程序。"
            )
        self._files = files
        self._maps: list[frozenset[int] | None] = [None] * len(files)
        self._lock = threading.Lock()
        self._run_cache: dict[str, tuple[tuple[str, str], ...]] = {}
        self._gaps: dict[float, str] = {}
        self._load(0)

    @property
    def primary(self) -> str:
        return self._files[0].name

    @property
    def names(self) -> list[str]:
        return [f.name for f in self._files]

    def _load(self, index: int) -> frozenset[int]:
        cmap = self._maps[index]
        if cmap is not None:
            return cmap
        with self._lock:
            cmap = self._maps[index]
            if cmap is None:
                file = self._files[index]
                font = _PrintFont(file.name, str(file.path), subfontIndex=file.subfont)
                pdfmetrics.registerFont(font)
                cmap = frozenset(font.face.charToGlyph)
                self._maps[index] = cmap
        return cmap

    def font_for(self, char: str, prefer: str | None = None) -> str | None:
        """The first font in the chain that has ``char`` (None when none has it)."""
        code = ord(char)
        if prefer is not None:
            for i, f in enumerate(self._files):
                if f.name == prefer and code in self._load(i):
                    return f.name
        for i, f in enumerate(self._files):
            if code in self._load(i):
                return f.name
        return None

    def runs(self, text: str) -> tuple[tuple[str, str], ...]:
        """Split ``text`` into ``(font name, chunk)`` runs; characters no font has are
        drawn in the primary font (and show as a blank, the best anyone can do)."""
        cached = self._run_cache.get(text)
        if cached is not None:
            return cached
        primary_map = self._load(0)
        if all(ord(c) in primary_map and c not in CHECKBOXES for c in text):
            result: tuple[tuple[str, str], ...] = ((self.primary, text),) if text else ()
        else:
            out: list[tuple[str, str]] = []
            for char in text:
                if char in "\r\n\t":
                    name = self.primary
                elif char in CHECKBOXES:
                    name = self._symbol_font(char)
                else:
                    name = self.font_for(char) or self.primary
                if out and out[-1][0] == name:
                    out[-1] = (name, out[-1][1] + char)
                else:
                    out.append((name, char))
            result = tuple(out)
        if len(self._run_cache) < 50_000 and len(text) < 200:
            self._run_cache[text] = result
        return result

    def markup(self, text: str) -> str:
        """``text`` as Paragraph markup (escaped), with ``<font>`` tags on fallback runs.

        A Paragraph collapses whitespace, U+3000 too, so the blanks clerks fill in by hand
        (「　　年　　月　　日」) become no-break spaces about one character wide each."""
        parts = []
        for name, chunk in self.runs(text):
            chunk = escape(chunk).replace("\n", "<br/>").replace("\u3000", self.em_gap())
            parts.append(chunk if name == self.primary else f'<font name="{name}">{chunk}</font>')
        return "".join(parts)

    def em_gap(self, ems: float = 1.0) -> str:
        """No-break spaces about ``ems`` characters wide in the primary font (a space is a
        quarter em in 微米黑, half an em in the Song face)."""
        cached = self._gaps.get(ems)
        if cached is None:
            space = pdfmetrics.stringWidth(" ", self.primary, 1) or 0.25
            cached = self._gaps[ems] = "&nbsp;" * max(1, round(ems / space))
        return cached

    def _symbol_font(self, char: str) -> str:
        """The font a box (☑, □) is drawn in: always the same one, so checked and unchecked
        boxes have the same size and baseline."""
        return self.font_for(char, prefer="FupinPrint-Symbols") or self.primary

    def draw_string(self, canvas, x: float, y: float, text: str, size: float, *,
                    align: str = "left") -> float:
        """Draw ``text`` on a reportlab canvas with per-character fallback; returns its width."""
        runs = self.runs(text)
        width = sum(pdfmetrics.stringWidth(chunk, name, size) for name, chunk in runs)
        if align == "center":
            x -= width / 2
        elif align == "right":
            x -= width
        for name, chunk in runs:
            canvas.setFont(name, size)
            canvas.drawString(x, y, chunk)
            x += pdfmetrics.stringWidth(chunk, name, size)
        return width

    def missing(self, text: str) -> str:
        """Characters of ``text`` that no font in the chain can draw."""
        return "".join(c for c in dict.fromkeys(text) if not c.isspace() and self.font_for(c) is None)


_chain: FontChain | None = None
_chain_lock = threading.Lock()


def font_chain() -> FontChain:
    """The process-wide font chain (registered with reportlab on first use)."""
    global _chain
    if _chain is None:
        with _chain_lock:
            if _chain is None:
                _chain = FontChain(candidate_files())
    return _chain


def missing_characters(text: str) -> str:
    """Characters no bundled or system print font has (empty when everything prints)."""
    return font_chain().missing(text)
