"""Benchmark ``fupin export households`` on 50 000 members.

    uv run python bench/bench_export.py [--members 50000]

Setup (not timed): the national-style sheet of bench_import.py is generated and imported
into a fresh SQLite database. Then, each in its own subprocess:

- ``export``: export_households() — query, code labels, text IDs, widths, frozen bold header,
  write-only openpyxl, atomic save;
- baseline ``openpyxl``: a bare openpyxl write-only dump of exactly the same cells (read
  back from our export beforehand, untimed) with ``ws.append`` and ``save``.

Printed: seconds, the ratio, peak memory (target < 600 MB). No assertions on time.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(kind: str, dbpath: str, out: str, cells: str) -> dict:
    os.environ["FUPIN_DATA_DIR"] = str(Path(dbpath).parent)
    if kind == "openpyxl":
        with open(cells, "rb") as fh:
            rows = pickle.load(fh)
        start = time.perf_counter()
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("家庭成员")
        for row in rows:
            ws.append(row)
        wb.save(out)
        return {"seconds": time.perf_counter() - start, "peak_mb": _peak_mb(), "rows": len(rows)}
    start = time.perf_counter()
    from fupin_desktop.db import open_database
    from fupin_desktop.services.household_export import export_households

    db = open_database(dbpath)
    result = export_households(db, out)
    db.dispose()
    return {"seconds": time.perf_counter() - start, "peak_mb": _peak_mb(), "rows": result.members}


def run_child(*args: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--child", nargs=4)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    with tempfile.TemporaryDirectory(prefix="fupin-bench-export-") as tmp:
        os.environ["FUPIN_DATA_DIR"] = tmp
        import bench_import

        from fupin_desktop.db import open_database
        from fupin_desktop.services.household_import import import_households

        dbpath = Path(tmp) / "bench.sqlite3"
        db = open_database(dbpath)
        villages = bench_import.make_regions(db)
        sheet = Path(tmp) / "members.xlsx"
        bench_import.make_sheet(sheet, args.members, villages)
        result = import_households(db, sheet)
        db.dispose()
        print(f"database: {result.counts['members_created']} members imported")

        ours = Path(tmp) / "export.xlsx"
        r_ours = run_child("export", str(dbpath), str(ours), "-")
        from python_calamine import CalamineWorkbook

        rows = CalamineWorkbook.from_path(str(ours)).get_sheet_by_index(0).to_python()
        cells = Path(tmp) / "cells.pickle"
        with cells.open("wb") as fh:
            pickle.dump(rows, fh)
        r_base = run_child("openpyxl", str(dbpath), str(Path(tmp) / "bare.xlsx"), str(cells))
        print(f"  export : {r_ours['seconds']:6.2f} s  peak {r_ours['peak_mb']:5.0f} MB  ({r_ours['rows']} rows)")
        print(f"openpyxl : {r_base['seconds']:6.2f} s  peak {r_base['peak_mb']:5.0f} MB  ({r_base['rows']} rows incl. header)")
        print(f"export / bare openpyxl write-only = {r_ours['seconds'] / r_base['seconds']:.2f}×")
        print(f"peak memory of export: {r_ours['peak_mb']:.0f} MB (target < 600 MB)")


if __name__ == "__main__":
    main()
