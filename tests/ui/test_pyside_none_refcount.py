"""Regression test for the PySide6 6.12.0 / Python 3.11 bug in TECH-NOTES: each time Qt
calls a Python ``data()``/``headerData()`` override that returns ``None``, one reference to
``None`` is lost, and a table view soon aborts the process (``none_dealloc``).

An upgrade that brings the bug back fails here: either the counts drift or the probe
process dies. Runs in a subprocess so a crash fails this test instead of the whole run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import PySide6

PROBE = Path(__file__).with_name("none_refcount_probe.py")
TOLERANCE = 50  # the bug loses one reference per call: 20 000 or more


def test_none_refcount_stable_when_qt_calls_python_models():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, str(PROBE)], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 0, (
        f"probe crashed (PySide6 {PySide6.__version__}; none_dealloc is the 6.12.0 bug):\n"
        f"{proc.stdout}\n{proc.stderr}"
    )
    match = re.search(r"api_delta=(-?\d+) view_delta=(-?\d+) painted=(\d+)", proc.stdout)
    assert match, proc.stdout + proc.stderr
    api_delta, view_delta, painted = map(int, match.groups())
    assert painted >= 20_000
    assert abs(api_delta) <= TOLERANCE, f"None lost {-api_delta} references via QModelIndex.data()"
    assert abs(view_delta) <= TOLERANCE, f"None lost {-view_delta} references painting a view"
