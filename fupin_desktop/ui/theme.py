"""Fonts, icons and the small style sheet every window shares."""

from __future__ import annotations

import logging
import sys
from functools import cache

from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication

from fupin_desktop.paths import resource_path

log = logging.getLogger(__name__)

# Old eyes on 96-dpi office monitors: 10 pt is 13 px there, one step above Qt's default 9 pt.
DEFAULT_POINT_SIZE = 10

# First family found wins. YaHei is what clerks see in every other Windows program; the
# bundled WenQuanYi Micro Hei makes every other machine (and screenshots) look the same.
FAMILY_PREFERENCE = (
    "Microsoft YaHei UI",
    "Microsoft YaHei",
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "PingFang SC",
    "SimHei",
    "SimSun",
)

ACCENT = "#1f5fa8"
# Text that needs attention (overdue, errors).
DANGER = "#b3261e"

STYLE_SHEET = f"""
QListWidget#navigation {{
    background: #f3f6fa;
    border: none;
    border-right: 1px solid #d5dde8;
    outline: 0;
    padding-top: 8px;
}}
QListWidget#navigation::item {{
    padding: 9px 10px;
    margin: 1px 6px;
    border-radius: 4px;
    color: #1d2633;
}}
QListWidget#navigation::item:hover {{
    background: #e2eaf5;
}}
QListWidget#navigation::item:selected {{
    background: #d3e2f5;
    border-left: 3px solid {ACCENT};
    color: #123f73;
}}
QLabel#pageTitle {{
    color: #1d2633;
}}
QLabel#pageSubtitle {{
    color: #5a6678;
}}
QFrame#statCard {{
    background: white;
    border: 1px solid #d5dde8;
    border-radius: 6px;
}}
QLabel#statValue {{
    color: {ACCENT};
}}
QLabel#statLabel {{
    color: #5a6678;
}}
QLabel#pageNote {{
    color: #5a6678;
    background: #fbf6e6;
    border: 1px solid #eadcae;
    border-radius: 4px;
    padding: 8px 10px;
}}
"""


def load_bundled_fonts() -> list[str]:
    """Register every font in resources/fonts with Qt; returns the families they add."""
    families: list[str] = []
    folder = resource_path("fonts")
    if not folder.is_dir():
        return families
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in {".ttf", ".ttc", ".otf"}:
            continue
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            log.warning("could not load bundled font %s", path)
            continue
        families.extend(QFontDatabase.applicationFontFamilies(font_id))
    return families


def choose_family(available: list[str] | None = None) -> str | None:
    """The first preferred CJK family installed (or bundled), else None (keep Qt's)."""
    installed = set(QFontDatabase.families() if available is None else available)
    for family in FAMILY_PREFERENCE:
        if family in installed:
            return family
    return None


def apply_theme(app: QApplication) -> None:
    """Fonts (bundled first), default size, window icon and the shared style sheet."""
    bundled = load_bundled_fonts()
    family = choose_family()
    if family is None and bundled:
        family = bundled[0]
    font = QFont(app.font())
    if family:
        font.setFamilies([family, *(f for f in FAMILY_PREFERENCE if f != family)])
    font.setPointSize(DEFAULT_POINT_SIZE)
    app.setFont(font)
    app.setWindowIcon(icon("app"))
    app.setStyleSheet(STYLE_SHEET)
    log.debug("UI font %s %spt on %s", family, DEFAULT_POINT_SIZE, sys.platform)


@cache
def icon(name: str) -> QIcon:
    """An icon from resources/icons/<name>.svg (or .png); an empty icon if missing."""
    for suffix in (".svg", ".png"):
        path = resource_path("icons", name + suffix)
        if path.is_file():
            return QIcon(str(path))
    log.warning("icon %s not found", name)
    return QIcon()
