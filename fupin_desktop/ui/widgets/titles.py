"""The title at the top of a page (「户籍管理」, 「月度报表」): larger, bold."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel


def page_title(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("pageTitle")
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.4)
    font.setBold(True)
    label.setFont(font)
    return label
