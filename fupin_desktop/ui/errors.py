"""How the UI shows the two kinds of error (STYLE.md §7).

A ``UserError`` is the clerk's to fix: its Chinese message is shown as it is, in a warning
box. Anything else is our fault: it is logged with its traceback and shown as
「程序内部错误」 with the traceback folded away under 「显示详细信息」 for the maintainer.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget

from fupin_desktop.errors import UserError

log = logging.getLogger("fupin_desktop.ui")

INTERNAL_ERROR_TITLE = "程序内部错误"
INTERNAL_ERROR_TEXT = "程序出了一个意外错误，刚才的操作没有完成，已保存的数据不受影响。"
INTERNAL_ERROR_INFO = (
    "程序可以继续使用。需要维护人员帮助时，请点「保存错误报告」，把保存的文件发给他们"
    "（报告里没有证件号码、电话等个人信息）。"
)
COPY_BUTTON = "复制错误信息"
SAVE_BUTTON = "保存错误报告…"


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


class InternalErrorBox(QMessageBox):
    """「程序内部错误」: one sentence, the traceback folded away, 「复制错误信息」 (the error
    and versions, ID numbers and phones masked) and 「保存错误报告…」 (a zip, see
    ``services.diagnostics``); those two buttons leave the box open, 确定 closes it."""

    def __init__(self, parent: QWidget | None, details: str) -> None:
        super().__init__(QMessageBox.Icon.Critical, INTERNAL_ERROR_TITLE, INTERNAL_ERROR_TEXT,
                         QMessageBox.StandardButton.Ok, parent)
        self.button(QMessageBox.StandardButton.Ok).setText("确定")
        self.setInformativeText(INTERNAL_ERROR_INFO)
        self.error_text = details
        self.setDetailedText(details)
        self.copy_button = self.addButton(COPY_BUTTON, QMessageBox.ButtonRole.ActionRole)
        self.save_button = self.addButton(SAVE_BUTTON, QMessageBox.ButtonRole.ActionRole)
        self.setDefaultButton(QMessageBox.StandardButton.Ok)
        self.saved_to: Path | None = None

    def done(self, result: int) -> None:  # noqa: D401 - Qt's virtual
        clicked = self.clickedButton()
        if clicked is self.copy_button:
            self.copy_error()
            return
        if clicked is self.save_button:
            self.save_report()
            return
        super().done(result)

    def report_text(self) -> str:
        from fupin_desktop.services.diagnostics import scrub, versions_text

        return scrub(f"{INTERNAL_ERROR_TEXT}\n\n{self.error_text}\n{versions_text()}")

    def copy_error(self) -> None:
        QApplication.clipboard().setText(self.report_text())
        self.copy_button.setText("已复制")

    def save_report(self, path: Path | None = None) -> Path | None:
        """Ask where (unless ``path``) and write the error report zip; None if cancelled."""
        from fupin_desktop.services.diagnostics import write_error_report

        if path is None:
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M")
            suggested = str(Path.home() / f"扶贫程序错误报告-{stamp}.zip")
            chosen, _ = QFileDialog.getSaveFileName(self, "保存错误报告", suggested, "压缩文件 (*.zip)")
            if not chosen:
                return None
            path = Path(chosen)
        try:
            write_error_report(path, self.error_text)
        except OSError as err:
            log.warning("could not save the error report to %s: %s", path, err)
            show_user_error(self, UserError(f"无法保存错误报告到“{path}”：{err.strerror or err}。"
                                            "请换一个文件夹再试。"), title="保存错误报告")
            return None
        self.saved_to = path
        self.save_button.setText("已保存")
        self.setInformativeText(f"错误报告已保存到：{path}\n请把这个文件发给维护人员。")
        return path


def internal_error_box(parent: QWidget | None, exc: BaseException) -> InternalErrorBox:
    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return InternalErrorBox(parent, details)


def show_internal_error(
    parent: QWidget | None, exc: BaseException, *, logged: bool = False
) -> None:
    """Our fault: log the traceback (unless ``logged``) and tell the clerk in Chinese."""
    box = internal_error_box(parent, exc)
    if not logged:
        log.error("internal error:\n%s", box.error_text)
    box.exec()


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
