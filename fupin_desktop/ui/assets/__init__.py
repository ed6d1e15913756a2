"""资产台账 page: the ledger with filters and totals, and the ways into each asset (DOMAIN §10)."""

from __future__ import annotations

from fupin_desktop.ui.assets.ledger import AssetsPage

__all__ = ["AssetsPage"]
