"""Text written to .xlsx stays text, whatever it starts with.

openpyxl turns a string that starts with ``=`` into a formula and one that reads like an
Excel error code (``#N/A``) into an error cell. Names, addresses and notes come from files
and clerks, so a value such as ``=HYPERLINK(…)`` must reach Excel as the text it is. Every
writer passes its rows through :func:`text_row` (or builds styled cells with
:func:`text_cell`): the cell keeps its value and is written with the string type.
"""

from __future__ import annotations

from typing import Any

__all__ = ["text_cell", "text_row"]


def text_cell(ws: Any, value: Any) -> Any:
    """An openpyxl cell of ``ws`` (write-only or not) holding ``value``; a string is written
    as a string (never a formula or an error code)."""
    from openpyxl.cell import WriteOnlyCell  # a plain Cell at A1; append() places it

    cell = WriteOnlyCell(ws, value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def text_row(ws: Any, values: list[Any]) -> list[Any]:
    """``values`` ready for ``ws.append``: each string openpyxl would not write as a string
    (``=…``, ``#…``) is replaced by a :func:`text_cell`, in place; returns ``values``."""
    for i, v in enumerate(values):
        if v.__class__ is str and v[:1] in ("=", "#"):
            values[i] = text_cell(ws, v)
    return values
