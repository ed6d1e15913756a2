"""用户管理 (管理员): users, roles, regions, passwords, and whether this PC asks to log in."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fupin_desktop.db import Database
from fupin_desktop.errors import UserError
from fupin_desktop.services import regions as region_svc
from fupin_desktop.services import trust
from fupin_desktop.ui.errors import show_user_error
from fupin_desktop.ui.trust.widgets import list_table

COLUMNS = ["用户名", "姓名", "角色", "负责区划", "状态", "上次登录"]


class UserDialog(QDialog):
    """新增 or 修改 one user."""

    def __init__(self, db: Database, parent: QWidget | None = None, *, row: trust.UserRow | None = None):
        super().__init__(parent)
        self.db, self.row = db, row
        self.setWindowTitle("修改用户" if row else "新增用户")
        self.setMinimumWidth(460)
        form = QFormLayout(self)
        self.username = QLineEdit(row.username if row else "")
        self.username.setReadOnly(row is not None)
        self.display = QLineEdit(row.display_name if row else "")
        self.role = QComboBox()
        for code, label in trust.ROLE_LABELS.items():
            self.role.addItem(label, code)
        self.role.setCurrentIndex(max(self.role.findData(row.role if row else trust.ROLE_CLERK), 0))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("至少 6 位" if row is None else "不改请留空")
        self.regions = QListWidget()
        self.regions.setMaximumHeight(160)
        with db.session() as s:
            choices = [r for r in region_svc.list_regions(s) if r.level in ("township", "village")]
        for r in choices:
            item = QListWidgetItem(f"{'　' if r.level == 'village' else ''}{r.name}（{r.code}）")
            item.setData(Qt.ItemDataRole.UserRole, r.code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if row and r.code in row.regions else Qt.CheckState.Unchecked)
            self.regions.addItem(item)
        form.addRow("用户名：", self.username)
        form.addRow("姓名：", self.display)
        form.addRow("角色：", self.role)
        form.addRow("密码：", self.password)
        form.addRow("负责区划：", self.regions)
        note = QLabel("不勾选区划：可以修改全部区划的农户。录入员修改农户和手册；审核员还可以审批项目流转、"
                      "上报和解锁月报；管理员还可以管理用户、区划和从备份恢复。")
        note.setWordWrap(True)
        note.setStyleSheet("color:#5a6678;")
        form.addRow("", note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def chosen_regions(self) -> list[str]:
        return [self.regions.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.regions.count())
                if self.regions.item(i).checkState() == Qt.CheckState.Checked]

    def accept(self) -> None:
        try:
            with self.db.session(note=self.windowTitle()) as s:
                if self.row is None:
                    trust.add_user(s, self.username.text(), self.password.text(), role=self.role.currentData(),
                                   display_name=self.display.text() or None, regions=self.chosen_regions())
                else:
                    trust.update_user(s, self.row.username, role=self.role.currentData(),
                                      display_name=self.display.text(), regions=self.chosen_regions())
                    if self.password.text():
                        trust.set_password(s, self.row.username, self.password.text())
        except UserError as err:
            show_user_error(self, err, self.windowTitle())
            return
        super().accept()


class UsersWindow(QDialog):
    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.setObjectName("usersWindow")
        self.setWindowTitle("用户管理")
        self.resize(820, 480)
        self.table = list_table(COLUMNS, "usersTable", stretch=3)
        self.table.doubleClicked.connect(lambda _i: self.edit())
        self.add_button = QPushButton("新增用户…")
        self.edit_button = QPushButton("修改…")
        self.disable_button = QPushButton("停用")
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.disable_button.clicked.connect(self.disable)
        self.login_box = QCheckBox("打开本数据库时要登录")
        self.login_box.setObjectName("loginRequired")
        self.login_box.toggled.connect(self.toggle_login)
        side = QVBoxLayout()
        for b in (self.add_button, self.edit_button, self.disable_button):
            side.addWidget(b)
        side.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.table, 1)
        body.addLayout(side)
        layout = QVBoxLayout(self)
        layout.addLayout(body)
        layout.addWidget(self.login_box)
        self.note = QLabel()
        self.note.setStyleSheet("color:#5a6678;")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.reload()

    def reload(self) -> None:
        with self.db.session() as s:
            self.rows = trust.list_users(s)
            required = trust.login_required(s)
        self.table.setRowCount(len(self.rows))
        for i, r in enumerate(self.rows):
            values = [r.username, r.display_name, r.role_label, r.region_names, "正常" if r.active else "已停用",
                      f"{r.last_login_at:%Y-%m-%d %H:%M}" if r.last_login_at else ""]
            for j, v in enumerate(values):
                self.table.setItem(i, j, QTableWidgetItem(v))
        self.table.resizeColumnsToContents()
        self.login_box.blockSignals(True)
        self.login_box.setChecked(required)
        self.login_box.setEnabled(self.db.is_sqlite and bool(self.rows))
        self.login_box.blockSignals(False)
        self.note.setText("多人共用的数据库（PostgreSQL）总是要登录。" if not self.db.is_sqlite else
                          "本机数据库：开启登录后，每次打开都要输入用户名和密码，操作日志记下登录的用户。")

    def selected(self) -> trust.UserRow | None:
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def add(self) -> None:
        if UserDialog(self.db, self).exec():
            self.reload()

    def edit(self) -> None:
        row = self.selected()
        if row is not None and UserDialog(self.db, self, row=row).exec():
            self.reload()

    def disable(self) -> None:
        row = self.selected()
        if row is None:
            return
        if QMessageBox.question(self, "停用用户", f"停用用户“{row.username}”？停用后不能再登录，操作日志保留。") \
                != QMessageBox.StandardButton.Yes:
            return
        self._run(lambda s: trust.disable_user(s, row.username), "停用用户")

    def toggle_login(self, on: bool) -> None:
        self._run(lambda s: trust.set_login_required(s, on), "登录设置")

    def _run(self, work, note: str) -> None:
        try:
            with self.db.session(note=note) as s:
                work(s)
        except UserError as err:
            show_user_error(self, err, note)
        self.reload()
