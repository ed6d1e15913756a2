"""Chinese for the few texts of Qt's own dialogs that Qt's catalogue has no translation for.

Qt 6 changed these source texts (it added the ``&`` mnemonics) after the last update of the
zh_CN catalogue, so ``qtbase_zh_CN.qm`` still translates only the old forms. This translator
answers just these keys and leaves every other text to the shipped catalogue.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTranslator

# (context, source text) -> translation. Mnemonic letters kept, as Qt's catalogue does.
SUPPLEMENT: dict[tuple[str, str], str] = {
    ("QFileDialog", "&Look in:"): "查找范围(&L)：",
    ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
    ("QPrintSettingsOutput", "Page &Set:"): "页面集合(&S)：",
    ("QPageSetupWidget", "Page &order:"): "页面顺序(&O)：",
    ("QPageSetupWidget", "Pages &per sheet:"): "每张页数(&P)：",
}


class SupplementTranslator(QTranslator):
    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)

    def isEmpty(self) -> bool:  # noqa: N802 - Qt override
        return False

    def translate(self, context, source_text, disambiguation=None, n=-1):  # noqa: D102
        # None is a null QString: Qt then asks the next translator.
        return SUPPLEMENT.get((context, source_text))
