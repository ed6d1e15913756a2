"""Benchmark ``fupin demo``: the real generator against a bare-sqlite3 baseline.

    uv run python bench/bench_demo.py [--households 100000] [--seed 1]

Baseline: plain ``sqlite3`` ``executemany`` into a scratch file (WAL, synchronous=NORMAL,
one transaction) of exactly as many rows, per table, as the generator wrote, each table a
scratch copy with the same column count and no secondary indexes, filled with constant
values. It is the cost of getting that many rows of that width into SQLite at all, with no
data generation, no SQLAlchemy and no indexes.

Each side runs in its own subprocess so ``ru_maxrss`` is that side's own peak. The
generator side may start a producer process of its own (``services.producer``); its peak
is added to the generator's, which overstates the joint peak a little (the two peaks need
not coincide) and is what the 1 GB target is judged on. Prints households/s, members/s,
seconds, CPU seconds per process, peak MB, the ratio to the baseline and PASS/MISS against
the targets (100 000 households in under 30 s with under 1 GB peak). No assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path


# What ``fupin demo --households 100000`` must do on the reference 2-core machine.
TARGET_HOUSEHOLDS = 100_000
TARGET_SECONDS = 30.0
TARGET_PEAK_MB = 1024.0


def _peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def _cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def run_generator(households: int, seed: int, workdir: str) -> dict:
    os.environ["FUPIN_DATA_DIR"] = workdir
    from fupin_desktop.db import open_database
    from fupin_desktop.models import Base
    from fupin_desktop.services import demo

    db = open_database(Path(workdir) / "demo.sqlite3")
    start = time.perf_counter()
    cpu_start = _cpu_seconds(resource.RUSAGE_SELF)
    stats = demo.generate(db, households=households, seed=seed)
    seconds = time.perf_counter() - start
    cpu = _cpu_seconds(resource.RUSAGE_SELF) - cpu_start
    db.dispose()
    widths = {t.name: len(t.columns) for t in Base.metadata.sorted_tables}
    return {
        "seconds": seconds,
        "households": stats.households,
        "members": stats.members,
        "projects": stats.projects,
        "assets": stats.assets,
        "rows": stats.rows,
        "per_table": stats.per_table,
        "widths": widths,
        "peak_mb": _peak_mb(),
        "cpu": cpu,
        "parallel": stats.parallel,
        "producer_peak_mb": _peak_mb(resource.RUSAGE_CHILDREN) if stats.parallel else 0.0,
        "producer_cpu": _cpu_seconds(resource.RUSAGE_CHILDREN),
    }


def run_baseline(per_table: dict[str, int], widths: dict[str, int], workdir: str) -> dict:
    path = Path(workdir) / "baseline.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    start = time.perf_counter()
    conn.execute("BEGIN")
    rows_total = 0
    for name, count in per_table.items():
        width = widths[name]
        cols = ", ".join(f"c{i}" for i in range(1, width))
        conn.execute(f"CREATE TABLE {name} (id INTEGER PRIMARY KEY, {cols})")
        marks = ", ".join("?" for _ in range(width))
        template = (None,) + tuple(
            ("值" * 4, 12345, 1.5, None)[i % 4] for i in range(1, width)
        )
        rows = ((i,) + template[1:] for i in range(1, count + 1))
        conn.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)
        rows_total += count
    conn.execute("COMMIT")
    seconds = time.perf_counter() - start
    conn.close()
    return {"seconds": seconds, "rows": rows_total, "peak_mb": _peak_mb()}


def _child(kind: str, payload: dict) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, json.dumps(payload)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, payload = args.child[0], json.loads(args.child[1])
        if kind == "generate":
            result = run_generator(payload["households"], payload["seed"], payload["workdir"])
        else:
            result = run_baseline(payload["per_table"], payload["widths"], payload["workdir"])
        print(json.dumps(result))
        return 0

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as workdir:
        gen = _child(
            "generate", {"households": args.households, "seed": args.seed, "workdir": workdir}
        )
        base = _child(
            "baseline", {"per_table": gen["per_table"], "widths": gen["widths"], "workdir": workdir}
        )
    s = gen["seconds"]
    b = base["seconds"]
    ok_time = s < TARGET_SECONDS
    peak = gen["peak_mb"] + gen["producer_peak_mb"]
    ok_mem = peak < TARGET_PEAK_MB
    print(f"demo.generate  households={gen['households']} members={gen['members']} "
          f"projects={gen['projects']} assets={gen['assets']} rows={gen['rows']}")
    print(f"  seconds      {s:10.2f}")
    print(f"  households/s {gen['households'] / s:10.0f}")
    print(f"  members/s    {gen['members'] / s:10.0f}")
    print(f"  rows/s       {gen['rows'] / s:10.0f}")
    if gen["parallel"]:
        print(f"  CPU seconds  {gen['cpu']:10.2f} writer + {gen['producer_cpu']:.2f} producer process")
        print(f"  peak RSS     {peak:10.0f} MB ({gen['peak_mb']:.0f} writer + "
              f"{gen['producer_peak_mb']:.0f} producer process)")
    else:
        print(f"  CPU seconds  {gen['cpu']:10.2f} (one process: no producer)")
        print(f"  peak RSS     {peak:10.0f} MB")
    print("baseline (bare sqlite3 executemany, same rows per table and widths, no indexes)")
    print(f"  seconds      {b:10.2f}")
    print(f"  rows/s       {base['rows'] / b:10.0f}")
    print(f"  peak RSS     {base['peak_mb']:10.0f} MB")
    print(f"ratio generate / baseline: {s / b:.2f}x")
    print("largest tables: " + ", ".join(
        f"{k} {v}" for k, v in sorted(gen["per_table"].items(), key=lambda kv: -kv[1])[:6]))
    print(f"load average before/after: {load_before:.2f} / {os.getloadavg()[0]:.2f} "
          f"on {os.cpu_count()} CPUs (a busy machine inflates both sides; compare the ratio)")
    if args.households == TARGET_HOUSEHOLDS:
        print(f"target {TARGET_SECONDS:.0f} s:  {'PASS' if ok_time else 'MISS'} ({s:.1f} s)")
        print(f"target {TARGET_PEAK_MB:.0f} MB: {'PASS' if ok_mem else 'MISS'} ({peak:.0f} MB)")
    else:
        print(f"targets ({TARGET_SECONDS:.0f} s, {TARGET_PEAK_MB:.0f} MB) apply to "
              f"--households {TARGET_HOUSEHOLDS}; not judged for {args.households}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
