"""户籍管理: the household registry window (DOMAIN §3–§5, §11)."""

from __future__ import annotations

from fupin_desktop.ui.registry.page import RegistryPage

__all__ = ["RegistryPage"]
