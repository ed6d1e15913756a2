"""The UI's own settings (window geometry, last page, recent database).

Kept as an INI file in the per-user data folder rather than the Windows registry, so that
``FUPIN_DATA_DIR`` alone isolates tests and a portable install carries its settings along.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings

from fupin_desktop.paths import data_dir

ORGANIZATION = "fupin"
APPLICATION = "fupin_desktop"


def ui_settings() -> QSettings:
    return QSettings(str(data_dir() / "ui-settings.ini"), QSettings.Format.IniFormat)
