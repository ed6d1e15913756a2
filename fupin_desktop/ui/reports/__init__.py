"""月度报表: monthly and yearly figures, saved as submitted (DOMAIN §12)."""

from __future__ import annotations

from fupin_desktop.ui.reports.page import ReportsPage

__all__ = ["ReportsPage"]
