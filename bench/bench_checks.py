"""Benchmark 核查 (``services.checks.run_checks``) against the per-household loop it replaces.

    uv run fupin --db /tmp/bench_checks.db demo --households 100000 -q   # once, ~25 s
    uv run python bench/bench_checks.py [--db /tmp/bench_checks.db] [--sample 5000]

Works on a scratch copy of the database (upgraded to the current schema). Baseline: the
loop ``registry.recheck_households(only_unchecked=False)`` ran before 核查 existed — load
500 households at a time as ORM objects with their members and years, snapshot each as
the editor does, run the shared validator (``registry.check_household_data``) and write
each household's error count with one UPDATE (here into a scratch table, the column being
gone). It is timed on the first ``--sample`` households and extrapolated linearly to the
whole county (it is linear: fixed-size batches). Then the whole county is checked by
``run_checks`` (every check of the catalogue, stored), twice: a first run and a repeat
(which also works out what was fixed). Prints wall and CPU seconds (this process; CPU is
steadier when other work shares the cores), households/s, the ratios and
PASS/MISS against the targets (< 10 s, ≥ 10× the baseline). No assertions.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 10.0
TARGET_RATIO = 10.0


def baseline(db, sample: int) -> tuple[int, float, float, int]:
    """(households in the county, wall and CPU seconds for the first ``sample`` with the
    old loop, sample size)."""
    import datetime as dt

    from sqlalchemy import func, select, text
    from sqlalchemy.orm import selectinload

    from fupin_desktop.models import Household
    from fupin_desktop.models.household import HOUSEHOLD_ACTIVE
    from fupin_desktop.services.registry import _snapshot, check_household_data

    with db.session() as s:
        total = s.scalar(select(func.count()).select_from(Household).where(Household.status == HOUSEHOLD_ACTIVE))
        s.execute(text("CREATE TEMP TABLE old_error_count (id INTEGER PRIMARY KEY, n INTEGER)"))
        start, cpu = time.perf_counter(), time.process_time()
        ids = list(s.scalars(select(Household.id).where(Household.status == HOUSEHOLD_ACTIVE)
                             .order_by(Household.id).limit(sample)))
        today = dt.date.today()
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            households = s.scalars(select(Household).where(Household.id.in_(chunk))
                                   .options(selectinload(Household.members), selectinload(Household.years))).all()
            for hh in households:
                problems = check_household_data(_snapshot(hh), today)
                s.execute(text("INSERT INTO old_error_count (id, n) VALUES (:i, :n)"),
                          {"i": hh.id, "n": sum(p.severity == "error" for p in problems)})
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        s.rollback()
    return total, seconds, cpu, len(ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="/tmp/bench_checks.db")
    parser.add_argument("--sample", type=int, default=5000)
    args = parser.parse_args()
    source = Path(args.db)
    if not source.exists():
        raise SystemExit(f"{source} not found: generate it with fupin --db {source} demo --households 100000 -q")
    work = Path(tempfile.mkdtemp(prefix="bench_checks_"))
    os.environ["FUPIN_DATA_DIR"] = str(work)
    try:
        copy = work / "county.sqlite3"
        shutil.copyfile(source, copy)
        from fupin_desktop.db import open_database
        from fupin_desktop.services.checks import run_checks

        db = open_database(copy)  # upgrades the copy to the current schema
        total, base_seconds, base_cpu, sampled = baseline(db, args.sample)
        base_total = base_seconds / sampled * total
        base_cpu_total = base_cpu / sampled * total
        print(f"baseline (old per-household loop): {sampled} households in {base_seconds:.2f} s "
              f"(CPU {base_cpu:.2f} s, {sampled / base_seconds:.0f}/s) -> extrapolated to {total}: "
              f"{base_total:.1f} s (CPU {base_cpu_total:.1f} s)")
        runs, cpus = [], []
        for label in ("first run", "repeat run"):
            with db.session() as s:
                start, cpu = time.perf_counter(), time.process_time()
                result = run_checks(s, user="bench")
                s.commit()
                seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
            runs.append(seconds)
            cpus.append(cpu)
            findings = len(result.findings)
            print(f"run_checks {label}: {result.households_checked} households, {findings} findings "
                  f"in {seconds:.2f} s (CPU {cpu:.2f} s, {result.households_checked / seconds:.0f}/s, stored and committed)")
        db.dispose()
        best = runs[0]
        ratio = base_total / best
        print(f"ratio (baseline / first run): {ratio:.1f}x wall, {base_cpu_total / cpus[0]:.1f}x CPU "
              "(CPU time is steadier on a shared machine)")
        print(f"target < {TARGET_SECONDS:.0f} s: {'PASS' if best < TARGET_SECONDS else 'MISS'} ({best:.2f} s); "
              f"target >= {TARGET_RATIO:.0f}x: {'PASS' if ratio >= TARGET_RATIO else 'MISS'} ({ratio:.1f}x)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
