"""行政区划: 12-digit statistical area codes (DOMAIN §1.3)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fupin_desktop.models.base import USER_NAME_LENGTH, Base, Code

# region_level codes: the 12-digit code is 2+2+2+3+3 digits.
LEVEL_PROVINCE = "province"
LEVEL_PREFECTURE = "prefecture"
LEVEL_COUNTY = "county"
LEVEL_TOWNSHIP = "township"
LEVEL_VILLAGE = "village"
LEVELS = (LEVEL_PROVINCE, LEVEL_PREFECTURE, LEVEL_COUNTY, LEVEL_TOWNSHIP, LEVEL_VILLAGE)


def level_of_code(code: str) -> str:
    """The level a 12-digit code names, from its trailing zero groups."""
    if len(code) != 12 or not code.isdigit():
        raise ValueError(f"区划代码应为12位数字：{code!r}")
    if code[9:] != "000":
        return LEVEL_VILLAGE
    if code[6:9] != "000":
        return LEVEL_TOWNSHIP
    if code[4:6] != "00":
        return LEVEL_COUNTY
    if code[2:4] != "00":
        return LEVEL_PREFECTURE
    return LEVEL_PROVINCE


def code_prefix(code: str) -> str:
    """The significant prefix of a code: every descendant's code starts with it."""
    return {
        LEVEL_PROVINCE: code[:2],
        LEVEL_PREFECTURE: code[:4],
        LEVEL_COUNTY: code[:6],
        LEVEL_TOWNSHIP: code[:9],
        LEVEL_VILLAGE: code,
    }[level_of_code(code)]


class Region(Base):
    __tablename__ = "regions"
    __table_args__ = (CheckConstraint("length(code) = 12", name="code_12_digits"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    level: Mapped[Code]
    parent_code: Mapped[str | None] = mapped_column(
        String(12), ForeignKey("regions.code", onupdate="CASCADE"), index=True
    )
    # 城乡分类代码 (111 主城区 … 220 村庄), optional.
    urban_rural_code: Mapped[str | None] = mapped_column(String(3))
    # 2014–2020 贫困村 / 2021+ 脱贫村 flag.
    is_poor_village: Mapped[bool] = mapped_column(default=False)
    valid: Mapped[bool] = mapped_column(default=True)

    parent: Mapped[Region | None] = relationship(remote_side=[code], back_populates="children")
    children: Mapped[list[Region]] = relationship(back_populates="parent", order_by="Region.code")

    def __repr__(self) -> str:
        return f"Region({self.code} {self.name})"


class RegionChange(Base):
    """区划变更: one add, rename, code change, merge (合村并组) or retirement, with its date.

    ``code`` is the region's code when the change was made; ``region_id`` follows the region
    through later code changes. A merge names the surviving region in ``new_code``.
    """

    __tablename__ = "region_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    code: Mapped[str] = mapped_column(String(12))
    kind: Mapped[str] = mapped_column(String(10))  # add / rename / recode / merge / retire
    effective_date: Mapped[dt.date]
    old_code: Mapped[str | None] = mapped_column(String(12), index=True)
    new_code: Mapped[str | None] = mapped_column(String(12))
    old_name: Mapped[str | None] = mapped_column(String(60))
    new_name: Mapped[str | None] = mapped_column(String(60))
    households: Mapped[int] = mapped_column(default=0)  # households moved by a merge
    note: Mapped[str | None] = mapped_column(String(200))
    recorded_by: Mapped[str | None] = mapped_column(String(USER_NAME_LENGTH))
    recorded_at: Mapped[dt.datetime]


class VillageGroup(Base):
    """村民小组 (组) of a village, as set up in 区划设置.

    Households carry their 组 as text (``households.group_name``, as county files and the
    import give it); this table keeps the 组 a village has, so that one added before any
    household is in it is still listed, and one retired stays on record. A 组 that
    households name but that has no row here (an imported one) is listed all the same.
    """

    __tablename__ = "village_groups"
    __table_args__ = (UniqueConstraint("village_code", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_code: Mapped[str] = mapped_column(String(12), ForeignKey("regions.code", onupdate="CASCADE"),
                                              index=True)
    name: Mapped[str] = mapped_column(String(40))
    valid: Mapped[bool] = mapped_column(default=True)
