"""扶贫手册: each household's helpers, plan, measures, results and visits (DOMAIN §8), and
printing the handbook, 明白卡, 采集表 and 公示表.

- :class:`HandbookPage`: the main window's 扶贫手册 page.
- :class:`HouseholdAssistWidget`: the household's 帮扶 tab, for the household dialog
  (``HouseholdAssistWidget(db, household_id=None, parent=None)``; see its module).
"""

from __future__ import annotations

from fupin_desktop.ui.handbook.assist import HouseholdAssistWidget
from fupin_desktop.ui.handbook.page import HandbookPage

__all__ = ["HandbookPage", "HouseholdAssistWidget"]
