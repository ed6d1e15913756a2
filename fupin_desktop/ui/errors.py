"""How the UI shows the two kinds of error (STYLE.md §7).

A ``UserError`` is the clerk's to fix: its Chinese message is shown as it is, in a warning
box. Anything else is our fault: it is logged with its traceback and shown as
「程序内部错误」 with the traceback folded away under 「显示详细信息」 for the maintainer.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from fupin_desktop.errors import UserError

log = logging.getLogger("fupin_desktop.ui")

INTERNAL_ERROR_TITLE = "程序内部错误"
INTERNAL_ERROR_TEXT = (
    "程序遇到了一个内部错误，刚才的操作可能没有完成。\n"
    "已保存的数据不受影响。错误详情已写入日志，请把下面的详细信息发给维护人员。"
)


def _box(
    parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str, details: str = ""
) -> QMessageBox:
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.button(QMessageBox.StandardButton.Ok).setText("确定")
    if details:
        box.setDetailedText(details)
    return box


def show_user_error(parent: QWidget | None, err: BaseException, title: str = "提示") -> None:
    """A problem the clerk can fix: its message, plainly, in a warning box."""
    _box(parent, QMessageBox.Icon.Warning, title, str(err)).exec()


def show_internal_error(
    parent: QWidget | None, exc: BaseException, *, logged: bool = False
) -> None:
    """Our fault: log the traceback (unless ``logged``) and tell the clerk in Chinese."""
    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    if not logged:
        log.error("internal error:\n%s", details)
    icon = QMessageBox.Icon.Critical
    _box(parent, icon, INTERNAL_ERROR_TITLE, INTERNAL_ERROR_TEXT, details).exec()


def show_error(parent: QWidget | None, exc: BaseException, *, logged: bool = False) -> None:
    """Pick the right box for ``exc``."""
    if isinstance(exc, UserError):
        show_user_error(parent, exc)
    else:
        show_internal_error(parent, exc, logged=logged)


ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]

_showing = False


def _gui_excepthook(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    """Exceptions escaping a slot or event handler: never die silently, never loop."""
    global _showing
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    if exc.__traceback__ is None:
        exc = exc.with_traceback(tb)
    if _showing or QApplication.instance() is None:
        # A second error while the first box is open (or no GUI): log only.
        log.error("internal error", exc_info=(exc_type, exc, tb))
        return
    _showing = True
    try:
        parent = QApplication.activeWindow()
        if isinstance(exc, UserError):
            show_user_error(parent, exc)
        else:
            show_internal_error(parent, exc)
    except Exception:  # noqa: BLE001 - the error dialog itself must not raise
        log.exception("could not show the error dialog")
    finally:
        _showing = False


def install_excepthook() -> ExceptHook:
    """Route uncaught exceptions to a Chinese dialog; returns the previous hook."""
    previous = sys.excepthook
    sys.excepthook = _gui_excepthook
    return previous
