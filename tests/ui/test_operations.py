"""BackgroundOp: success, failure, cancel and throttled progress, waiting on signals."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import Qt, QThread
from PySide6.QtWidgets import QWidget

from fupin_desktop.errors import UserError
from fupin_desktop.ui.operations import BackgroundOp

TIMEOUT = 5000


@pytest.fixture
def parent(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_success_runs_off_the_gui_thread_and_calls_back_on_it(parent, qtbot):
    gui_thread = QThread.currentThread()
    worker_threads: list[object] = []
    results: list[tuple[int, bool]] = []

    def work(progress, is_cancelled):
        worker_threads.append(threading.current_thread())
        progress(1, 2, "一半")
        return 42

    op = BackgroundOp(parent, work, title="测试", label="请稍候")
    op.success(lambda value: results.append((value, QThread.currentThread() is gui_thread)))
    with qtbot.waitSignal(op.succeeded, timeout=TIMEOUT) as blocker:
        op.start()
    assert blocker.args == [42]
    assert results == [(42, True)]
    assert worker_threads and worker_threads[0] is not threading.main_thread()
    assert not op.is_running()
    assert op.dialog is None  # quick work never flashes a dialog
    assert op not in BackgroundOp.running()


def test_user_error_is_shown_as_its_message(parent, qtbot, message_boxes):
    def work(progress, is_cancelled):
        raise UserError("第 3 行的证件号码不对，请改正后再导入。")

    op = BackgroundOp(parent, work, title="导入")
    with qtbot.waitSignal(op.failed, timeout=TIMEOUT) as blocker:
        op.start()
    assert isinstance(blocker.args[0], UserError)
    assert message_boxes == [("提示", "第 3 行的证件号码不对，请改正后再导入。", "")]


def test_other_exception_is_logged_and_shown_as_internal_error(parent, qtbot, message_boxes,
                                                               caplog):
    def work(progress, is_cancelled):
        raise ZeroDivisionError("division by zero in a service")

    op = BackgroundOp(parent, work, title="报表")
    with qtbot.waitSignal(op.failed, timeout=TIMEOUT):
        op.start()
    title, text, details = message_boxes[0]
    assert title == "程序内部错误"
    assert "ZeroDivisionError" in details and "Traceback" in details
    assert "division by zero in a service" in caplog.text


def test_failure_callback_replaces_the_default_box(parent, qtbot, message_boxes):
    errors: list[BaseException] = []
    op = BackgroundOp(parent, lambda p, c: 1 / 0, title="x").failure(errors.append)
    with qtbot.waitSignal(op.finished, timeout=TIMEOUT):
        op.start()
    assert isinstance(errors[0], ZeroDivisionError)
    assert message_boxes == []


def test_cancel_button_stops_the_work(parent, qtbot):
    started = threading.Event()
    outcomes: list[str] = []

    def work(progress, is_cancelled):
        started.set()
        done = 0
        while not is_cancelled():
            done += 1
            progress(done, 0, "处理中")
            time.sleep(0.001)
        return done

    op = BackgroundOp(parent, work, title="长任务", show_after_ms=0)
    op.success(lambda _: outcomes.append("success"))
    op.on_cancelled(lambda: outcomes.append("cancelled"))
    op.start()
    dialog = op.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.cancel_button.text() == "取消"
    assert dialog.isModal() or dialog.windowModality() == Qt.WindowModality.WindowModal
    qtbot.waitUntil(started.is_set, timeout=TIMEOUT)
    with qtbot.waitSignal(op.cancelled, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
        assert dialog.cancel_button.text() == "正在取消…"
        assert not dialog.cancel_button.isEnabled()
    assert outcomes == ["cancelled"]
    assert op.dialog is None


def test_user_error_while_cancelling_counts_as_cancelled(parent, qtbot, message_boxes):
    def work(progress, is_cancelled):
        while not is_cancelled():
            time.sleep(0.001)
        raise UserError("已取消导入。")

    op = BackgroundOp(parent, work, title="导入")
    with qtbot.waitSignal(op.cancelled, timeout=TIMEOUT):
        op.start()
        op.cancel()
    assert message_boxes == []


def test_crash_while_cancelling_is_still_a_failure(parent, qtbot, message_boxes):
    def work(progress, is_cancelled):
        while not is_cancelled():
            time.sleep(0.001)
        raise KeyError("bug")

    op = BackgroundOp(parent, work, title="导入")
    with qtbot.waitSignal(op.failed, timeout=TIMEOUT):
        op.start()
        op.cancel()
    assert message_boxes[0][0] == "程序内部错误"


def test_progress_is_throttled_and_shows_the_latest_value(parent, qtbot):
    release = threading.Event()
    reported = threading.Event()

    def work(progress, is_cancelled):
        for i in range(1, 50_001):  # per-row calls must stay cheap
            progress(i, 50_000, f"第 {i} 行")
        reported.set()
        release.wait(TIMEOUT / 1000)
        return "done"

    op = BackgroundOp(parent, work, title="导入", show_after_ms=0, refresh_ms=50)
    updates: list[int] = []
    with qtbot.waitSignal(op.finished, timeout=TIMEOUT):
        op.start()
        dialog = op.dialog
        assert dialog is not None
        dialog.bar.valueChanged.connect(updates.append)
        qtbot.waitUntil(reported.is_set, timeout=TIMEOUT)
        qtbot.waitUntil(lambda: dialog.bar.value() == 50_000, timeout=TIMEOUT)
        assert dialog.label.text() == "第 50000 行"
        assert dialog.count.text() == "50,000 / 50,000"
        release.set()
    assert 1 <= len(updates) < 1000  # repainted per timer tick, not per call


def test_dialog_appears_only_for_slow_work(parent, qtbot):
    release = threading.Event()
    op = BackgroundOp(
        parent, lambda p, c: release.wait(TIMEOUT / 1000), title="慢", show_after_ms=50
    )
    with qtbot.waitSignal(op.finished, timeout=TIMEOUT):
        op.start()
        assert op.dialog is None
        qtbot.waitUntil(lambda: op.dialog is not None and op.dialog.isVisible(), timeout=TIMEOUT)
        assert op.dialog.windowTitle() == "慢"
        release.set()


def test_escape_asks_to_cancel_instead_of_hiding(parent, qtbot):
    op = BackgroundOp(parent, lambda p, c: _wait_for(c), title="x", show_after_ms=0)
    with qtbot.waitSignal(op.cancelled, timeout=TIMEOUT):
        op.start()
        op.dialog.reject()
        assert op.dialog.isVisible()


def test_an_operation_runs_once(parent, qtbot):
    op = BackgroundOp(parent, lambda p, c: None, title="x")
    with qtbot.waitSignal(op.finished, timeout=TIMEOUT):
        op.start()
    with pytest.raises(RuntimeError):
        op.start()


def _wait_for(is_cancelled):
    while not is_cancelled():
        time.sleep(0.001)
