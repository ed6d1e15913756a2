"""Where the app keeps user data and finds its bundled resources.

Resources live in ``resources/`` at the source root, in ``fupin_desktop/_resources`` inside
a wheel, and next to the executable in a frozen (PyInstaller) bundle. User data lives in
the per-user data folder unless ``FUPIN_DATA_DIR`` says otherwise, which is how tests keep
away from the real folders (one ``monkeypatch.setenv``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "fupin_desktop"
APP_AUTHOR = "fupin"


def resources_dir() -> Path:
    """The folder holding codes/, fonts/, icons/ and form templates."""
    if getattr(sys, "frozen", False):
        return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)) / "resources"
    package_dir = Path(__file__).resolve().parent
    bundled = package_dir / "_resources"
    if bundled.is_dir():
        return bundled
    return package_dir.parent / "resources"


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def data_dir() -> Path:
    """The per-user data folder, created on first use."""
    override = os.environ.get("FUPIN_DATA_DIR")
    if override:
        path = Path(override)
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_path() -> Path:
    return data_dir() / "fupin.sqlite3"


def backups_dir() -> Path:
    path = data_dir() / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path
