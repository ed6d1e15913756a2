"""登录: the sign-in dialog (and, on a database without users, making its administrator)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from fupin_desktop.db import Database
from fupin_desktop.errors import UserError
from fupin_desktop.services import trust


class LoginDialog(QDialog):
    """Signs ``db`` in on 登录 (``db.sign_in``). With ``first_run`` it makes the first user,
    the administrator, and signs them in."""

    def __init__(self, db: Database, parent: QWidget | None = None, *, first_run: bool = False):
        super().__init__(parent)
        self.db = db
        self.first_run = first_run
        self.setObjectName("loginDialog")
        self.setWindowTitle("设置管理员" if first_run else "登录")
        self.setMinimumWidth(400)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "这个数据库还没有用户。请设置管理员的用户名和密码，以后用它登录、添加其他用户。"
            if first_run else f"数据库：{db.display_name()}\n请输入用户名和密码。")
        intro.setWordWrap(True)
        intro.setObjectName("loginIntro")
        layout.addWidget(intro)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.username = QLineEdit()
        self.username.setObjectName("loginUser")
        self.password = QLineEdit()
        self.password.setObjectName("loginPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("用户名：", self.username)
        form.addRow("密码：", self.password)
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat.setObjectName("loginRepeat")
        if first_run:
            form.addRow("再输一次：", self.repeat)
        layout.addLayout(form)
        self.message = QLabel()
        self.message.setObjectName("loginMessage")
        self.message.setStyleSheet("color:#b42318;")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("设置并登录" if first_run else "登录")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("退出")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def accept(self) -> None:
        name, password = self.username.text().strip(), self.password.text()
        try:
            if self.first_run:
                if password != self.repeat.text():
                    raise UserError("两次输入的密码不一样，请重新输入。")
                with self.db.session(note="设置管理员") as s:
                    trust.add_user(s, name, password, role=trust.ROLE_ADMIN)
            with self.db.session() as s:
                who = trust.authenticate(s, name, password)
        except UserError as err:
            self.message.setText(str(err))
            self.password.selectAll()
            self.password.setFocus()
            return
        self.db.sign_in(who)
        super().accept()


def sign_in(db: Database, parent: QWidget | None = None) -> bool:
    """Ask for a sign-in when the database needs one (a shared database always; a
    single-PC one when the administrator switched login on; a shared one without users:
    set up its administrator). False when the clerk gave up."""
    with db.session() as s:
        needed = trust.login_required(s)
        first = not db.is_sqlite and not trust.has_users(s)
    if not needed and not first:
        return True
    return LoginDialog(db, parent, first_run=first).exec() == QDialog.DialogCode.Accepted
