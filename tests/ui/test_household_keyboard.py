"""A clerk entering households never reaches for the mouse: the household window's keyboard."""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QWidget

from tests.factories import add_household, add_regions


@pytest.fixture
def window(ui_db, qtbot):
    from fupin_desktop.ui.registry.editor import HouseholdWindow

    with ui_db.session() as s:
        add_regions(s)
        household_id = add_household(s).id
    window = HouseholdWindow(ui_db, household_id)  # deletes itself on close
    window.show()
    window.activateWindow()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    yield window
    if shiboken6.isValid(window) and window.isVisible():
        window.revert()
        window.close()


def _editable_fields(form) -> list[QWidget]:
    """The form's editors a clerk types into, in reading order (row by row, left to right)."""
    fields = [w for w in form.editors.values()
              if w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus]
    return sorted(fields, key=lambda w: (w.mapTo(form, w.rect().topLeft()).y(),
                                         w.mapTo(form, w.rect().topLeft()).x()))


def _owner(widget: QWidget | None, fields: list[QWidget]) -> QWidget | None:
    """The field that holds ``widget`` (an editable combo's line edit belongs to its combo)."""
    while widget is not None:
        if widget in fields:
            return widget
        widget = widget.parentWidget()
    return None


def test_cursor_starts_in_the_first_field(window):
    fields = _editable_fields(window.basic_form)
    assert _owner(QApplication.focusWidget(), fields) is fields[0]


def test_tab_walks_every_field_in_reading_order_then_reaches_save(window, qtbot):
    fields = _editable_fields(window.basic_form)
    assert len(fields) >= 10
    visited = [_owner(QApplication.focusWidget(), fields)]
    for _ in range(len(fields) - 1):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        visited.append(_owner(QApplication.focusWidget(), fields))
    assert visited == fields
    # Type into a text field (digits: keyClicks cannot type Chinese), then Tab on to 保存.
    phone = window.basic_form.editors["phone"]
    assert isinstance(phone, QLineEdit)
    phone.setFocus()
    qtbot.keyClicks(phone, "13800001111")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    for _ in range(len(fields)):
        if QApplication.focusWidget() in (window.save_button, window.revert_button):
            break
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() in (window.save_button, window.revert_button)
    # Ctrl+S saves without a mouse.
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not window.is_dirty()
    with window.db.session() as s:
        from fupin_desktop.models import Household

        assert s.get(Household, window.household_id).phone == "13800001111"


def test_ctrl_pgdown_turns_the_tab_and_puts_the_cursor_in_it(window, qtbot):
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.tabText(window.tabs.currentIndex()) == "家庭成员"
    assert window.tabs.currentWidget().isAncestorOf(QApplication.focusWidget())
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.tabText(window.tabs.currentIndex()) == "基本信息"


def test_every_action_button_is_reached_by_tab(window, qtbot):
    buttons = [b for b in window.action_buttons.values() if b.isEnabled()]
    reached: set[QWidget] = set()
    for _ in range(200):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.add(QApplication.focusWidget())
    assert set(buttons) <= reached
    assert window.tabs.tabBar() in reached or any(isinstance(w, QComboBox) for w in reached)


def test_esc_closes_an_unchanged_window(window, qtbot):
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    assert not window.isVisible()
