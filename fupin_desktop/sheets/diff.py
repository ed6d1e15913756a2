"""The difference between records in a file and records in the database, field by field.

Generic: records are mappings of field key → value, matched by a key the caller chooses.
``compare(existing, incoming, fields)`` sorts every key into new / changed / unchanged /
missing, and for changed ones lists :class:`FieldChange` (old → new). Values compare after
:func:`comparable` (blank text = ``None``, ``Decimal('1.50')`` = ``Decimal('1.5')``, a
datetime at midnight = its date), so a file that round-trips through Excel is unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, TypeVar

from fupin_desktop.codes import code_list as _code_list

__all__ = ["DiffResult", "FieldChange", "comparable", "compare", "diff_values", "display_value"]

K = TypeVar("K", bound=Hashable)


def comparable(value: Any) -> Any:
    """Normalise a value for equality (see module docstring)."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        return text or None
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        return value.normalize() if value.is_finite() else value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    if isinstance(value, (list, tuple)):
        return tuple(comparable(v) for v in value)
    return value


def display_value(value: Any, code_list: str | None = None) -> str:
    """A value as the clerk reads it in a review: ``是``/``否``, dates, ``（空）``; a code of
    ``code_list`` as its label (初中, not 03)."""
    if value is None or value == "":
        return "（空）"
    if code_list is not None and isinstance(value, str):
        entry = _code_list(code_list).get(value)
        if entry is not None:
            return entry.label
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, (list, tuple)):
        return "、".join(display_value(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class FieldChange:
    key: str
    label: str
    old: Any
    new: Any
    code_list: str | None = None  # the values are codes of this list (shown as labels)

    @property
    def old_text(self) -> str:
        return display_value(self.old, self.code_list)

    @property
    def new_text(self) -> str:
        return display_value(self.new, self.code_list)

    def describe(self) -> str:
        return f"{self.label}：{self.old_text} → {self.new_text}"


def diff_values(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    keys: Iterable[str],
    labels: Mapping[str, str] | None = None,
    code_lists: Mapping[str, str] | None = None,
) -> list[FieldChange]:
    """Changes from ``old`` to ``new`` over ``keys`` (only keys ``new`` carries);
    ``code_lists`` names the code list of coded keys."""
    labels = labels or {}
    code_lists = code_lists or {}
    out = []
    for key in keys:
        if key not in new:
            continue
        a, b = old.get(key), new[key]
        if comparable(a) != comparable(b):
            out.append(FieldChange(key, labels.get(key, key), a, b, code_lists.get(key)))
    return out


@dataclass
class DiffResult(Generic[K]):
    new: list[K] = field(default_factory=list)
    changed: dict[K, list[FieldChange]] = field(default_factory=dict)
    unchanged: list[K] = field(default_factory=list)
    missing: list[K] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "new": len(self.new),
            "changed": len(self.changed),
            "unchanged": len(self.unchanged),
            "missing": len(self.missing),
        }


def compare(
    existing: Mapping[K, Mapping[str, Any]],
    incoming: Mapping[K, Mapping[str, Any]],
    keys: Iterable[str],
    labels: Mapping[str, str] | None = None,
) -> DiffResult[K]:
    """Sort ``incoming`` records against ``existing`` ones (both keyed the same way)."""
    keys = list(keys)
    result: DiffResult[K] = DiffResult()
    for k, record in incoming.items():
        old = existing.get(k)
        if old is None:
            result.new.append(k)
            continue
        changes = diff_values(old, record, keys, labels)
        if changes:
            result.changed[k] = changes
        else:
            result.unchanged.append(k)
    result.missing = [k for k in existing if k not in incoming]
    return result
