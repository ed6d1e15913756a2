"""防止返贫监测 checks on a case's 帮扶措施 (DOMAIN §7.2, the county's K8 consistency rules).

A monitored household's risks must be answered by measures of matching categories: risk
因病 by 健康帮扶, 社会帮扶 or 综合保障; 因学 by an education measure or 社会帮扶; 因安全住房 by
住房安全保障 or 搬迁; 因安全饮水 by 饮水安全保障. Codes are those of ``risk_type.csv`` and
``measure_category.csv``.
"""

from __future__ import annotations

from collections.abc import Iterable

from fupin_desktop.codes import label_of

# risk_type → the measure_category codes, any one of which answers it.
RISK_MEASURES: dict[str, tuple[str, ...]] = {
    "01": ("05", "11", "10"),  # 因病: 健康帮扶, 社会帮扶, 综合保障
    "03": ("06", "07", "11"),  # 因学: 义务教育保障, 其他教育帮扶, 社会帮扶
    "09": ("08", "12"),  # 因安全住房: 住房安全保障, 搬迁
    "10": ("09",),  # 因安全饮水: 饮水安全保障
}


def unanswered_risks(risks: Iterable[str], categories: Iterable[str]) -> list[str]:
    """The risks (codes, in the order given) that no measure of ``categories`` answers."""
    taken = set(categories)
    return [r for r in dict.fromkeys(risks)
            if r in RISK_MEASURES and not taken.intersection(RISK_MEASURES[r])]


def measure_gaps(risks: Iterable[str], categories: Iterable[str]) -> list[str]:
    """One Chinese line per unanswered risk, saying which measures would answer it."""
    out = []
    for risk in unanswered_risks(risks, categories):
        wanted = "、".join(label_of("measure_category", c) for c in RISK_MEASURES[risk])
        out.append(f"风险“{label_of('risk_type', risk)}”还没有对应的帮扶措施，"
                   f"应落实{wanted}中的一项。")
    return out
