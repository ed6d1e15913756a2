"""区划: the first-run set-up dialog (county and townships from the national list) and the
区划设置 window (add, rename, merge, retire), both on services.regions."""

from fupin_desktop.ui.regions.settings import RegionSettingsWindow
from fupin_desktop.ui.regions.setup import CountySetupDialog, offer_region_setup

__all__ = ["CountySetupDialog", "RegionSettingsWindow", "offer_region_setup"]
