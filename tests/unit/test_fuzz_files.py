"""Structural fuzzing of the files an import reads: damaged .xlsx parts (dimension, shared
strings, styles, zip entries, references far away, merged ranges) and CSV fields of every
size. Each case runs ``fupin import households`` against a filled database in one child
process whose address space is capped: exit 0 or 2, at most one line on stderr, the
database unchanged, and the child's peak memory bounded."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from tests.unit.services.test_household_import import HEADERS, base_people, person, write_xlsx

ROOT = Path(__file__).resolve().parents[2]
SS_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SS_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def _entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in entries.items():
            zf.writestr(name, body)
    return out.getvalue()


def with_shared_strings(data: bytes) -> bytes:
    """The workbook with its inline strings moved to xl/sharedStrings.xml, as Excel saves."""
    e = _entries(data)
    sheet = e["xl/worksheets/sheet1.xml"].decode()
    strings: list[str] = []

    def to_ref(m: re.Match) -> str:
        strings.append(m.group(2))
        return f'<c r="{m.group(1)}" t="s"><v>{len(strings) - 1}</v></c>'

    sheet = re.sub(r'<c r="([A-Z]+\d+)" t="inlineStr"><is><t>(.*?)</t></is></c>', to_ref, sheet)
    e["xl/worksheets/sheet1.xml"] = sheet.encode()
    e["xl/sharedStrings.xml"] = (
        f'<sst xmlns="{SS_NS}" count="{len(strings)}" uniqueCount="{len(strings)}">'
        + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>").encode()
    e["[Content_Types].xml"] = e["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    e["xl/_rels/workbook.xml.rels"] = e["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", f'<Relationship Id="rIdSS" Type="{SS_TYPE}" Target="sharedStrings.xml"/>'
        "</Relationships>".encode())
    return _zip(e)


def _edit(data: bytes, name: str, fn) -> bytes:
    e = _entries(data)
    if fn is None:
        del e[name]
    else:
        e[name] = fn(e[name])
    return _zip(e)


def _sheet(fn):
    return lambda data: _edit(data, "xl/worksheets/sheet1.xml", fn)


def _before_end_of_data(extra: bytes):
    return _sheet(lambda s: s.replace(b"</sheetData>", extra + b"</sheetData>"))


BOMB = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
        b'<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">]>')

XLSX_MUTATIONS = {
    "dimension huge": _sheet(lambda s: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', s)),
    "dimension garbage": _sheet(lambda s: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="ZZZZ0:-1"/>', s)),
    "cell at XFD1048576": _before_end_of_data(b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'),
    "cell at A1048576": _before_end_of_data(b'<row r="1048576"><c r="A1048576"><v>1</v></c></row>'),
    "cell beyond Excel": _before_end_of_data(b'<row r="2000000"><c r="AAAA2000000"><v>1</v></c></row>'),
    "unnumbered cells": _before_end_of_data(b'<row r="1048576">' + b"<c/>" * 16383 + b"<c><v>1</v></c></row>"),
    "merged to the edge": _sheet(lambda s: s.replace(b'<mergeCell ref="A1:U1"/>', b'<mergeCell ref="A4:XFD1048576"/>')),
    "formula without result": _sheet(lambda s: s.replace(b'<c r="D4" t="s"><v>', b'<c r="D4"><f>A1&amp;B1</f></c><c r="Z999" t="s"><v>', 1)),
    "shared strings removed": lambda d: _edit(d, "xl/sharedStrings.xml", None),
    "shared strings truncated": lambda d: _edit(d, "xl/sharedStrings.xml", lambda s: s[: len(s) // 2]),
    "shared strings huge count": lambda d: _edit(d, "xl/sharedStrings.xml", lambda s: re.sub(
        rb'count="\d+" uniqueCount="\d+"', b'count="4000000000" uniqueCount="4000000000"', s)),
    "shared string index out of range": _sheet(lambda s: re.sub(rb'(t="s"><v>)\d+', rb"\g<1>99999999", s, count=3)),
    "shared strings entity bomb": lambda d: _edit(d, "xl/sharedStrings.xml", lambda s: BOMB + s.replace(b"<t>", b"<t>&f;", 1)),
    "styles removed": lambda d: _edit(d, "xl/styles.xml", None),
    "styles garbage": lambda d: _edit(d, "xl/styles.xml", lambda s: b"\x00\xff" * 500),
    "styles huge counts": lambda d: _edit(d, "xl/styles.xml", lambda s: re.sub(rb'count="\d+"', b'count="2147483647"', s)),
    "cell style out of range": _sheet(lambda s: s.replace(b'<c r="A4"', b'<c s="99999" r="A4"', 1)),
    "workbook removed": lambda d: _edit(d, "xl/workbook.xml", None),
    "workbook entity bomb": lambda d: _edit(d, "xl/workbook.xml", lambda s: BOMB + s.split(b"?>", 1)[-1]),
    "workbook rels removed": lambda d: _edit(d, "xl/_rels/workbook.xml.rels", None),
    "sheet removed": lambda d: _edit(d, "xl/worksheets/sheet1.xml", None),
    "sheet truncated": _sheet(lambda s: s[: len(s) * 2 // 3]),
    "content types removed": lambda d: _edit(d, "[Content_Types].xml", None),
    "zip truncated": lambda d: d[: len(d) * 3 // 5],
    "zip byte flipped": lambda d: d[:400] + bytes([d[400] ^ 0xFF]) + d[401:],
}


def _csv(rows: list[list[str]]) -> bytes:
    return "\n".join(",".join(r) for r in rows).encode("utf-8")


def _people_rows() -> list[list[str]]:
    return [[str(p.get(h) or "") for h in HEADERS] for p in base_people()]


CSV_CASES = {
    f"csv field {n}": _csv([HEADERS] + [r[:3] + ["长" * n] + r[4:] if i == 1 else r for i, r in enumerate(_people_rows())])
    for n in (131_071, 131_073, 2_000_000)
}
CSV_CASES["csv 20000 columns"] = _csv([HEADERS + [f"列{i}" for i in range(20_000)]] + _people_rows())
CSV_CASES["csv open quote"] = _csv([HEADERS]) + b'\n"' + b"x" * 300_000
CSV_CASES["csv 100000 blank lines"] = _csv([HEADERS] + _people_rows()) + b"\n" * 100_000


CHILD = textwrap.dedent("""
    import contextlib, hashlib, io, json, resource, sqlite3, sys
    resource.setrlimit(resource.RLIMIT_AS, (AS_BYTES, AS_BYTES))
    from fupin_desktop.cli import main
    db, files = sys.argv[1], sys.argv[2:]

    def digest():
        con = sqlite3.connect(db)
        try:
            return hashlib.sha256("\\n".join(con.iterdump()).encode()).hexdigest()
        finally:
            con.close()

    before = digest()
    for path in files:
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(["--db", db, "import", "households", path])
        print(json.dumps({"file": path, "code": code, "stderr": err.getvalue(), "same": digest() == before,
                          "peak_mb": int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) / 1024},
                         ensure_ascii=False), flush=True)
""")


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS")
def test_damaged_files_end_cleanly_within_bounds(sqlite_db, tmp_path):
    from fupin_desktop.services import household_import as hi
    from tests.factories import add_regions

    with sqlite_db.session() as s:
        add_regions(s)
    base = write_xlsx(tmp_path / "base.xlsx", base_people())
    hi.import_households(sqlite_db, base)
    sqlite_db.dispose()
    shared = with_shared_strings(base.read_bytes())
    cases = {name: fn(shared) for name, fn in XLSX_MUTATIONS.items()} | CSV_CASES
    files = []
    for i, (name, data) in enumerate(cases.items()):
        path = tmp_path / f"case{i:02d}.{'csv' if name.startswith('csv') else 'xlsx'}"
        path.write_bytes(data)
        files.append((name, path))
    assert max(len(d) for d in cases.values()) < 7_000_000  # small files only
    proc = subprocess.run(
        [sys.executable, "-c", CHILD.replace("AS_BYTES", str(2 << 30)), sqlite_db.url.removeprefix("sqlite:///"),
         *[str(p) for _n, p in files]],
        capture_output=True, text=True, timeout=300, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(results) == len(files), proc.stderr[-3000:]
    by_file = {r["file"]: r for r in results}
    for name, path in files:
        r = by_file[str(path)]
        lines = [line for line in r["stderr"].splitlines() if line.strip()]
        assert r["code"] in (0, 2), (name, r)
        assert len(lines) <= (1 if r["code"] == 2 else 0), (name, lines)
        assert "Traceback" not in r["stderr"], name
        assert r["same"], (name, "database changed")
    assert max(r["peak_mb"] for r in results) < 900
