"""Remembered column mappings (ImportProfile): map a file's headers once, reuse it for every
file with the same headers.

The key is ``kind`` plus :func:`~fupin_desktop.sheets.schema.header_signature` of the
header texts; the mapping is ``{header text: field key or None}`` (None = ignore column).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fupin_desktop.models import ImportProfile
from fupin_desktop.sheets.schema import header_signature

__all__ = ["count_profiles", "find_profile", "save_profile", "touch_profile"]


def _signature(kind: str, headers: Sequence[str]) -> str:
    return header_signature([f"kind:{kind}", *headers])


def find_profile(session: Session, kind: str, headers: Sequence[str]) -> dict[str, str | None] | None:
    """The mapping saved for these headers, or None."""
    # A Core query: an import that needs nothing else of the ORM does not pay for
    # configuring every mapper just to look this up.
    table = ImportProfile.__table__
    mapping = session.execute(
        select(table.c.mapping).where(table.c.header_signature == _signature(kind, headers))
    ).scalar_one_or_none()
    if mapping is None:
        return None
    return dict(mapping)


def touch_profile(session: Session, kind: str, headers: Sequence[str]) -> None:
    """Stamp the profile for these headers as used now."""
    row = session.execute(
        select(ImportProfile).where(ImportProfile.header_signature == _signature(kind, headers))
    ).scalar_one_or_none()
    if row is not None:
        row.last_used_at = dt.datetime.now()


def save_profile(
    session: Session, kind: str, headers: Sequence[str], mapping: Mapping[str, str | None]
) -> ImportProfile:
    """Create or replace the mapping for these headers (audited like any ORM write)."""
    signature = _signature(kind, headers)
    row = session.execute(
        select(ImportProfile).where(ImportProfile.header_signature == signature)
    ).scalar_one_or_none()
    if row is None:
        row = ImportProfile(kind=kind, header_signature=signature, headers=list(headers), mapping={})
        session.add(row)
    row.headers = list(headers)
    row.mapping = dict(mapping)
    row.last_used_at = dt.datetime.now()
    session.flush()
    return row


def count_profiles(session: Session, kind: str | None = None) -> int:
    """How many mappings are remembered (of ``kind``, or all)."""
    q = select(func.count()).select_from(ImportProfile)
    if kind is not None:
        q = q.where(ImportProfile.kind == kind)
    return int(session.execute(q).scalar_one())
