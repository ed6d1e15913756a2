"""The one way the UI runs long work off the GUI thread (STYLE.md §3, after Anki's CollectionOp).

    BackgroundOp(
        window,
        lambda progress, is_cancelled: import_households(db, path, progress, is_cancelled),
        title="导入户籍",
        label="正在导入…",
    ).success(lambda stats: window.show_message(f"已导入 {stats.households} 户")).start()

``func(progress, is_cancelled)`` runs on a worker thread. It reports with
``progress(done, total, message)`` (``total <= 0`` means "unknown": the bar just moves) and
stops early when ``is_cancelled()`` turns true, either by returning or by raising a
``UserError``. Services know nothing of Qt: they only get these two plain callables.

Everything else happens on the GUI thread:

- a progress dialog appears if the work takes longer than ``show_after_ms`` (short work never
  flashes a window) and is repainted from a timer every ``refresh_ms`` however often
  ``progress`` is called (STYLE.md §4);
- ``.success(result)`` callbacks run when ``func`` returns;
- ``.failure(exc)`` callbacks run when it raises. Without one, a ``UserError`` is shown as
  its Chinese message in a warning box and anything else as 「程序内部错误」. Exceptions that are
  not ``UserError`` are always logged with their traceback;
- ``.on_cancelled()`` callbacks run when the clerk pressed 取消 and ``func`` then returned or
  raised a ``UserError``; a crash during cancelling is still a failure;
- the Qt signals ``succeeded(object)``, ``failed(object)``, ``cancelled()`` and ``finished()``
  mirror the callbacks, for ``qtbot.waitSignal`` in tests.

The dialog is our own small QDialog rather than QProgressDialog: QProgressDialog.setValue runs
``processEvents()`` when the dialog is modal (re-entering our handlers) and hides itself on
取消 while the worker is still winding down.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fupin_desktop.errors import UserError
from fupin_desktop.ui.errors import show_error

log = logging.getLogger(__name__)

T = TypeVar("T")
ProgressFn = Callable[[int, int, str], None]
CancelFn = Callable[[], bool]
WorkFn = Callable[[ProgressFn, CancelFn], T]


class ProgressDialog(QDialog):
    """A label, a bar, a count and 取消. Closing the window or Esc also asks to cancel."""

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None, title: str, label: str, cancellable: bool):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.setMinimumWidth(420)
        self._cancellable = cancellable

        self.label = QLabel(label)
        self.label.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setTextVisible(False)
        self.count = QLabel("")
        self.count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.cancel_button = QPushButton("取消")
        self.cancel_button.setVisible(cancellable)
        self.cancel_button.clicked.connect(self._request_cancel)

        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(10)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addLayout(bottom)

    def set_progress(self, done: int, total: int, message: str) -> None:
        if message:
            self.label.setText(message)
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(max(0, min(done, total)))
            self.count.setText(f"{done:,} / {total:,}")
        else:
            self.bar.setRange(0, 0)
            self.count.setText(f"{done:,}" if done > 0 else "")

    def show_cancelling(self) -> None:
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("正在取消…")

    def _request_cancel(self) -> None:
        if self._cancellable:
            self.show_cancelling()
            self.cancel_requested.emit()

    def reject(self) -> None:  # Esc: ask to cancel, never just hide the running work
        self._request_cancel()

    def closeEvent(self, event: QCloseEvent) -> None:
        event.ignore()
        self._request_cancel()


class BackgroundOp(QObject, Generic[T]):
    """Run ``func(progress, is_cancelled)`` on a worker thread with a progress dialog."""

    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    finished = Signal()

    # Worker → GUI thread. The payload is (outcome, value); queued because this object lives
    # in the GUI thread and the worker emits from its own.
    _work_done = Signal(object)

    # Running operations stay referenced here: nothing else may own them.
    _running: ClassVar[set[BackgroundOp[Any]]] = set()

    def __init__(
        self,
        parent: QWidget | None,
        func: WorkFn[T],
        *,
        title: str,
        label: str = "正在处理，请稍候…",
        cancellable: bool = True,
        show_after_ms: int = 400,
        refresh_ms: int = 150,
    ) -> None:
        # No Qt parent: closing the window must not delete us under a running worker.
        super().__init__(None)
        self._parent = parent
        self._func = func
        self._title = title
        self._label = label
        self._cancellable = cancellable
        self._show_after_ms = show_after_ms
        self._on_success: list[Callable[[T], object]] = []
        self._on_failure: list[Callable[[BaseException], object]] = []
        self._on_cancelled: list[Callable[[], object]] = []
        self._cancel_event = threading.Event()
        self._lock = threading.Lock()
        self._latest: tuple[int, int, str] | None = None
        self._running_flag = False
        self._done = False
        self._dialog: ProgressDialog | None = None

        self._show_timer = QTimer(self)
        self._show_timer.setSingleShot(True)
        self._show_timer.timeout.connect(self._show_dialog)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(refresh_ms)
        self._refresh_timer.timeout.connect(self._refresh)
        self._work_done.connect(self._finish)

    # -- building ---------------------------------------------------------------------------
    def success(self, callback: Callable[[T], object]) -> BackgroundOp[T]:
        self._on_success.append(callback)
        return self

    def failure(self, callback: Callable[[BaseException], object]) -> BackgroundOp[T]:
        """Replace the default error box with ``callback(exc)``."""
        self._on_failure.append(callback)
        return self

    def on_cancelled(self, callback: Callable[[], object]) -> BackgroundOp[T]:
        self._on_cancelled.append(callback)
        return self

    # -- running ----------------------------------------------------------------------------
    def start(self) -> BackgroundOp[T]:
        if self._running_flag or self._done:
            raise RuntimeError("a BackgroundOp runs once")
        self._running_flag = True
        BackgroundOp._running.add(self)
        if self._show_after_ms <= 0:
            self._show_dialog()
        else:
            self._show_timer.start(self._show_after_ms)
        self._refresh_timer.start()
        QThreadPool.globalInstance().start(self._work)
        return self

    def cancel(self) -> None:
        """Ask the work to stop; it finishes when ``func`` next checks ``is_cancelled()``."""
        if not self._cancel_event.is_set():
            self._cancel_event.set()
            if self._dialog is not None:
                self._dialog.show_cancelling()

    def is_running(self) -> bool:
        return self._running_flag

    def is_cancelled(self) -> bool:
        return self._cancel_event.is_set()

    @property
    def dialog(self) -> ProgressDialog | None:
        """The progress dialog once shown (for tests and for re-parenting)."""
        return self._dialog

    @classmethod
    def running(cls) -> list[BackgroundOp[Any]]:
        return list(cls._running)

    @classmethod
    def cancel_all(cls) -> None:
        for op in list(cls._running):
            op.cancel()

    # -- worker thread ----------------------------------------------------------------------
    def _progress(self, done: int, total: int, message: str = "") -> None:
        # Cheap on purpose: services may call this per row; the GUI reads it on a timer.
        with self._lock:
            self._latest = (int(done), int(total), str(message))

    def _work(self) -> None:
        try:
            result = self._func(self._progress, self._cancel_event.is_set)
        except BaseException as exc:  # noqa: BLE001 - everything goes back to the GUI thread
            self._work_done.emit(("error", exc))
        else:
            self._work_done.emit(("ok", result))

    # -- GUI thread -------------------------------------------------------------------------
    def _parent_widget(self) -> QWidget | None:
        parent = self._parent
        if parent is not None and not shiboken6.isValid(parent):
            return None
        return parent

    def _show_dialog(self) -> None:
        if self._done or self._dialog is not None:
            return
        dialog = ProgressDialog(self._parent_widget(), self._title, self._label, self._cancellable)
        dialog.cancel_requested.connect(self.cancel)
        if self._cancel_event.is_set():
            dialog.show_cancelling()
        self._dialog = dialog
        self._refresh()
        dialog.show()

    def _refresh(self) -> None:
        with self._lock:
            latest, self._latest = self._latest, None
        if latest is not None and self._dialog is not None:
            self._dialog.set_progress(*latest)

    def _close_dialog(self) -> None:
        dialog, self._dialog = self._dialog, None
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.hide()
            dialog.deleteLater()

    def _finish(self, payload: tuple[str, Any]) -> None:
        outcome, value = payload
        self._show_timer.stop()
        self._refresh_timer.stop()
        self._close_dialog()
        self._running_flag = False
        self._done = True
        try:
            if outcome == "ok" and not self._cancel_event.is_set():
                for callback in self._on_success:
                    callback(value)
                self.succeeded.emit(value)
            elif self._cancel_event.is_set() and (outcome == "ok" or isinstance(value, UserError)):
                for callback in self._on_cancelled:
                    callback()
                self.cancelled.emit()
            else:
                self._fail(value)
        finally:
            BackgroundOp._running.discard(self)
            self.finished.emit()

    def _fail(self, exc: BaseException) -> None:
        logged = False
        if not isinstance(exc, UserError):
            log.error("background operation %r failed", self._title, exc_info=exc)
            logged = True
        if self._on_failure:
            for callback in self._on_failure:
                callback(exc)
        else:
            show_error(self._parent_widget(), exc, logged=logged)
        self.failed.emit(exc)
