"""The print font chain: rare name characters get a font that has them, the PDF embeds it as a
subset, and text (𠮷 beyond the BMP too) comes back out of the PDF."""

from __future__ import annotations

import pytest
from pypdf import PdfReader
from reportlab.pdfgen import canvas

from fupin_desktop.printing.fonts import CHECKED, UNCHECKED, candidate_files, font_chain, missing_characters

RARE = "堃喆犇淼昇珺玥祎赟翀燊龑䶮镕𠮷"


def test_bundled_fonts_are_truetype_with_licences():
    files = candidate_files()
    names = [f.name for f in files]
    assert "FupinPrint-MicroHei" in names and "FupinPrint-WenKai" in names
    for f in files:
        head = f.path.read_bytes()[:4]
        # glyf TrueType ("\0\1\0\0") or a collection of them; never CFF ("OTTO").
        assert head in (b"\x00\x01\x00\x00", b"ttcf"), f.path
    folder = files[-1].path.parent
    assert (folder / "LICENSE-LXGWWenKai-OFL-1.1.txt").is_file()
    assert (folder / "LICENSE-DejaVu.txt").is_file()


def test_every_rare_character_and_box_has_a_font():
    assert missing_characters(RARE + CHECKED + UNCHECKED + "张三ABC123（）㎡") == ""
    chain = font_chain()
    assert chain.font_for("䶮") == "FupinPrint-WenKai"
    assert chain.font_for("𠮷") == "FupinPrint-WenKai"
    assert chain.font_for(CHECKED) is not None


def test_runs_split_only_where_the_primary_lacks_a_glyph():
    chain = font_chain()
    runs = chain.runs("冯䶮和𠮷田")
    assert "".join(c for _, c in runs) == "冯䶮和𠮷田"
    fonts = [n for n, _ in runs]
    assert fonts[0] == chain.primary
    assert "FupinPrint-WenKai" in fonts
    assert chain.runs("张三") == ((chain.primary, "张三"),)


def test_boxes_in_running_text_come_from_the_symbol_font():
    chain = font_chain()
    runs = chain.runs("“☑”表示选中，“□”表示未选中")
    boxes = {chunk: name for name, chunk in runs if chunk in (CHECKED, UNCHECKED)}
    assert boxes == {CHECKED: chain._symbol_font(CHECKED), UNCHECKED: chain._symbol_font(CHECKED)}
    assert boxes[UNCHECKED] != chain.primary  # the primary font has a □ of another size


def test_markup_escapes_text():
    assert "&lt;b&gt;" in font_chain().markup("<b>")


def test_rare_names_extract_from_pdf_and_fonts_are_embedded_subsets(tmp_path, pdftotext):
    path = tmp_path / "rare.pdf"
    c = canvas.Canvas(str(path))
    font_chain().draw_string(c, 50, 700, "姓名：" + RARE, 12)
    c.save()
    text = pdftotext(path)
    for char in RARE:
        assert char in text, char
    reader = PdfReader(path)
    fonts = reader.pages[0]["/Resources"]["/Font"]
    base = {str(f.get_object()["/BaseFont"]) for f in fonts.values()}
    wenkai = [b for b in base if "LXGWWenKai" in b]
    assert wenkai, base
    # Subset fonts are named "ABCDEF+Name" and carry the font program.
    for f in fonts.values():
        obj = f.get_object()
        if "LXGWWenKai" in str(obj["/BaseFont"]):
            assert "+" in str(obj["/BaseFont"])
            assert "/FontFile2" in obj["/FontDescriptor"]


@pytest.mark.parametrize("char", ["𠮷"])
def test_non_bmp_to_unicode_uses_surrogate_pairs(tmp_path, char, pdftotext):
    path = tmp_path / "x.pdf"
    c = canvas.Canvas(str(path))
    font_chain().draw_string(c, 50, 700, char, 12)
    c.save()
    assert pdftotext(path).strip() == char


def test_font_subsets_are_written_as_reportlab_writes_them_and_built_once(tmp_path):
    """The print fonts keep each subset's PDF objects for the next file: the file is the
    same, byte for byte, as with reportlab's own TTFont, however often it is written."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    chain = font_chain()
    primary = next(f for f in candidate_files() if f.name == chain.primary)
    plain = "Test-PlainTTFont"
    if plain not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(plain, str(primary.path), subfontIndex=primary.subfont))
    text = "".join(chr(c) for c in range(0x4E00, 0x4E00 + 700, 2))  # 350 characters: 3 subsets

    def render(font: str, name: str) -> bytes:
        path = tmp_path / name
        c = canvas.Canvas(str(path), invariant=1)
        for i in range(0, len(text), 25):
            c.setFont(font, 10)
            c.drawString(30, 800 - i * 2, f"No.{i} {text[i:i + 25]}")
        c.save()
        return path.read_bytes()

    first, again, reference = render(chain.primary, "a.pdf"), render(chain.primary, "b.pdf"), render(plain, "c.pdf")
    assert first == again == reference

