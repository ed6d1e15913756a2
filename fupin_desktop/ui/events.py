"""``data_events().data_changed``: one signal after every committed write to a database.

Counters on the pages (扶贫手册's header, the region tree's 户数/人数) follow writes through
this signal instead of waiting for F5. It is raised by the database engine itself, after the
commit of any transaction that inserted, updated or deleted rows — every write path of the
program (dialogs, the household window, imports, background operations) goes through an
engine, so none can forget to announce itself. Emitted from whichever thread committed;
receivers in the GUI thread get it queued.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from fupin_desktop.db import Database

_WROTE = "fupin_wrote"
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class DataEvents(QObject):
    data_changed = Signal(str)  # the database's URL


_events: DataEvents | None = None


def data_events() -> DataEvents:
    """The program's one DataEvents object (created on first use, in the GUI thread)."""
    global _events
    if _events is None:
        _events = DataEvents()
    return _events


def _before_execute(conn: Connection, _cursor, statement: str, *_args) -> None:
    if statement.lstrip()[:7].upper().startswith(_WRITES):
        conn.info[_WROTE] = True


def _on_commit(conn: Connection) -> None:
    if conn.info.pop(_WROTE, False):
        data_events().data_changed.emit(conn.info.get("fupin_url", ""))


def _on_rollback(conn: Connection) -> None:
    conn.info.pop(_WROTE, None)


def watch_writes(db: Database) -> None:
    """Announce ``db``'s committed writes on ``data_events().data_changed`` (idempotent)."""
    data_events()  # created here, in the GUI thread, before any worker commits
    engine: Engine = db.engine
    if event.contains(engine, "before_cursor_execute", _before_execute):
        return
    url = db.url

    def tag(conn: Connection) -> None:
        conn.info["fupin_url"] = url

    event.listen(engine, "engine_connect", tag)
    event.listen(engine, "before_cursor_execute", _before_execute)
    event.listen(engine, "commit", _on_commit)
    event.listen(engine, "rollback", _on_rollback)
