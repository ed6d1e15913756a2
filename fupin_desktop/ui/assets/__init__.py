"""资产台账: assets formed by projects, under 三定四管 (DOMAIN §10)."""

from __future__ import annotations

from fupin_desktop.services import overview
from fupin_desktop.ui.pages import AreaPage, Stat, count, yuan


class AssetsPage(AreaPage):
    key = "assets"
    title = "资产台账"
    icon_name = "assets"
    subtitle = "扶贫项目资产的确权登记、运营管护、收益分配和处置。"

    def summary(self, session):
        c = overview.asset_counts(session)
        return [
            Stat("资产", *count(c.assets, "项")),
            Stat("资产原值", *yuan(c.original_value)),
        ]
