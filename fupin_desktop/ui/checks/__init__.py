"""数据核查 page: the checks catalogue run over the county, findings, and 比对 lists."""

from __future__ import annotations

from fupin_desktop.ui.checks.page import ChecksPage

__all__ = ["ChecksPage"]
