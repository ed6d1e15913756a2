"""Benchmark the bundled national division list (issue #12 §1).

    uv run python bench/bench_regions.py [--repeat 5]

Figures, each the median of ``--repeat`` runs with a fresh ``NationalRegions`` (nothing
cached in the process; the file itself is in the OS cache after the first run):

- 一县乡村: open the resource, read its index, then one county's townships and villages
  (望谟县, and the county with the most villages), the work behind the set-up dialog and
  ``fupin init --county``. Target < 1 s.
- 新进程: the same in a new Python process, once (the import of the module, i.e. SQLAlchemy
  and the models the app imports anyway, is printed apart).
- 县搜索: ``search_counties`` on a name part, pinyin initials and a code prefix (the first
  search of a fresh instance builds the search keys; it is timed separately).
- 建库: ``setup_county`` of the largest county into a new SQLite database (writes, audit).

Baseline in the same run: reading the whole resource file's bytes (``Path.read_bytes``),
the floor any loader of this file pays; the ratio says how far above it each figure is.
No assertions: it prints the figures.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fupin_desktop.paths import resource_path  # noqa: E402
from fupin_desktop.services import regions as R  # noqa: E402


def _median(work, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _county_load(code: str) -> int:
    nat = R.NationalRegions()
    towns = nat.children(code)
    return len(towns) + sum(len(nat.children(t.code)) for t in towns)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    path = resource_path("regions", R.OUTPUT_NAME)
    size = path.stat().st_size
    path.read_bytes()  # warm the OS cache for both sides
    baseline = _median(path.read_bytes, args.repeat)
    print(f"资源文件：{path.name}，{size / 1e6:.2f} MB")
    print(f"基准（读出整个文件的字节）：{baseline * 1000:.2f} ms")

    nat = R.NationalRegions()
    biggest = max(nat.counties(), key=lambda c: sum(len(nat.children(t.code)) for t in nat.children(c.code)))
    for code in ("522326000000", biggest.code):
        n = _county_load(code)
        t = _median(lambda code=code: _county_load(code), args.repeat)
        print(f"一县乡村（{R.national().full_name(code)}，{n} 个乡村）：{t * 1000:.2f} ms，"
              f"为基准的 {t / baseline:.2f} 倍")

    code = (
        "import time; t=time.perf_counter(); from fupin_desktop.services import regions as R; "
        "u=time.perf_counter(); n=R.national(); towns=n.children('522326000000'); "
        "[n.children(x.code) for x in towns]; print(u-t, time.perf_counter()-u)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    imports, cold = (float(x) for x in out.stdout.split())
    print(f"新进程中一县乡村：{cold * 1000:.1f} ms，为基准的 {cold / baseline:.1f} 倍"
          f"（另：导入模块及其依赖 SQLAlchemy、数据模型 {imports * 1000:.0f} ms，程序启动时本就要导入）")

    first = _median(lambda: R.NationalRegions().search_counties("望谟"), args.repeat)
    print(f"县搜索（新实例首次，含建立搜索键）：{first * 1000:.2f} ms，为基准的 {first / baseline:.2f} 倍")
    warm = R.NationalRegions()
    warm.search_counties("x")
    for query in ("望谟", "wm", "5223", "城关"):
        t = _median(lambda query=query: warm.search_counties(query), args.repeat)
        print(f"县搜索“{query}”：{t * 1000:.2f} ms，为基准的 {t / baseline:.2f} 倍")

    from fupin_desktop.db import open_database

    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "bench.sqlite3", user="bench")
        start = time.perf_counter()
        with db.session() as session:
            created = R.setup_county(session, biggest.code)
        t = time.perf_counter() - start
        db.dispose()
    print(f"建库（setup_county {biggest.name}，新建 {len(created)} 个区划，SQLite）：{t * 1000:.0f} ms，"
          f"为基准的 {t / baseline:.1f} 倍")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
