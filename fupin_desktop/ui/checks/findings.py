"""The findings of one check (double-clicked on the 核查 page) and opening a household on
the field a finding names."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from fupin_desktop.db import Database
from fupin_desktop.services.checks import BY_CODE, Finding
from fupin_desktop.ui.registry.models import RecordTableModel
from fupin_desktop.ui.registry.widgets import record_view

FINDING_COLUMNS = (("township", "乡镇"), ("village", "村"), ("no", "户编号"), ("head", "户主"),
                   ("member", "成员"), ("field", "字段"), ("message", "说明"))


def finding_rows(db: Database, findings: Sequence[Finding]) -> list[dict]:
    """Rows as the findings workbook writes them (乡镇, 村, 户编号, 户主, 成员, 字段, 说明)."""
    # The workbook's own row builder: the page and the paper list say the same thing.
    from fupin_desktop.services.checks.workbook import _Names, _row

    with db.session() as s:
        names = _Names(s, list(findings))
        rows = []
        for i, f in enumerate(findings):
            values = dict(zip((k for k, _h in FINDING_COLUMNS), _row(f, names), strict=True))
            values["id"] = i
            rows.append(values)
    return rows


class HouseholdOpener:
    """Opens household windows (one per household, raised when already open) and puts the
    cursor on a finding's field."""

    def __init__(self, db: Database, parent: QWidget):
        self.db = db
        self.parent = parent
        self.windows: dict[int, QWidget] = {}

    def open(self, household_id: int, field: str | None = None, member_id: int | None = None):
        from fupin_desktop.ui.registry.editor import HouseholdWindow

        window = self.windows.get(household_id)
        if window is None:
            window = HouseholdWindow(self.db, household_id, self.parent)
            window.destroyed.connect(lambda _o=None, h=household_id: self.windows.pop(h, None))
            self.windows[household_id] = window
            window.show()
        else:
            window.show()
            window.raise_()
            window.activateWindow()
        window.focus_field(field, member_id)
        return window

    def open_finding(self, finding: Finding):
        if finding.household_id is None:
            what = "项目库" if finding.project_id else ("资产台账" if finding.asset_id else "帮扶责任人名单")
            QMessageBox.information(self.parent, "核查结果", f"{finding.message}\n\n请在“{what}”中打开并修改。")
            return None
        return self.open(finding.household_id, finding.field, finding.member_id)


class FindingsDialog(QDialog):
    """One check's findings; double-click opens the household on the field."""

    def __init__(self, db: Database, check: str, findings: Sequence[Finding], opener: HouseholdOpener,
                 place: str, parent: QWidget | None = None):
        super().__init__(parent)
        c = BY_CODE[check]
        self.findings = list(findings)
        self.opener = opener
        self.setWindowTitle(f"核查结果 — {c.title}")
        self.resize(1000, 560)
        intro = QLabel(f"<b>{c.title}</b>（{c.severity}，{place}共 {len(self.findings)} 条）<br>"
                       f"规则：{c.rule}<br>双击一行打开该户，光标停在要改的地方。")
        intro.setWordWrap(True)
        self.model = RecordTableModel(FINDING_COLUMNS, self)
        self.model.set_rows(finding_rows(db, self.findings))
        self.table = record_view(self.model, "findingsTable")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(FINDING_COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda index: self.open_row(index.row()))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)

    def open_row(self, row: int):
        if 0 <= row < len(self.findings):
            return self.opener.open_finding(self.findings[row])
        return None
