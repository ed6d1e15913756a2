"""月度报表: monthly and yearly figures, saved as submitted (DOMAIN §12)."""

from __future__ import annotations

from fupin_desktop.services import overview
from fupin_desktop.ui.pages import AreaPage, Stat, count


class ReportsPage(AreaPage):
    key = "reports"
    title = "月度报表"
    icon_name = "reports"
    subtitle = "按月生成、核对和导出上报报表，已上报的报表原样保存备查。"

    def summary(self, session):
        c = overview.report_counts(session)
        return [
            Stat("已保存报表", *count(c.snapshots, "份")),
            Stat("最近报表月份", c.latest_period or "—"),
        ]
