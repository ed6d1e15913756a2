"""Columns derived from others, kept in step on every ORM flush.

A member's search keys (``id18``, ``id_tail``, ``name_initials``) follow its ``name`` and
``id_number``; a household's list summary (``head_name``, ``head_name_sort``, ``head_id18``,
``member_count``) follows its current members. Doing it in one ``before_flush`` hook means the editor, the
importer and scripts cannot forget it. Core bulk writers (the demo generator) call
``member_search_keys`` and ``head_name_sort`` themselves.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

import datetime as dt

from fupin_desktop.models.household import (
    MEMBER_PRESENT,
    RELATION_HEAD,
    GuaranteeCheck,
    Household,
    HouseholdYear,
    Member,
)


def id18_of(id_number: str | None) -> str | None:
    """The 18-character identity part of a 证件号码 (a 残疾人证号 carries two more digits)."""
    from fupin_desktop.rules.idnumber import convert15, normalize_id

    text = normalize_id(id_number)
    if not text:
        return None
    if len(text) == 15 and text.isdigit():
        try:
            return convert15(text)
        except ValueError:
            return None
    return text[:18] if len(text) >= 18 else None


def member_search_keys(name: str | None, id_number: str | None) -> dict[str, Any]:
    from fupin_desktop.rules.names import name_initials

    id18 = id18_of(id_number)
    return {
        "id18": id18,
        "id_tail": id18[-6:] if id18 else None,
        "name_initials": name_initials(name) or None,
    }


def head_name_sort(head_name: str | None) -> str | None:
    """The stored pinyin sort key of a 户主 name (``Household.head_name_sort``)."""
    from fupin_desktop.rules.names import name_sort_key

    return name_sort_key(head_name)


def refresh_household_summary(household: Household) -> None:
    # A member not flushed yet has no status: the column default makes it present.
    current = [m for m in household.members if (m.status or MEMBER_PRESENT) == MEMBER_PRESENT]
    head = next((m for m in current if m.relation == RELATION_HEAD), None)
    household.head_name = head.name if head else None
    key = head_name_sort(household.head_name)
    if household.head_name_sort != key:
        household.head_name_sort = key
    household.head_id18 = head.id18 if head else None
    household.member_count = len(current)


def _owner(session: Session, obj: Any) -> Household | None:
    household = obj.household
    if household is None and obj.household_id is not None:
        household = session.get(Household, obj.household_id)
    return household


def _bump_versions(session: Session) -> None:
    """A household's version moves when its members, years or 三保障 checks change, so a
    clerk saving a stale copy is stopped even when only a member was edited meanwhile."""
    owners: set[Household] = set()
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, (Member, HouseholdYear, GuaranteeCheck)):
            if obj in session.dirty and not session.is_modified(obj, include_collections=False):
                continue
            household = _owner(session, obj)
            if household is not None:
                owners.add(household)
    for household in owners:
        if household in session.new or household in session.deleted:
            continue
        if not session.is_modified(household, include_collections=False):
            household.updated_at = dt.datetime.now()


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    _bump_versions(session)
    touched: set[Household] = set()
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Member):
            state = inspect(obj)
            if obj in session.new or any(
                state.attrs[key].history.has_changes() for key in ("name", "id_number")
            ):
                for key, value in member_search_keys(obj.name, obj.id_number).items():
                    if getattr(obj, key) != value:
                        setattr(obj, key, value)
            if obj.household is not None:
                touched.add(obj.household)
        elif isinstance(obj, Household) and obj in session.new:
            touched.add(obj)
    for obj in session.deleted:
        if isinstance(obj, Member) and obj.household is not None:
            touched.add(obj.household)
    for household in touched:
        if household in session.deleted:
            continue
        refresh_household_summary(household)


def install(session_class: type[Session]) -> None:
    if not event.contains(session_class, "before_flush", _before_flush):
        event.listen(session_class, "before_flush", _before_flush)
