"""The household window's 风险等级 line: the grade set, the suggestion and the rules that
fired, with 确认 and 调整 (a grade is never set without the clerk)."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from fupin_desktop.db import Database
from fupin_desktop.errors import UserError
from fupin_desktop.models import RiskGrade
from fupin_desktop.services import risk
from fupin_desktop.ui.errors import show_user_error
from fupin_desktop.ui.risk.dialogs import AdjustGradeDialog


class GradePanel(QFrame):
    def __init__(self, db: Database, household_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.household_id = household_id
        self.suggestion: risk.Suggestion | None = None
        self.dialog: AdjustGradeDialog | None = None
        self.setObjectName("gradePanel")
        self.label = QLabel()
        self.label.setObjectName("gradeText")
        self.label.setWordWrap(True)
        self.confirm_button = QPushButton("确认建议等级")
        self.confirm_button.setObjectName("confirmGrade")
        self.confirm_button.clicked.connect(self.confirm)
        self.adjust_button = QPushButton("调整…")
        self.adjust_button.setObjectName("adjustGrade")
        self.adjust_button.clicked.connect(self.adjust)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.confirm_button)
        layout.addWidget(self.adjust_button)

    def reload(self) -> None:
        with self.db.session() as s:
            self.suggestion = risk.suggestion_for(s, self.household_id)
            row = s.get(RiskGrade, self.household_id)
            current = (row.grade, row.set_on, row.set_by, row.reason) if row is not None else None
        self.setVisible(self.suggestion is not None)
        if self.suggestion is None:
            return
        x = self.suggestion
        if current:
            grade, on, by, reason = current
            text = (f"<b>风险等级：{risk.GRADE_TITLES[grade]}</b>（{on:%Y-%m-%d} {by or ''} 定级"
                    + (f"，理由：{reason}" if reason else "") + "）")
        else:
            text = "<b>风险等级：未定级</b>"
        reasons = "；".join(r.text for r in x.reasons) or "未触发任何规则"
        text += f"　建议：<b>{risk.GRADE_LABELS[x.grade]}</b>　触发的规则：{reasons}"
        self.label.setText(text)
        self.confirm_button.setEnabled(not current or current[0] != x.grade)

    def confirm(self) -> None:
        if self.suggestion is None:
            return
        try:
            with self.db.session(note="风险定级") as s:
                risk.set_grade(s, self.household_id, self.suggestion.grade)
        except UserError as err:
            show_user_error(self, err, "风险定级")
        self.reload()

    def adjust(self) -> AdjustGradeDialog | None:
        if self.suggestion is None:
            return None
        self.dialog = AdjustGradeDialog(self.db, self.suggestion, self)
        self.dialog.accepted.connect(self.reload)
        self.dialog.show()
        return self.dialog
