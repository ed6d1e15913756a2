"""扶贫手册: each household's plan, measures, results and visits (DOMAIN §8)."""

from __future__ import annotations

from fupin_desktop.services import overview
from fupin_desktop.ui.pages import AreaPage, Stat, count


class HandbookPage(AreaPage):
    key = "handbook"
    title = "扶贫手册"
    icon_name = "handbook"
    subtitle = "帮扶计划、帮扶措施、帮扶成效和走访记录，按户按年填写和打印。"

    def summary(self, session):
        c = overview.handbook_counts(session)
        return [
            Stat("手册记录", *count(c.entries, "条")),
            Stat("已填写手册", *count(c.households_with_entries, "户")),
            Stat("帮扶责任人", *count(c.helpers, "人")),
        ]
