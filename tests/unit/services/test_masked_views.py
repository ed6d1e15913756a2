"""A masked view (``export --mask``, ``households show`` without ``--full-ids``) cannot be
undone: the masked ID keeps the first 6 and last 4 characters, so a full 出生日期 beside it
would give the middle 8 back. Masking shows the birth year only."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl

from fupin_desktop.cli import main
from fupin_desktop.rules.idnumber import check_char
from fupin_desktop.services.household_export import export_households
from tests.factories import add_household, add_regions


def _candidates(masked_id: str, shown_birth) -> list[str]:
    """Every full ID consistent with what a masked view shows (prefix, tail, birth)."""
    prefix, tail = masked_id[:6], masked_id[-4:]
    text = str(shown_birth or "")
    digits = "".join(ch for ch in text if ch.isdigit())
    out = []
    day = dt.date(1900, 1, 1)
    while day.year < 2030:
        if day.strftime("%Y%m%d").startswith(digits[:8]):
            first17 = prefix + day.strftime("%Y%m%d") + tail[:3]
            if check_char(first17) == tail[3]:
                out.append(first17 + tail[3])
        day += dt.timedelta(days=1)
    return out


def _setup(db):
    with db.session() as s:
        add_regions(s)
        add_household(s)


def test_masked_export_cannot_be_undone(db, tmp_path):
    _setup(db)
    full = tmp_path / "full.xlsx"
    export_households(db, full)
    ws = openpyxl.load_workbook(full).active
    header = [c.value for c in ws[1]]
    id_col, birth_col = header.index("证件号码"), header.index("出生日期")
    full_rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert all(isinstance(r[birth_col], dt.datetime) for r in full_rows)  # unmasked: whole date

    masked = tmp_path / "masked.xlsx"
    export_households(db, masked, mask=True)
    ws = openpyxl.load_workbook(masked).active
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert [r[birth_col] for r in rows] == ["1970年", "1972年"]
    for full_row, row in zip(full_rows, rows, strict=True):
        candidates = _candidates(row[id_col], row[birth_col])
        assert full_row[id_col] in candidates and len(candidates) > 10


def test_households_show_masks_birth_dates(sqlite_db, capsys):
    _setup(sqlite_db)
    assert main(["--db", sqlite_db.url, "households", "show", "5223261002010001"]) == 0
    out = capsys.readouterr().out
    assert "1970-05-01" not in out and "1972-03-09" not in out and "1970年" in out
    assert main(["--db", sqlite_db.url, "households", "show", "5223261002010001", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    for m in data["members"]:
        assert len(_candidates(m["id_number"], m["birth_date"])) > 10
    assert main(["--db", sqlite_db.url, "households", "show", "5223261002010001", "--full-ids"]) == 0
    assert "1970-05-01" in capsys.readouterr().out
