"""防返贫 area UI: the page (定级 / 预警 / 走访) and the household window's grade line."""

from fupin_desktop.ui.risk.page import RiskPage
from fupin_desktop.ui.risk.panel import GradePanel

__all__ = ["GradePanel", "RiskPage"]
