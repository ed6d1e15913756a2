"""Benchmark the 月报: the monthly report of a whole 100 000-household demo county, and its
xlsx, against bare SQL counts measured in the same run.

    uv run fupin --db /tmp/bench_report.db demo --households 100000 -q   # once
    uv run python bench/bench_report.py [--db /tmp/bench_report.db] [--month 2026-09] [--repeat 5]

Measured: ``services.reports.monthly_report(live=True)`` for the county (every township and
village, all seven column groups), ``write_report_xlsx`` of it, and ``services.reports.trend``
(the page's 12-month trend of the county's totals), as a ratio against the single-month
report (medians).

Baselines (bare ``sqlite3``, medians, same run): one ``count(*) … GROUP BY village`` over
the tables the report's main query reads — households joined to their members (people per
village) — and, for reference, the households alone (an index-only count).
Targets (ISSUE #13): report < 2 s and ≤ 10× the baseline; xlsx < 1 s; the 12-month trend
< 2 s (12 single-month reports would be ~12×). No assertions: it prints the figures.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

BASELINE_SQL = ("SELECT h.region_code, count(*) FROM households h JOIN members m "
                "ON m.household_id = h.id GROUP BY h.region_code")
HOUSEHOLDS_SQL = "SELECT region_code, count(*) FROM households GROUP BY region_code"


def _median(work, repeat: int) -> tuple[float, object]:
    result = work()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="/tmp/bench_report.db")
    parser.add_argument("--month", default="2026-09")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not Path(args.db).exists():
        print(f"没有 {args.db}：先运行 uv run fupin --db {args.db} demo --households 100000 -q",
              file=sys.stderr)
        return 2

    from fupin_desktop.db import open_database
    from fupin_desktop.services.reports import monthly_report, trend, write_report_xlsx

    raw = sqlite3.connect(args.db)
    base, rows = _median(lambda: raw.execute(BASELINE_SQL).fetchall(), args.repeat)
    base_hh, _ = _median(lambda: raw.execute(HOUSEHOLDS_SQL).fetchall(), args.repeat)
    people = sum(n for _code, n in rows)
    raw.close()

    db = open_database(args.db)
    with db.session() as session:
        report_s, report = _median(
            lambda: monthly_report(session, args.month, live=True), args.repeat)
        trend_s, months = _median(lambda: trend(session, None, args.month), max(1, args.repeat // 2))
    db.dispose()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "月报.xlsx"
        xlsx_s, _ = _median(lambda: write_report_xlsx(report, out), args.repeat)

    t = report.total
    print(f"{report.title}: {len(report.rows)} 行, {len(rows)} 个村有户, {people} 人（在册成员记录）")
    print(f"  脱贫户 {t['households_tuopin']} 户 {t['people_tuopin']} 人; 监测对象 "
          f"{t['households_monitored']} 户 {t['people_monitored']} 人; 本月新识别 "
          f"{t['new_monitored_households']} 户, 风险消除 {t['eliminated_households']} 户; "
          f"自然增加 {t['people_added']} 人, 自然减少 {t['people_removed']} 人; 项目 "
          f"{t['projects_planned']}/{t['projects_started']}/{t['projects_completed']}; 资金下达 "
          f"{t['funds_allocated']} 元; 资产 {t['assets_count']} 个")
    print(f"baseline count(*) households⋈members by village: {base * 1000:8.1f} ms")
    print(f"reference count(*) households by village:         {base_hh * 1000:8.1f} ms")
    print(f"monthly_report (live, whole county):             {report_s * 1000:8.1f} ms  "
          f"= {report_s / base:.1f}× baseline   target < 2000 ms and ≤ 10×: "
          f"{'PASS' if report_s < 2 and report_s <= 10 * base else 'MISS'}")
    print(f"trend (12 months, whole county):                 {trend_s * 1000:8.1f} ms  "
          f"= {trend_s / report_s:.2f}× the single-month report ({len(months)} months)   target < 2000 ms: "
          f"{'PASS' if trend_s < 2 else 'MISS'}")
    print(f"write_report_xlsx:                               {xlsx_s * 1000:8.1f} ms  "
          f"target < 1000 ms: {'PASS' if xlsx_s < 1 else 'MISS'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
