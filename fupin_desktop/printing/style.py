"""House style shared by the printed forms: who issues a form (the names printed next to the
seals) and the order of a village's 组."""

from __future__ import annotations

from fupin_desktop.rules.text import group_sort_key

__all__ = ["county_office", "group_sort_key", "issuer", "township_government", "village_committee"]

COUNTY_OFFICE = "巩固拓展脱贫攻坚成果和乡村振兴领导小组办公室"


def village_committee(village: str) -> str:
    """「高桥村村民委员会」, 「城关社区居民委员会」: the full name of a village's committee."""
    name = (village or "").strip()
    for suffix in ("村民委员会", "居民委员会"):
        if name.endswith(suffix):
            return name
    for short, full in (("村委会", "村民委员会"), ("居委会", "居民委员会")):
        if name.endswith(short):
            return name[: -len(short)] + full
    if name.endswith("社区"):
        return f"{name}居民委员会"
    return f"{name}村民委员会" if name else "村民委员会"


def township_government(township: str) -> str:
    """「复兴镇人民政府」, 「城关街道办事处」: the full name of a township's government."""
    name = (township or "").strip()
    if name.endswith(("人民政府", "办事处")):
        return name
    if name.endswith("街道"):
        return f"{name}办事处"
    return f"{name}人民政府" if name else "乡（镇）人民政府"


def county_office(county: str) -> str:
    """「望谟县巩固拓展脱贫攻坚成果和乡村振兴领导小组办公室」."""
    name = (county or "").strip()
    return f"{name}{COUNTY_OFFICE}" if name else f"县{COUNTY_OFFICE}"


def issuer(level: str, name: str) -> str:
    """The issuer of a form at ``level`` ("village", "township", "county") named ``name``."""
    if level == "village":
        return village_committee(name)
    if level == "township":
        return township_government(name)
    return county_office(name)
