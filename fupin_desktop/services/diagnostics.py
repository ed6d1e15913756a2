"""What goes to the maintainer when something went wrong: the log, versions, an error report.

- ``setup_file_log()`` — the rotating log file ``<data folder>/logs/fupin.log`` (1 MB a file,
  three old files kept), attached to the ``fupin_desktop`` logger;
- ``scrub(text)`` — ID numbers, phone numbers and bank accounts masked with the program's
  own masking rules (``rules.idnumber``), for anything that leaves the PC;
- ``versions_text()`` — program, Python, Qt/PySide6 when loaded, libraries, OS;
- ``write_error_report(path, error_text)`` — a .zip with ``错误信息.txt``, ``版本.txt``, the
  current log file and ``日志最后200行.txt`` (all scrubbed); the database is never included.
"""

from __future__ import annotations

import datetime as dt
import logging
import logging.handlers
import platform
import re
import sys
import zipfile
from collections import deque
from importlib import metadata
from pathlib import Path

from fupin_desktop import __version__
from fupin_desktop.paths import data_dir
from fupin_desktop.rules.idnumber import mask_bank_account, mask_id, mask_phone

__all__ = ["LOG_BACKUPS", "LOG_MAX_BYTES", "LOG_TAIL_LINES", "log_dir", "log_file", "scrub",
           "setup_file_log", "tail", "versions_text", "write_error_report"]

LOG_MAX_BYTES = 1_000_000
LOG_BACKUPS = 3
LOG_TAIL_LINES = 200
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_dir() -> Path:
    folder = data_dir() / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def log_file() -> Path:
    return log_dir() / "fupin.log"


def setup_file_log(logger_name: str = "fupin_desktop", *, max_bytes: int = LOG_MAX_BYTES,
                   backups: int = LOG_BACKUPS) -> logging.Handler:
    """Attach a size-limited rotating log file to ``logger_name`` and return the handler
    (remove and close it when done; the one already attached, if any). INFO and above are
    written."""
    logger = logging.getLogger(logger_name)
    target = str(log_file())
    for existing in logger.handlers:
        if isinstance(existing, logging.handlers.RotatingFileHandler) \
                and existing.baseFilename == target:
            return existing
    handler = logging.handlers.RotatingFileHandler(
        log_file(), maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
    )
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    return handler


# 18-digit (or old 15-digit) ID numbers, mobile numbers, bank accounts (16–19 digits) and
# landlines, standing alone in free text (not inside a longer run of digits).
_ID = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9A-Za-z])")
_BANK = re.compile(r"(?<![0-9])[0-9]{16,19}(?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
_LANDLINE = re.compile(r"(?<![0-9])0[0-9]{2,3}-?[0-9]{7,8}(?![0-9])")


def scrub(text: str) -> str:
    """``text`` with ID numbers, phone numbers and bank account numbers masked."""
    text = _ID.sub(lambda m: mask_id(m.group()), text)
    text = _BANK.sub(lambda m: mask_bank_account(m.group()), text)
    text = _MOBILE.sub(lambda m: mask_phone(m.group()), text)
    return _LANDLINE.sub(lambda m: mask_phone(m.group()), text)


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "（未安装）"


def versions_text() -> str:
    lines = [
        f"fupin {__version__}",
        f"Python {sys.version.split()[0]} ({platform.python_implementation()})",
        f"系统 {platform.platform()}",
        f"打包程序 {'是' if getattr(sys, 'frozen', False) else '否'}",
    ]
    qt = sys.modules.get("PySide6.QtCore")
    if qt is not None:
        lines.append(f"Qt {qt.qVersion()}, PySide6 {sys.modules['PySide6'].__version__}")
    for dist in ("SQLAlchemy", "alembic", "openpyxl", "reportlab", "python-calamine", "pypdfium2",
                 "psycopg"):
        lines.append(f"{dist} {_version(dist)}")
    return "\n".join(lines) + "\n"


def tail(path: Path, lines: int = LOG_TAIL_LINES) -> list[str]:
    """The last ``lines`` lines of a text file ([] when it does not exist)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as f:
            return list(deque(f, maxlen=lines))
    except FileNotFoundError:
        return []


def write_error_report(path: Path, error_text: str, log: Path | None = None) -> Path:
    """Write the error report zip to ``path``: the error, versions and the last lines of the
    log, each scrubbed of ID numbers, phones and bank accounts."""
    log = log_file() if log is None else log
    now = dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    try:
        whole_log = log.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        whole_log = ""
    files = {
        "错误信息.txt": f"时间：{now}\n\n{error_text}",
        "fupin.log": whole_log,
        "版本.txt": versions_text(),
        f"日志最后{LOG_TAIL_LINES}行.txt": "".join(tail(log)) or "（没有日志）\n",
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(name, scrub(text))
    tmp.replace(path)
    return path
