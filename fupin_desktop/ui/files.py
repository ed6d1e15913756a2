"""Files the app writes for the clerk to open: error reports of imports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from fupin_desktop import paths


def reports_dir() -> Path:
    """Where error reports are written (the user data folder; the clerk opens them)."""
    folder = paths.data_dir() / "导入错误报告"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def new_report_path(source: Path | str) -> Path:
    """A fresh report file named after the imported sheet, e.g. ``台账-错误报告-20261123-101500.xlsx``."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return reports_dir() / f"{Path(source).stem}-错误报告-{stamp}.xlsx"


def open_file(path: Path) -> None:
    """Open ``path`` in the program Windows associates with it (Excel/WPS for .xlsx)."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
