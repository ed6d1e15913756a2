"""导入导出: county spreadsheets in and out, with remembered column mappings."""

from __future__ import annotations

from fupin_desktop.services import overview
from fupin_desktop.ui.pages import AreaPage, Stat, count


class ExchangePage(AreaPage):
    key = "exchange"
    title = "导入导出"
    icon_name = "exchange"
    subtitle = "从县里下发的 Excel 表导入数据，或把数据导出为上报格式的表格。"

    def summary(self, session):
        c = overview.exchange_counts(session)
        return [
            Stat("已保存的列对应方案", *count(c.import_profiles, "个")),
            Stat("操作日志", *count(c.audit_entries, "条")),
        ]
