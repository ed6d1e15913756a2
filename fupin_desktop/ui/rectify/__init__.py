"""整改清单 page: the list with filters, the summary by category and status, 九个清零."""

from __future__ import annotations

from fupin_desktop.ui.rectify.page import RectifyPage

__all__ = ["RectifyPage"]
