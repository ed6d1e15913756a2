"""A stand-in for ``services.reports`` with the agreed API (tests only), so the page can
be exercised with figures the test chooses; the real service is tested in
tests/ui/reports/test_reports_real.py against a database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest


@dataclass
class FakeRow:
    code: str
    name: str
    level: str
    figures: dict[str, Any]


@dataclass
class FakeReport:
    kind: str
    period: str
    region_code: str
    region_name: str
    submitted: bool
    revision: int | None
    submitted_by: str | None
    submitted_at: dt.datetime | None
    rows: list[FakeRow]
    total: dict[str, Any]


def figures(seed: int) -> dict[str, Any]:
    """Figures that differ per row and per month (seed), with nested dicts."""
    return {
        "households_tuopin": 1000 + seed,
        "people_tuopin": 3500 + 3 * seed,
        "households_monitored": 40 + seed,
        "people_monitored": 150 + seed,
        "monitored_by_category": {"脱贫不稳定户": {"households": 10 + seed, "people": 35},
                                  "边缘易致贫户": {"households": 20, "people": 80},
                                  "突发严重困难户": {"households": 10, "people": 35}},
        "added_by_reason": {"出生": seed % 5, "婚入": 1, "迁入": 0, "其他": 0},
        "funds_allocated": Decimal("1234567.5") + seed,
        "start_rate": Decimal("0.5") if seed % 2 else None,
        "assets_count": seed,
    }


class FakeReports(SimpleNamespace):
    """Records calls; ``villages`` decides the rows."""

    def __init__(self, villages: list[tuple[str, str, str]]):
        super().__init__()
        self.villages = villages
        self.calls: list[tuple] = []
        self.locked: dict[str, int] = {}
        self.behind = [1, 2]

    def monthly_report(self, session, month, region_code=None, *, live=False):
        self.calls.append(("monthly_report", month, region_code, live))
        seed = int(month[5:])
        rows = [FakeRow(code, name, level, figures(seed + i)) for i, (code, name, level) in enumerate(self.villages)]
        revision = self.locked.get(month)
        return FakeReport("monthly", month, region_code, "望谟县", revision is not None, revision,
                          "测试员" if revision else None,
                          dt.datetime(2026, 12, 1, 9, 30) if revision else None, rows, figures(seed * 10))

    def yearly_report(self, session, year, region_code=None, *, live=False):
        self.calls.append(("yearly_report", year, region_code, live))
        report = self.monthly_report(session, f"{year}-12", region_code, live=live)
        report.kind, report.period = "yearly", str(year)
        return report

    def compare(self, report, previous):
        def diff(a, b):
            if isinstance(a, dict):
                return {k: diff(v, (b or {}).get(k)) for k, v in a.items()}
            if a is None or b is None:
                return None
            return a - b
        out = {report.region_code: diff(report.total, previous.total)}
        for row, before in zip(report.rows, previous.rows):
            out[row.code] = diff(row.figures, before.figures)
        return out

    def trend(self, session, region_code, end_month, months=12):
        self.calls.append(("trend", region_code, end_month, months))
        return [(f"2026-{m:02d}", figures(m)) for m in range(1, 13)]

    def households_behind(self, session, month, region_code, key):
        self.calls.append(("households_behind", month, region_code, key))
        return list(self.behind)

    def submit_report(self, session, month, region_code, *, user):
        self.calls.append(("submit_report", month, region_code, user))
        self.locked[month] = self.locked.get(month, 0) + 1
        return self.locked[month]

    def unlock_month(self, session, month, region_code, *, reason, user):
        self.calls.append(("unlock_month", month, region_code, reason, user))
        self.locked.pop(month, None)


@pytest.fixture
def fake_reports():
    return FakeReports([
        ("522326100000", "复兴镇", "township"),
        ("522326100001", "复兴村", "village"),
        ("522326100002", "新寨村委会", "village"),
    ])
