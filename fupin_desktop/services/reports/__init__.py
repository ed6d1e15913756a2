"""月度报表/年报: figures as of a month's end from dated records, 上报 (snapshot + month lock),
and the county-layout outputs (DOMAIN §9.5, §12, §13.7)."""

from fupin_desktop.services.reports.figures import (
    DRILL_KEYS,
    FIGURE_KEYS,
    MONEY_KEYS,
    NESTED_KEYS,
    RATES,
    drill_key,
)
from fupin_desktop.services.reports.locks import (
    MonthLock,
    ensure_month_open,
    lock_history,
    month_lock,
    submit_report,
    unlock_month,
)
from fupin_desktop.services.reports.output import write_report_pdf, write_report_xlsx
from fupin_desktop.services.reports.report import (
    Report,
    ReportRow,
    compare,
    households_behind,
    monthly_report,
    report_revisions,
    saved_report,
    trend,
    yearly_report,
)

__all__ = [
    "DRILL_KEYS",
    "FIGURE_KEYS",
    "MONEY_KEYS",
    "NESTED_KEYS",
    "RATES",
    "MonthLock",
    "Report",
    "ReportRow",
    "compare",
    "drill_key",
    "ensure_month_open",
    "households_behind",
    "lock_history",
    "month_lock",
    "monthly_report",
    "report_revisions",
    "saved_report",
    "submit_report",
    "trend",
    "unlock_month",
    "write_report_pdf",
    "write_report_xlsx",
    "yearly_report",
]
