"""Benchmark start-up as whole processes: ``fupin --version``, ``fupin --help`` and the desktop
program (main window painted, household list painted with rows) on a large database.

    uv run fupin --db /tmp/big.db demo --households 100000 -q     # once, ~2 min
    uv run python bench/bench_startup.py [--db /tmp/big.db] [--repeat 5] [--exe PATH]

Each figure is the median wall time from starting the process. The desktop program signals
its own moments (``FUPIN_STARTUP_PROBE=quit``, see ``ui/startup_probe.py``): ``window-shown``
is the main window's first paint, ``first-rows`` the household list's first paint with rows;
the program then closes. ``--exe`` runs a built bundle (installer/fupin.spec) instead of
``python -m fupin_desktop``.

Baseline, measured in the same run: ``python -c "import PySide6.QtWidgets"`` (the floor of any
Qt program started the same way). Targets (ISSUE #16): --version/--help < 0.3 s; window
< 1 s; first rows < 1.5 s with 100 000 households. Prints the figures; no assertions.
The desktop runs use the offscreen platform unless QT_QPA_PLATFORM is set (e.g. xcb under Xvfb).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _wall(cmd: list[str], env: dict[str, str]) -> float:
    start = time.time()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.time() - start


def _gui(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    start = time.time()
    proc = subprocess.run(cmd, env={**env, "FUPIN_STARTUP_PROBE": "quit"}, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)
    moments = {}
    for line in proc.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "fupin-startup":
            moments[parts[1]] = float(parts[2]) - start
    if "first-rows" not in moments:
        raise SystemExit(f"no first-rows signal (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return moments["window-shown"], moments["first-rows"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="/tmp/big.db", help="a demo database (100 000 households)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--exe", help="a built bundle's fupin executable instead of the source")
    args = parser.parse_args()
    if not Path(args.db).is_file():
        raise SystemExit(f"{args.db} not found: uv run fupin --db {args.db} demo --households 100000 -q")

    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["FUPIN_DATA_DIR"] = tempfile.mkdtemp(prefix="bench_startup_")  # own settings and logs
    fupin = [args.exe] if args.exe else [sys.executable, "-m", "fupin_desktop"]
    baseline_cmd = [sys.executable, "-c", "import PySide6.QtWidgets"]

    rows: dict[str, list[float]] = {k: [] for k in ("qt", "version", "help", "window", "first")}
    _wall(baseline_cmd, env)  # warm the file cache
    _gui([*fupin, "--db", args.db, "gui"], env)
    for _ in range(args.repeat):
        rows["qt"].append(_wall(baseline_cmd, env))
        rows["version"].append(_wall([*fupin, "--version"], env))
        rows["help"].append(_wall([*fupin, "--help"], env))
        window, first = _gui([*fupin, "--db", args.db, "gui"], env)
        rows["window"].append(window)
        rows["first"].append(first)

    med = {k: statistics.median(v) for k, v in rows.items()}
    qt = med["qt"]
    print(f"start-up, median of {args.repeat} ({'bundle ' + args.exe if args.exe else 'source'}, "
          f"{env['QT_QPA_PLATFORM']}, {args.db})")
    print(f"  baseline  python -c 'import PySide6.QtWidgets'  {qt:6.3f} s")
    for key, label, target in (("version", "fupin --version", 0.3), ("help", "fupin --help", 0.3),
                               ("window", "main window shown", 1.0),
                               ("first", "household list rows", 1.5)):
        print(f"  {label:<26} {med[key]:6.3f} s   {med[key] / qt:5.1f}× baseline   "
              f"(target < {target} s)")


if __name__ == "__main__":
    main()
