"""项目库: projects from village application to handover (DOMAIN §9)."""

from __future__ import annotations

from fupin_desktop.services import overview
from fupin_desktop.ui.pages import AreaPage, Stat, count, yuan


class ProjectsPage(AreaPage):
    key = "projects"
    title = "项目库"
    icon_name = "projects"
    subtitle = "项目申报、审核、入库、实施、验收、报账和资产移交的全过程。"

    def summary(self, session):
        c = overview.project_counts(session)
        if c.latest_year:
            latest = Stat("最新年度", str(c.latest_year), "年")
        else:
            latest = Stat("最新年度", "—")
        return [
            Stat("项目", *count(c.projects, "个")),
            Stat("计划总投资", *yuan(c.total_funds)),
            latest,
        ]
