"""Start-up timing signalled by the program itself (``bench/bench_startup.py``, the bundle test).

With ``FUPIN_STARTUP_PROBE=1`` the desktop program prints, on stdout::

    fupin-startup window-shown <unix time>   the main window's first paint
    fupin-startup first-rows <unix time>     the household list painted with rows in it

``FUPIN_STARTUP_PROBE=quit`` also closes the program right after ``first-rows`` (or after
``window-shown`` when the database has no households: then ``first-rows`` never comes and
``no-rows`` is printed a moment after the window). Without the variable nothing is installed.
"""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QAbstractItemView, QApplication, QWidget

ENV = "FUPIN_STARTUP_PROBE"
TABLE_NAME = "householdTable"
# With no households at all, how long after the window to give up waiting for rows.
NO_ROWS_AFTER_MS = 3000


def _say(event: str) -> None:
    print(f"fupin-startup {event} {time.time():.6f}", file=sys.stdout, flush=True)


class _Probe(QObject):
    def __init__(self, app: QApplication, window: QWidget, quit_after: bool) -> None:
        super().__init__(app)
        self._app, self._window, self._quit = app, window, quit_after
        self._shown = False

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() != QEvent.Type.Paint:
            return False
        if not self._shown and obj is self._window:
            self._shown = True
            _say("window-shown")
            if self._quit:
                QTimer.singleShot(NO_ROWS_AFTER_MS, self._no_rows)
        elif self._shown:
            table = obj.parent() if isinstance(obj, QWidget) else None
            if (isinstance(table, QAbstractItemView) and table.objectName() == TABLE_NAME
                    and table.model() is not None and table.model().rowCount() > 0):
                _say("first-rows")
                self._finish()
        return False

    def _no_rows(self) -> None:
        if self.parent() is not None:
            _say("no-rows")
            self._finish()

    def _finish(self) -> None:
        self._app.removeEventFilter(self)
        self.setParent(None)
        if self._quit:
            QTimer.singleShot(0, self._window.close)


def install(app: QApplication, window: QWidget) -> None:
    """Watch for the first paints when the environment asks for it (before ``show()``)."""
    mode = os.environ.get(ENV, "")
    if not mode or mode == "0":
        return
    probe = _Probe(app, window, quit_after=mode == "quit")
    app.installEventFilter(probe)
