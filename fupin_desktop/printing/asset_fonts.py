"""A small font helper for the asset forms, to be replaced by ``printing/fonts.py`` when the
printing area lands it (same idea: one embeddable CJK font plus a fallback for characters it
lacks; reportlab silently draws nothing for a missing glyph — TECH-NOTES).

``fonts()`` registers the fonts once and returns their names; ``markup(text)`` escapes text
for a reportlab Paragraph and switches to the fallback font for characters the main font
lacks.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from fupin_desktop.paths import resource_path

MAIN = "FupinSans"
FALLBACK = "FupinSansFallback"

# Fallback candidates with TrueType outlines (CFF fonts such as Noto CJK cannot be embedded).
_FALLBACK_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    os.path.join(os.environ.get("WINDIR", r"C:\Windows"), "Fonts", "simsun.ttc"),
    os.path.join(os.environ.get("WINDIR", r"C:\Windows"), "Fonts", "simhei.ttf"),
)


@dataclass(frozen=True)
class FontSet:
    main: str
    fallback: str | None
    main_chars: frozenset[int]
    fallback_chars: frozenset[int]


def _load(name: str, path: Path) -> TTFont:
    if path.suffix.lower() == ".ttc":
        return TTFont(name, str(path), subfontIndex=0)
    return TTFont(name, str(path))


@lru_cache(maxsize=1)
def fonts() -> FontSet:
    """Register the bundled font and the first fallback found; idempotent."""
    main = _load(MAIN, resource_path("fonts", "wqy-microhei.ttc"))
    pdfmetrics.registerFont(main)
    fallback = None
    fallback_chars: frozenset[int] = frozenset()
    for candidate in _FALLBACK_CANDIDATES:
        if Path(candidate).is_file():
            try:
                font = _load(FALLBACK, Path(candidate))
            except Exception:  # noqa: BLE001 - an unreadable system font: try the next
                continue
            pdfmetrics.registerFont(font)
            fallback = FALLBACK
            fallback_chars = frozenset(font.face.charToGlyph)
            break
    return FontSet(MAIN, fallback, frozenset(main.face.charToGlyph), fallback_chars)


def markup(text: object) -> str:
    """Paragraph markup for ``text``: XML-escaped, fallback font where the main one lacks a glyph."""
    s = "" if text is None else str(text)
    fs = fonts()
    out: list[str] = []
    run: list[str] = []
    in_fallback = False

    def flush() -> None:
        if not run:
            return
        chunk = html.escape("".join(run), quote=False)
        out.append(f'<font name="{fs.fallback}">{chunk}</font>' if in_fallback else chunk)
        run.clear()

    for ch in s:
        if ch == "\n":
            flush()
            out.append("<br/>")
            continue
        wants_fallback = (
            fs.fallback is not None and ord(ch) not in fs.main_chars and ord(ch) in fs.fallback_chars
        )
        if wants_fallback != in_fallback:
            flush()
            in_fallback = wants_fallback
        run.append(ch)
    flush()
    return "".join(out)
