"""户籍管理: households and their members (DOMAIN §3–§5)."""

from __future__ import annotations

from fupin_desktop.services import overview
from fupin_desktop.ui.pages import AreaPage, Stat, count


class RegistryPage(AreaPage):
    key = "registry"
    title = "户籍管理"
    icon_name = "registry"
    subtitle = "农户和家庭成员的基本信息、户类型与监测对象、成员增减变动。"

    def summary(self, session):
        c = overview.registry_counts(session)
        return [
            Stat("行政村", *count(c.villages, "个")),
            Stat("在册户数", *count(c.households, "户")),
            Stat("在户人数", *count(c.members, "人")),
            Stat("监测对象", *count(c.monitored_households, "户")),
        ]
