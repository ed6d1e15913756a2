"""Qt's own dialogs, buttons and context menus speak Chinese (issue: 「Look in:」, 「Files of type:」)."""

from __future__ import annotations

import re
import sys

from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QWidget,
)

from fupin_desktop import paths
from fupin_desktop.ui import app as app_module

# English words Qt shows when its catalogue is missing.
DENY = {
    "page", "set", "order", "pages", "per", "sheet", "print", "printer", "properties", "options",
    "look", "in", "files", "of", "type", "file", "name", "cancel", "open", "save", "yes", "no",
    "ok", "close", "apply", "undo", "redo", "cut", "copy", "paste", "delete", "select", "all",
    "back", "forward", "parent", "directory", "detail", "view", "list", "new", "folder", "size",
    "date", "modified", "abort", "retry", "ignore", "help", "reset", "discard", "choose",
}


def english_words(texts: list[str]) -> set[str]:
    words: set[str] = set()
    for text in texts:
        if "/" in text or "\\" in text:
            continue  # a folder path (the test's own tmp folder name is English)
        plain = re.sub(r"&(?=\w)", "", text)
        words |= {w.lower() for w in re.findall(r"[A-Za-z]+", plain)} & DENY
    return words


def visible_texts(widget: QWidget) -> list[str]:
    texts = [widget.windowTitle()]
    for label in widget.findChildren(QLabel):
        texts.append(label.text())
    for button in widget.findChildren(QAbstractButton):
        texts.append(button.text())
        texts.append(button.toolTip())
    return [t for t in texts if t]


def test_catalogue_ships_with_the_program():
    shipped = paths.resource_path("translations", "qtbase_zh_CN.qm")
    assert shipped.is_file() and shipped.stat().st_size > 100_000
    assert app_module.qt_translation_folders()[0] == str(shipped.parent)
    assert "LGPL" in (shipped.parent / "README.md").read_text(encoding="utf-8")


def test_frozen_build_reads_the_catalogue_from_its_bundle(monkeypatch, tmp_path):
    bundle = tmp_path / "bundle"
    (bundle / "resources" / "translations").mkdir(parents=True)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    assert app_module.qt_translation_folders()[0] == str(bundle / "resources" / "translations")


def test_missing_catalogue_falls_back_to_english_without_failing(qapp, monkeypatch, tmp_path, caplog):
    monkeypatch.setattr(app_module, "qt_translation_folders", lambda: [str(tmp_path)])
    locale = QLocale(QLocale.Language.Chinese, QLocale.Country.China)
    assert app_module.install_qt_translations(qapp, locale) is None
    assert "qtbase_zh_CN.qm" in caplog.text


def test_translator_is_installed_by_configure_application(qapp):
    # configured_app (autouse) has run configure_application on this QApplication.
    assert QCoreApplication.translate("QFileDialog", "Look in:") != "Look in:"
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"


def test_file_dialog_has_no_english_words(qtbot, tmp_path):
    dialog = QFileDialog(None, "打开数据库", str(tmp_path), "数据库文件 (*.sqlite3);;所有文件 (*)")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)  # the offscreen platform has no native one
    qtbot.addWidget(dialog)
    dialog.show()
    texts = visible_texts(dialog)
    for combo in dialog.findChildren(QComboBox):
        texts += [combo.itemText(i) for i in range(combo.count()) if "*" not in combo.itemText(i)]
    assert any("文件" in t for t in texts)
    assert english_words(texts) == set(), texts
    save = QFileDialog(None, "另存为", str(tmp_path))
    save.setOption(QFileDialog.Option.DontUseNativeDialog)
    save.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    qtbot.addWidget(save)
    save.show()
    assert english_words(visible_texts(save)) == set()


def test_message_box_buttons_are_chinese(qtbot):
    buttons = QMessageBox.StandardButton
    box = QMessageBox(
        QMessageBox.Icon.Question, "退出", "确定退出吗？",
        buttons.Yes | buttons.No | buttons.Cancel | buttons.Ok | buttons.Save | buttons.Open
        | buttons.Close | buttons.Discard | buttons.Apply | buttons.Retry | buttons.Ignore,
    )
    qtbot.addWidget(box)
    texts = [b.text() for b in box.buttons()]
    assert "取消" in [re.sub(r"\(&\w\)", "", t) for t in texts]
    assert english_words(texts) == set(), texts


def test_text_field_context_menu_is_chinese(qtbot):
    edit = QLineEdit("望谟县")
    qtbot.addWidget(edit)
    menu = edit.createStandardContextMenu()
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    menu.deleteLater()
    assert len(texts) >= 5
    assert english_words(texts) == set(), texts


def test_print_dialog_labels_are_chinese(qtbot):
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    printer = QPrinter()
    dialog = QPrintDialog(printer)
    qtbot.addWidget(dialog)
    dialog.show()
    texts = [label.text() for label in dialog.findChildren(QLabel)]
    texts += [b.text() for b in dialog.findChildren(QAbstractButton)]
    assert english_words(texts) == set(), texts
