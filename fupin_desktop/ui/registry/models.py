"""Qt models of the registry window: thin views over what ``services.registry`` returns.

- :class:`RegionTreeModel`: the 县 → 乡镇 → 村 → 组 tree with counts.
- :class:`HouseholdTableModel`: the household list. It keeps only the ids of the selected
  households (the true row count) and fetches the rows Qt asks for a page at a time into a
  bounded cache (STYLE.md §6, TECH-NOTES: no canFetchMore).
- :class:`MemberTableModel`: the editable members table of one household.
- :class:`RecordTableModel`: read-only lists of dicts (history, cases, assignments).
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Callable, Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from fupin_desktop.rules.idnumber import mask_id, mask_phone
from fupin_desktop.services.registry import (
    MEMBER_FIELDS,
    FieldSpec,
    HouseholdRow,
    RegionNode,
    display_value,
    id_facts,
)

ERROR_BG = QColor("#fde2e1")
WARNING_BG = QColor("#fff4d6")
LEFT_FG = QColor("#8a94a3")

Index = QModelIndex | QPersistentModelIndex


class Roles(IntEnum):
    ID = Qt.ItemDataRole.UserRole + 1
    NODE = Qt.ItemDataRole.UserRole + 2
    SORT_KEY = Qt.ItemDataRole.UserRole + 3
    FIELD = Qt.ItemDataRole.UserRole + 4
    RAW = Qt.ItemDataRole.UserRole + 5


# =========================================================================== region tree


class RegionTreeModel(QAbstractItemModel):
    HEADERS = ("区划 / 组", "户数", "人数")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._roots: list[RegionNode] = []
        self._parent_of: dict[int, RegionNode | None] = {}

    def set_roots(self, roots: list[RegionNode]) -> None:
        self.beginResetModel()
        self._roots = roots
        self._parent_of = {}

        def walk(node: RegionNode, parent: RegionNode | None) -> None:
            self._parent_of[id(node)] = parent
            for child in node.children:
                walk(child, node)

        for root in roots:
            walk(root, None)
        self.endResetModel()

    def _children(self, node: RegionNode | None) -> list[RegionNode]:
        return self._roots if node is None else node.children

    def node(self, index: Index) -> RegionNode | None:
        return index.internalPointer() if index.isValid() else None

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:
        if column < 0 or column >= len(self.HEADERS):
            return QModelIndex()
        children = self._children(self.node(parent))
        if 0 <= row < len(children):
            return self.createIndex(row, column, children[row])
        return QModelIndex()

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        node = self.node(index)
        if node is None:
            return QModelIndex()
        parent = self._parent_of.get(id(node))
        if parent is None:
            return QModelIndex()
        grand = self._parent_of.get(id(parent))
        siblings = self._children(grand)
        return self.createIndex(siblings.index(parent), 0, parent)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._children(self.node(parent)))

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return len(self.HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        node = self.node(index)
        if node is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return node.name
            return f"{node.households:,}" if col == 1 else f"{node.persons:,}"
        if role == Qt.ItemDataRole.TextAlignmentRole and col > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{node.name}：{node.households:,} 户，{node.persons:,} 人"
        if role == Roles.ID:
            return node.key
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def find(self, key: str) -> QModelIndex:
        """The index of the node with ``key`` (a region code or "code/组")."""
        def walk(nodes: list[RegionNode], parent: QModelIndex) -> QModelIndex:
            for row, node in enumerate(nodes):
                idx = self.index(row, 0, parent)
                if node.key == key:
                    return idx
                found = walk(node.children, idx)
                if found.isValid():
                    return found
            return QModelIndex()

        return walk(self._roots, QModelIndex())


# =========================================================================== household list

# (key, header, service sort key)
HOUSEHOLD_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("household_no", "户编号", "household_no"),
    ("head_name", "户主", "head_name"),
    ("head_id", "户主证件号码", "head_id18"),
    ("member_count", "人口", "member_count"),
    ("household_type", "户类型", "household_type"),
    ("monitoring_category", "监测对象类别", "monitoring_category"),
    ("cause_or_risk", "主要致贫原因/风险", "main_cause"),
    ("risk_grade", "风险等级", "risk_grade"),
    ("exit_year", "脱贫年度", "exit_year"),
    ("phone", "联系电话", "phone"),
    ("helper", "帮扶责任人", "helper"),
    ("updated", "最后变更", "updated_at"),
)


GRADE_ONE_FG = QColor("#b3261e")  # 一级 (极易返贫户) in the grade column

_LIST_ROLES = frozenset({
    Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.TextAlignmentRole,
    Qt.ItemDataRole.ForegroundRole, Roles.ID,
})


class HouseholdTableModel(QAbstractTableModel):
    """The household list over an id list; rows come from ``fetch(ids)`` a page at a time.

    ``fetch`` opens its own short session (services.registry.household_rows). ``show_ids``
    shows 证件号码 and phones in full; masked otherwise (the default).
    """

    PAGE = 100
    CACHE_LIMIT = 6000

    def __init__(self, fetch: Callable[[Sequence[int]], list[HouseholdRow]], parent=None):
        super().__init__(parent)
        self._fetch = fetch
        self._ids: list[int] = []
        self._cache: OrderedDict[int, HouseholdRow] = OrderedDict()
        self.show_ids = False
        self.fetch_count = 0  # pages fetched (tests and the benchmark look at it)

    # -- content --------------------------------------------------------------------------
    def set_ids(self, ids: list[int]) -> None:
        self.beginResetModel()
        self._ids = ids
        self._cache.clear()
        self.endResetModel()

    def ids(self) -> list[int]:
        return self._ids

    def id_at(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, household_id: int) -> int:
        try:
            return self._ids.index(household_id)
        except ValueError:
            return -1

    def invalidate(self, household_ids: Sequence[int] | None = None) -> None:
        """Forget cached rows (all, or some) so they are fetched again when shown."""
        if household_ids is None:
            self._cache.clear()
        else:
            for hid in household_ids:
                self._cache.pop(hid, None)
        if self._ids:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._ids) - 1, self.columnCount() - 1))

    def set_show_ids(self, show: bool) -> None:
        self.show_ids = show
        if self._ids:
            self.dataChanged.emit(self.index(0, 2), self.index(len(self._ids) - 1, self.columnCount() - 1))

    def row(self, row: int) -> HouseholdRow | None:
        hid = self.id_at(row)
        if hid is None:
            return None
        cached = self._cache.get(hid)
        if cached is not None:
            return cached
        start = max(0, row - self.PAGE // 3)
        wanted = [i for i in self._ids[start:start + self.PAGE] if i not in self._cache]
        self.fetch_count += 1
        for fetched in self._fetch(wanted):
            self._cache[fetched.id] = fetched
        while len(self._cache) > self.CACHE_LIMIT:
            self._cache.popitem(last=False)
        return self._cache.get(hid)

    # -- Qt -------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HOUSEHOLD_COLUMNS)

    def _text(self, row: HouseholdRow, key: str) -> str:
        if key == "head_id":
            return row.head_id18 if self.show_ids else mask_id(row.head_id18)
        if key == "phone":
            return row.phone if self.show_ids else mask_phone(row.phone)
        if key == "member_count":
            return str(row.member_count)
        if key == "head_name":
            text = f"{row.head_name}（{row.status}）" if row.status else row.head_name
            return f"{text}　成员：{row.matched}" if row.matched else text
        return str(getattr(row, key))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called for every role of every visible cell on each paint: the cheap test first.
        if role not in _LIST_ROLES or not index.isValid() \
                or not (0 <= index.column() < len(HOUSEHOLD_COLUMNS)):
            return None
        if role == Roles.ID:
            return self.id_at(index.row())
        key = HOUSEHOLD_COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if key in ("member_count", "exit_year"):
                return int(Qt.AlignmentFlag.AlignCenter)
            return None
        row = self.row(index.row())
        if row is None:
            return "…" if role == Qt.ItemDataRole.DisplayRole else None
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.status:
                return QBrush(LEFT_FG)
            return QBrush(GRADE_ONE_FG) if key == "risk_grade" and row.risk_grade == "一级" else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if key == "head_name":
                tips = [f"按家庭成员“{row.matched}”找到"] if row.matched else []
                if row.error_count:
                    tips.append(f"上次核查发现 {row.error_count} 个数据错误")
                return "\n".join(tips) or None
            return self._text(row, key) or None  # a cut-off cell shows whole on hover
        return self._text(row, key)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(HOUSEHOLD_COLUMNS):
                return HOUSEHOLD_COLUMNS[section][1]
            return None
        return str(section + 1) if 0 <= section < len(self._ids) else None


# =========================================================================== members


MEMBER_COLUMNS: tuple[FieldSpec, ...] = MEMBER_FIELDS
STATUS_HEADER = "在户状态"


class MemberTableModel(QAbstractTableModel):
    """The members of one household as edited: a list of dicts (services.registry
    ``HouseholdData.members``), changed in place. Column 0 is the read-only 在户状态; the
    others follow :data:`MEMBER_COLUMNS`. Typing a valid 证件号码 fills 性别 and 出生日期."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._members: list[dict[str, Any]] = []
        self._problems: dict[tuple[int, str], tuple[str, str]] = {}
        self.on_edit: Callable[[int, str], None] | None = None

    def set_members(self, members: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self._members = members
        self.endResetModel()

    def members(self) -> list[dict[str, Any]]:
        return self._members

    def set_problems(self, problems: dict[tuple[int, str], tuple[str, str]]) -> None:
        """(member index, field) → (severity, message)."""
        self._problems = problems
        if self._members:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._members) - 1, self.columnCount() - 1))

    def spec(self, column: int) -> FieldSpec | None:
        return MEMBER_COLUMNS[column - 1] if 1 <= column <= len(MEMBER_COLUMNS) else None

    def column_of(self, name: str) -> int:
        for i, spec in enumerate(MEMBER_COLUMNS):
            if spec.name == name:
                return i + 1
        raise KeyError(name)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._members)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(MEMBER_COLUMNS) + 1

    def _present(self, row: int) -> bool:
        return (self._members[row].get("status") or "01") == "01"

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() > 0:
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._members)):
            return None
        member = self._members[index.row()]
        spec = self.spec(index.column())
        if index.column() == 0:
            if role == Qt.ItemDataRole.DisplayRole:
                if self._present(index.row()):
                    return "在户"
                left = member.get("left_on")
                reason = display_value(FieldSpec("left_reason", "", "code", "change_reason"),
                                       member.get("left_reason"))
                return f"减少（{reason} {left.isoformat() if isinstance(left, dt.date) else ''}）"
            if role == Qt.ItemDataRole.ForegroundRole and not self._present(index.row()):
                return QBrush(LEFT_FG)
            return None
        assert spec is not None
        value = member.get(spec.name)
        problem = self._problems.get((index.row(), spec.name))
        if role == Qt.ItemDataRole.DisplayRole:
            return display_value(spec, value)
        if role == Qt.ItemDataRole.EditRole:
            if value is None:
                return ""
            if isinstance(value, bool):
                return "是" if value else "否"
            if isinstance(value, dt.date):
                return value.isoformat()
            return str(value)
        if role == Roles.FIELD:
            return spec.name
        if role == Qt.ItemDataRole.BackgroundRole and problem:
            return QBrush(ERROR_BG if problem[0] == "error" else WARNING_BG)
        if role == Qt.ItemDataRole.ToolTipRole:
            if problem:
                return problem[1]
            # Free text may be wider than its column: the whole text on hover.
            return (display_value(spec, value) or None) if spec.kind == "text" else None
        if role == Qt.ItemDataRole.ForegroundRole and not self._present(index.row()):
            return QBrush(LEFT_FG)
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        spec = self.spec(index.column()) if index.isValid() else None
        if spec is None or role != Qt.ItemDataRole.EditRole:
            return False
        member = self._members[index.row()]
        new = _from_edit(spec, value)
        if new == member.get(spec.name):
            return True
        member[spec.name] = new
        first, last = index, index
        if spec.name == "id_number" and isinstance(new, str):
            facts = id_facts(new)
            if facts is not None:
                member["sex"], member["birth_date"] = facts
                cols = (self.column_of("sex"), self.column_of("birth_date"))
                first = self.index(index.row(), min(cols + (index.column(),)))
                last = self.index(index.row(), max(cols + (index.column(),)))
        self.dataChanged.emit(first, last)
        if self.on_edit is not None:
            self.on_edit(index.row(), spec.name)
        return True

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if section == 0:
                return STATUS_HEADER
            spec = self.spec(section)
            return spec.label if spec else None
        return str(section + 1) if 0 <= section < len(self._members) else None


def _from_edit(spec: FieldSpec, value: Any) -> Any:
    """What an editor widget gives back → the value kept in the dict (codes as codes)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        if value == "":
            return None
    if spec.kind == "bool":
        if isinstance(value, bool):
            return value
        return {"是": True, "否": False}.get(str(value))
    if spec.kind == "int":
        try:
            return int(value)
        except (TypeError, ValueError):
            return value  # kept as typed; the save names the bad value
    if spec.kind == "date":
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            return value
    return value


# =========================================================================== read-only rows


class RecordTableModel(QAbstractTableModel):
    """Read-only table of dicts with the given (key, header) columns. ``right``: keys shown
    right-aligned (amounts); ``muted(row)``: rows shown grey (ended, left)."""

    def __init__(self, columns: Sequence[tuple[str, str]], parent=None, *,
                 right: Sequence[str] = (), muted: Callable[[dict[str, Any]], bool] | None = None):
        super().__init__(parent)
        self._columns = list(columns)
        self._rows: list[dict[str, Any]] = []
        self._right = set(right)
        self._muted = muted

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def rows(self) -> list[dict[str, Any]]:
        return self._rows

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        if not (0 <= index.column() < len(self._columns)):
            return None
        key = self._columns[index.column()][0]
        value = self._rows[index.row()].get(key)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if isinstance(value, bool):
                return "是" if value else ""
            return "" if value is None else str(value)
        if role == Roles.RAW:
            return self._rows[index.row()].get("id")
        if role == Qt.ItemDataRole.TextAlignmentRole and key in self._right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and self._muted is not None \
                and self._muted(self._rows[index.row()]):
            return QBrush(LEFT_FG)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._columns[section][1] if 0 <= section < len(self._columns) else None
        return str(section + 1) if 0 <= section < len(self._rows) else None
