"""帮助 → 使用说明 opens the guide inside the program (pytest-qt, offscreen)."""

from __future__ import annotations

import re

from fupin_desktop.ui.help import guide_html


def test_guide_covers_the_four_jobs():
    html = guide_html()
    for heading in ("第一天", "每个月", "导入县里的表格", "打印"):
        assert re.search(rf"<h3>.*{heading}.*</h3>", html), heading
    for step in ("区划设置", "选择文件并导入", "变动登记", "核查", "月度报表", "上报", "批量打印"):
        assert step in html, step
    # Every link inside the guide points at one of its own sections.
    anchors = set(re.findall(r'<a name="(\w+)">', html))
    assert set(re.findall(r'<a href="#(\w+)">', html)) <= anchors and len(anchors) == 6


def test_help_menu_opens_the_guide_once(make_main_window, qtbot):
    window = make_main_window()
    titles = [a.text() for a in window.menuBar().actions()]
    assert "帮助(&H)" in titles
    window.action_guide.trigger()
    dialog = window._guide
    assert dialog is not None and dialog.isVisible() and dialog.windowTitle() == "使用说明"
    text = dialog.browser.toPlainText()
    assert "一、第一天" in text and "四、打印" in text and "<h3>" not in text
    window.action_guide.trigger()
    assert window._guide is dialog  # raised again, not a second window
    dialog.show_section("print")
    assert dialog.browser.verticalScrollBar().value() > 0
    dialog.close()
