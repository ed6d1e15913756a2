"""The audit log hook: every insert, update and delete made through a session is recorded.

One hook on the session class, not code at each call site. ORM unit-of-work flushes are
recorded row by row with old and new values (``after_flush``, while attribute history is
still available). ORM-enabled bulk ``insert()/update()/delete()`` statements executed through
the session are recorded from their parameters (``do_orm_execute``). Writes that bypass the
session entirely (the demo generator's Core inserts) record a summary row themselves with
``record_bulk``.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import ORMExecuteState, Session, attributes

from fupin_desktop.models import AuditLog
from fupin_desktop.models.base import USER_NAME_LENGTH

# Columns not worth recording (they change on every write, or are the audit itself).
_SKIP_COLUMNS = {"updated_at", "created_at", "version"}
_SKIP_TABLES = {AuditLog.__tablename__}


def user_name(name: object) -> str:
    """``name`` as every user-name column stores it: at most :data:`USER_NAME_LENGTH`
    characters (a domain login name can be longer)."""
    return str(name)[:USER_NAME_LENGTH]


def os_login_name() -> str:
    """The operating system's account name, asked of the system itself (never of an
    environment variable such as USER/USERNAME, which anyone can set): the name writes
    are recorded under when nobody has signed in (a single-PC database without login)."""
    try:
        if os.name == "posix":
            import pwd

            return pwd.getpwuid(os.getuid()).pw_name
        return os.getlogin()
    except Exception:  # noqa: BLE001 - no account name on some service accounts
        return "unknown"


def current_user(session: Session) -> str:
    """Who a write is recorded under: the signed-in user (db.Database.sign_in), else the
    operating system's account name."""
    user = session.info.get("user")
    if user:
        return user_name(user)
    return user_name(os_login_name())


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def _row_key(obj: Any) -> str | None:
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    if not key or any(part is None for part in key):
        return None
    return ",".join(str(part) for part in key)


def _column_attrs(obj: Any):
    mapper = inspect(obj).mapper
    for attr in mapper.column_attrs:
        if attr.key not in _SKIP_COLUMNS:
            yield attr.key


def _snapshot(obj: Any) -> dict[str, Any]:
    state = inspect(obj)
    values = {}
    for key in _column_attrs(obj):
        if key in state.dict:
            values[key] = _jsonable(state.dict[key])
    return values


def _changes(obj: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    for key in _column_attrs(obj):
        history = attributes.get_history(obj, key)
        if history.has_changes():
            old[key] = _jsonable(history.deleted[0]) if history.deleted else None
            new[key] = _jsonable(history.added[0]) if history.added else None
    return old, new


def _after_flush(session: Session, flush_context: Any) -> None:
    now = dt.datetime.now()
    user = current_user(session)
    rows: list[dict[str, Any]] = []

    def add(obj: Any, action: str, old: dict | None, new: dict | None) -> None:
        table = inspect(obj).mapper.local_table.name
        if table in _SKIP_TABLES:
            return
        rows.append(
            {
                "at": now,
                "user": user,
                "action": action,
                "table_name": table,
                "row_key": _row_key(obj),
                "old_values": old,
                "new_values": new,
                "note": session.info.get("audit_note"),
            }
        )

    for obj in session.new:
        add(obj, "insert", None, _snapshot(obj))
    for obj in session.dirty:
        if not session.is_modified(obj, include_collections=False):
            continue
        old, new = _changes(obj)
        if new:
            add(obj, "update", old, new)
    for obj in session.deleted:
        add(obj, "delete", _snapshot(obj), None)
    if rows:
        session.connection().execute(insert(AuditLog.__table__), rows)


def _do_orm_execute(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    table = mapper.local_table.name if mapper is not None else "?"
    if table in _SKIP_TABLES:
        return
    action = "insert" if state.is_insert else "update" if state.is_update else "delete"
    params = state.parameters
    param_rows = params if isinstance(params, list) else [params] if params else []
    session = state.session
    now = dt.datetime.now()
    user = current_user(session)
    note = session.info.get("audit_note")
    if param_rows:
        rows = [
            {
                "at": now,
                "user": user,
                "action": action,
                "table_name": table,
                "row_key": str(p.get("id")) if isinstance(p, dict) and p.get("id") else None,
                "old_values": None,
                "new_values": _jsonable(dict(p)) if isinstance(p, dict) else None,
                "note": note,
            }
            for p in param_rows
        ]
    else:
        rows = [
            {
                "at": now,
                "user": user,
                "action": action,
                "table_name": table,
                "row_key": None,
                "old_values": None,
                "new_values": None,
                "note": ((note or "") + f" {state.statement}")[:200],
            }
        ]
    session.connection().execute(insert(AuditLog.__table__), rows)


def record_bulk(session_or_conn: Any, table: str, action: str, note: str, user: str) -> None:
    """Record one summary row for a write that bypassed the ORM session (Core bulk inserts)."""
    session_or_conn.execute(
        insert(AuditLog.__table__),
        [
            {
                "at": dt.datetime.now(),
                "user": user_name(user),
                "action": action,
                "table_name": table,
                "row_key": None,
                "old_values": None,
                "new_values": None,
                "note": note[:200],
            }
        ],
    )


def install(session_class: type[Session]) -> None:
    """Attach the audit hooks to a session class (a sessionmaker's ``class_``)."""
    if not event.contains(session_class, "after_flush", _after_flush):
        event.listen(session_class, "after_flush", _after_flush)
        event.listen(session_class, "do_orm_execute", _do_orm_execute)
