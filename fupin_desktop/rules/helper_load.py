"""The 4-3-2-1 rule for 帮扶责任人 (DOMAIN §6): how many households a cadre may help,
by 干部职级 (``cadre_rank.csv``). The handbook's load check and the demo generator both
read it from here."""

from __future__ import annotations

# cadre_rank → most households: 县级领导 4, 正科级 3, 副科级 2, 一般干部 1.
LOAD_LIMITS: dict[str, int] = {"01": 4, "02": 3, "03": 2, "04": 1}
