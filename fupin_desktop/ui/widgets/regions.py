"""A region picker: 县 → 乡镇 → 村 of the database's regions as one indented drop-down."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtWidgets import QComboBox, QWidget

from fupin_desktop.services.registry import RegionNode

PICKABLE_LEVELS = ("county", "township", "village")
INDENT = "　"


class RegionCombo(QComboBox):
    """Regions of ``levels`` from ``services.registry.region_tree`` nodes, indented by
    depth; the item data is the region code."""

    def __init__(self, parent: QWidget | None = None, *, levels: Sequence[str] = PICKABLE_LEVELS):
        super().__init__(parent)
        self._levels = tuple(levels)
        self._level_of: dict[str, str] = {}
        self._name_of: dict[str, str] = {}
        self.setMinimumContentsLength(12)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMaxVisibleItems(24)

    def set_nodes(self, roots: Iterable[RegionNode]) -> None:
        """Fill from the tree (keeps the chosen region when it is still there)."""
        current = self.code()
        self.blockSignals(True)
        self.clear()
        self._level_of.clear()
        self._name_of.clear()

        def walk(nodes: Iterable[RegionNode], depth: int) -> None:
            for node in nodes:
                if node.level == "group":
                    continue
                shown = node.level in self._levels
                if shown:
                    self.addItem(INDENT * depth + node.name, node.region_code)
                    self._level_of[node.region_code] = node.level
                    self._name_of[node.region_code] = node.name
                walk(node.children, depth + 1 if shown else depth)

        walk(roots, 0)
        if current is not None:
            self.set_code(current)
        self.blockSignals(False)

    def code(self) -> str | None:
        return self.currentData()

    def name(self) -> str:
        code = self.code()
        return self._name_of.get(code, "") if code else ""

    def level(self) -> str | None:
        code = self.code()
        return self._level_of.get(code) if code else None

    def set_code(self, code: str) -> bool:
        index = self.findData(code)
        if index >= 0:
            self.setCurrentIndex(index)
        return index >= 0

    def codes(self) -> list[str]:
        return [self.itemData(i) for i in range(self.count())]
