"""帮助 → 使用说明: the short guide (first day, monthly routine, import, printing) shown in
the program from ``resources/help/guide.html``."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from fupin_desktop.paths import resource_path

GUIDE = ("help", "guide.html")


def guide_html() -> str:
    return resource_path(*GUIDE).read_text(encoding="utf-8")


class GuideDialog(QDialog):
    """The guide in a browser pane; links inside the page jump to its sections. Not modal:
    the clerk can keep it open beside the window."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("guideDialog")
        self.setWindowTitle("使用说明")
        self.resize(760, 640)
        self.browser = QTextBrowser()
        self.browser.setObjectName("guideBrowser")
        self.browser.setOpenLinks(True)
        self.browser.setOpenExternalLinks(False)
        path = resource_path(*GUIDE)
        self.browser.setSearchPaths([str(path.parent)])
        self.browser.document().setBaseUrl(QUrl.fromLocalFile(str(path)))
        self.browser.setHtml(guide_html())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)

    def show_section(self, anchor: str) -> None:
        self.browser.scrollToAnchor(anchor)
