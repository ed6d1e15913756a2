"""登录, 用户管理, 操作日志 and 备份 / 恢复 on screen."""

from __future__ import annotations

import openpyxl
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from sqlalchemy import select

from fupin_desktop.models import Household
from fupin_desktop.services import trust
from fupin_desktop.ui.trust import AuditLogWindow, BackupsDialog, LoginDialog, UsersWindow, sign_in
from tests.factories import VILLAGE, add_household, add_regions


def _county(db):
    with db.session() as s:
        add_regions(s)
        add_household(s)
        trust.add_user(s, "laowang", "admin-secret")
        trust.add_user(s, "xiaoli", "clerk-secret", role="录入员", regions=[VILLAGE])


def test_login_signs_in_and_a_wrong_password_stays_on_the_dialog(qtbot, ui_db):
    _county(ui_db)
    dialog = LoginDialog(ui_db)
    qtbot.addWidget(dialog)
    dialog.username.setText("xiaoli")
    dialog.password.setText("wrong-one")
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "用户名或密码不对" in dialog.message.text()
    dialog.password.setText("clerk-secret")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert ui_db.principal.role_label == "录入员" and ui_db.user == "xiaoli"


def test_no_login_on_a_single_pc_database_until_switched_on(qtbot, ui_db, monkeypatch):
    _county(ui_db)
    asked = []
    monkeypatch.setattr(LoginDialog, "exec", lambda self: asked.append(self) or QDialog.DialogCode.Rejected)
    assert sign_in(ui_db) and not asked
    with ui_db.session() as s:
        trust.set_login_required(s, True)
    assert not sign_in(ui_db) and len(asked) == 1
    for d in asked:
        d.deleteLater()


def test_users_window_lists_roles_and_regions(qtbot, ui_db):
    _county(ui_db)
    window = UsersWindow(ui_db)
    qtbot.addWidget(window)
    cells = [[window.table.item(r, c).text() for c in range(3)] for r in range(window.table.rowCount())]
    assert cells == [["laowang", "laowang", "管理员"], ["xiaoli", "xiaoli", "录入员"]]
    assert window.table.item(1, 3).text() == "新寨村"
    window.login_box.setChecked(True)
    with ui_db.session() as s:
        assert trust.login_required(s)


def test_audit_window_filters_by_household_and_exports(qtbot, ui_db, tmp_path):
    _county(ui_db)
    ui_db.user = "xiaoli"
    with ui_db.session() as s:
        s.scalar(select(Household)).phone = "13800000001"
    window = AuditLogWindow(ui_db)
    qtbot.addWidget(window)
    window.household.setText("张三")
    window.user.setCurrentIndex(window.user.findData("xiaoli"))
    window.reload()
    assert window.table.rowCount() == 1
    assert window.table.item(0, 2).text() == "修改" and window.table.item(0, 3).text() == "农户"
    assert window.detail.item(0, 0).text() == "户联系电话" and window.detail.item(0, 2).text() == "13800000001"
    out = tmp_path / "log.xlsx"
    assert window.export_to(out) == 1
    assert openpyxl.load_workbook(out).active.max_row >= 2


def test_the_audit_card_of_the_exchange_page_opens_the_log(main_window, qtbot):
    page = main_window.select_page("exchange")
    from fupin_desktop.ui.pages import StatCard

    card = next(c for c in page.findChildren(StatCard) if "操作日志" in c.caption_label.text())
    qtbot.mouseClick(card, Qt.MouseButton.LeftButton)
    windows = [w for w in page.findChildren(AuditLogWindow)]
    assert len(windows) == 1 and windows[0].isVisible()
    windows[0].close()


def test_backup_list_and_restore(qtbot, ui_db, message_boxes):
    _county(ui_db)
    dialog = BackupsDialog(ui_db)
    qtbot.addWidget(dialog)
    path = dialog.backup_now()
    assert dialog.table.rowCount() == 1 and dialog.table.item(0, 1).text() == "手动"
    assert dialog.table.item(0, 3).text() == "1"
    with ui_db.session() as s:
        add_household(s, no="5223261002010002", head="王五", seq=2)
    with qtbot.waitSignal(dialog.restored):
        dialog.restore_from(path, ask=False)
    assert dialog.table.rowCount() == 2 and dialog.table.item(0, 1).text() == "恢复前"
    with ui_db.session() as s:
        assert len(s.scalars(select(Household)).all()) == 1
    assert message_boxes == []


def test_the_program_backs_up_once_a_day_and_asks_to_log_in_when_switched_on(tmp_path, monkeypatch):
    from PySide6.QtWidgets import QApplication

    from fupin_desktop.db import open_database
    from fupin_desktop.ui import app as ui_app
    from fupin_desktop.ui.main_window import MainWindow

    def fake_loop(app: QApplication) -> int:
        for w in app.topLevelWidgets():
            if isinstance(w, MainWindow) and w.isVisible():
                w.close()
        return 0

    monkeypatch.setattr(ui_app, "_run_event_loop", fake_loop)
    path = tmp_path / "daily.db"
    assert ui_app.run_gui(str(path)) == 0
    assert ui_app.run_gui(str(path)) == 0
    db = open_database(path)
    try:
        assert [b.reason for b in trust.list_backups(db.engine.url)] == ["daily"]  # once, not twice
        _county(db)
        with db.session() as s:
            trust.set_login_required(s, True)
    finally:
        db.dispose()
    asked = []
    monkeypatch.setattr(LoginDialog, "exec", lambda self: asked.append(self.windowTitle()) or 0)
    assert ui_app.run_gui(str(path)) == 0  # the clerk closed the login: no window, no error
    assert asked == ["登录"]
    QApplication.sendPostedEvents(None, 0)
