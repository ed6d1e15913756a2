"""Benchmark 识别定级 over a county (``services.risk.suggest_grades``: one query per fact)
against grading one household at a time (``suggestion_for`` per household, what the
household window does), and time the warnings and the visit schedule.

    uv run fupin --db /tmp/bench_risk.db demo --households 20000 -q   # once
    uv run python bench/bench_risk.py [--db /tmp/bench_risk.db] [--sample 300]

Works on a scratch copy. The per-household loop is timed on the first ``--sample``
households and extrapolated linearly. Prints seconds and the ratio; no assertions.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="/tmp/bench_risk.db")
    parser.add_argument("--sample", type=int, default=300)
    args = parser.parse_args()
    from fupin_desktop.db import open_database
    from fupin_desktop.services import risk

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "copy.db"
        shutil.copyfile(args.db, copy)
        os.environ.setdefault("FUPIN_DATA_DIR", tmp)
        db = open_database(copy, user="bench")
        with db.session() as s:
            start = time.perf_counter()
            suggestions = risk.suggest_grades(s)
            whole = time.perf_counter() - start
            ids = [x.household_id for x in suggestions[:args.sample]]
            start = time.perf_counter()
            for hid in ids:
                risk.suggestion_for(s, hid)
            loop = (time.perf_counter() - start) / len(ids) * len(suggestions)
            start = time.perf_counter()
            risk.apply_suggestions(s, suggestions)
            applied = time.perf_counter() - start
            start = time.perf_counter()
            result = risk.refresh_warnings(s)
            warn = time.perf_counter() - start
            start = time.perf_counter()
            plan = risk.visit_schedule(s, f"{dt.date.today():%Y-%m}")
            visits = time.perf_counter() - start
        db.dispose()
    print(f"households graded: {len(suggestions)}")
    print(f"suggest_grades (set-based): {whole:.2f} s")
    print(f"per-household loop (extrapolated from {len(ids)}): {loop:.2f} s")
    print(f"ratio loop / set-based: {loop / whole:.1f}x")
    print(f"apply {len(suggestions)} grades: {applied:.2f} s")
    print(f"refresh_warnings: {warn:.2f} s ({result.raised} raised)")
    print(f"visit_schedule: {visits:.2f} s ({len(plan)} due)")


if __name__ == "__main__":
    main()
