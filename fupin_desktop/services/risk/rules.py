"""The rule table of 识别定级 and 监测预警, and the visit frequencies: defaults here, the
county's edits in the database (``app_settings``, key :data:`RULES_SETTING`).

The grading rules are local (DOMAIN §16.1: no published scoring was found), so every rule
is shown to the clerk with its threshold and the grade it implies, and may be switched
off or changed in 防返贫 → 规则设置.

Default 定级 rules (the suggested grade is the most severe grade of the rules that fired;
三级 when none fired):

==================  =============================================  =========  =====
code                what fires                                      threshold  grade
==================  =============================================  =========  =====
income_below_line   人均纯收入低于当年监测范围                         —          一级
income_near_line    人均纯收入高出监测范围不足 N%                      20 %       二级
income_drop         人均纯收入比上年下降超过 N%                        30 %       二级
no_labour           无劳动能力（丧失/无劳动力）成员占比达到 N%          50 %       二级
illness             大病、残疾、长期慢性病成员达到 N 人                 1 人       二级
guarantee_open      有未解决的三保障或饮水安全问题                      —          一级
monitoring_open     有未消除风险的监测记录                              —          一级
sudden              近 N 天内有突发事件（成员死亡、突发严重困难、       365 天     一级
                    因自然灾害或意外事故的监测风险）
many_reasons        同时触发 N 条二级规则                               3 条       一级
==================  =============================================  =========  =====

Default 预警 rules: 收入低于监测范围; 收入比上年下降超过 30%; 近 90 天成员死亡;
近 90 天成员务工结束（务工状况由有改为空）; 部门比对名单命中（医保大额、民政低保特困、
应急受灾、死亡人员 — the kinds of ``services.checks.compare`` that exist); 等级上调.
A warning is due for verification 7 / 15 / 30 days after it is raised for a household of
grade 一级 / 二级 / 三级 (未定级: 30).

Visit frequency (months between 走访): 一级 1 (monthly), 二级 3 (quarterly), 三级 6 (half-yearly).
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from fupin_desktop.errors import UserError
from fupin_desktop.models import AppSetting

RULES_SETTING = "risk_rules"

GRADE_1, GRADE_2, GRADE_3 = "1", "2", "3"
GRADES = (GRADE_1, GRADE_2, GRADE_3)
GRADE_LABELS = {GRADE_1: "一级", GRADE_2: "二级", GRADE_3: "三级"}
GRADE_TITLES = {GRADE_1: "一级（极易返贫户）", GRADE_2: "二级（较易返贫户）", GRADE_3: "三级（不易返贫户）"}


@dataclass(frozen=True)
class RuleDef:
    code: str
    label: str  # with "N" standing for the threshold
    unit: str  # 阈值 unit ("" = the rule has no threshold)
    threshold: float | None
    grade: str


GRADE_RULES: tuple[RuleDef, ...] = (
    RuleDef("income_below_line", "人均纯收入低于当年监测范围", "", None, GRADE_1),
    RuleDef("income_near_line", "人均纯收入高出监测范围不足N%", "%", 20, GRADE_2),
    RuleDef("income_drop", "人均纯收入比上年下降超过N%", "%", 30, GRADE_2),
    RuleDef("no_labour", "无劳动能力成员占比达到N%", "%", 50, GRADE_2),
    RuleDef("illness", "大病、残疾、长期慢性病成员达到N人", "人", 1, GRADE_2),
    RuleDef("guarantee_open", "有未解决的三保障或饮水安全问题", "", None, GRADE_1),
    RuleDef("monitoring_open", "有未消除风险的监测记录", "", None, GRADE_1),
    RuleDef("sudden", "近N天内有突发事件（成员死亡、突发严重困难、因灾或意外事故）", "天", 365, GRADE_1),
    RuleDef("many_reasons", "同时触发N条二级规则", "条", 3, GRADE_1),
)

WARNING_RULES: tuple[RuleDef, ...] = (
    RuleDef("income_below_line", "人均纯收入低于当年监测范围", "", None, ""),
    RuleDef("income_drop", "人均纯收入比上年下降超过N%", "%", 30, ""),
    RuleDef("member_death", "近N天内有成员死亡", "天", 90, ""),
    RuleDef("work_ended", "近N天内有成员务工结束", "天", 90, ""),
    RuleDef("list_hit", "部门比对名单命中（医保、民政、应急、死亡人员）", "", None, ""),
    RuleDef("grade_up", "风险等级上调", "", None, ""),
)

DEFAULT_DUE_DAYS = {GRADE_1: 7, GRADE_2: 15, GRADE_3: 30}
DEFAULT_VISIT_MONTHS = {GRADE_1: 1, GRADE_2: 3, GRADE_3: 6}


@dataclass(frozen=True)
class Rule:
    code: str
    label: str  # N replaced by the threshold
    threshold: float | None
    grade: str
    enabled: bool
    unit: str


@dataclass(frozen=True)
class RuleSet:
    grading: dict[str, Rule]
    warnings: dict[str, Rule]
    due_days: dict[str, int]
    visit_months: dict[str, int]

    def grade_rule(self, code: str) -> Rule | None:
        rule = self.grading[code]
        return rule if rule.enabled else None

    def warning_rule(self, code: str) -> Rule | None:
        rule = self.warnings[code]
        return rule if rule.enabled else None


def _number_text(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _rules(defs: tuple[RuleDef, ...], stored: dict[str, Any]) -> dict[str, Rule]:
    out = {}
    for d in defs:
        mine = stored.get(d.code) or {}
        threshold = mine.get("threshold", d.threshold) if d.threshold is not None else None
        threshold = float(threshold) if threshold is not None else None
        grade = str(mine.get("grade", d.grade)) if d.grade else ""
        label = d.label.replace("N", _number_text(threshold)) if threshold is not None else d.label
        out[d.code] = Rule(d.code, label, threshold, grade, bool(mine.get("enabled", True)), d.unit)
    return out


def default_settings() -> dict[str, Any]:
    return {
        "grading": {d.code: {"threshold": d.threshold, "grade": d.grade, "enabled": True} for d in GRADE_RULES},
        "warnings": {d.code: {"threshold": d.threshold, "enabled": True} for d in WARNING_RULES},
        "due_days": dict(DEFAULT_DUE_DAYS),
        "visit_months": dict(DEFAULT_VISIT_MONTHS),
    }


def stored_settings(session: Session) -> dict[str, Any]:
    """Defaults overlaid with what the county saved (a plain dict the settings dialog edits)."""
    out = default_settings()
    row = session.get(AppSetting, RULES_SETTING)
    for part, value in ((row.value or {}) if row is not None else {}).items():
        if isinstance(value, dict) and part in out:
            for key, item in value.items():
                if isinstance(item, dict) and isinstance(out[part].get(key), dict):
                    out[part][key].update(item)
                elif key in out[part]:
                    out[part][key] = item
    return out


def load_rules(session: Session) -> RuleSet:
    s = stored_settings(session)
    return RuleSet(
        grading=_rules(GRADE_RULES, s["grading"]),
        warnings=_rules(WARNING_RULES, s["warnings"]),
        due_days={g: int(s["due_days"][g]) for g in GRADES},
        visit_months={g: int(s["visit_months"][g]) for g in GRADES},
    )


def save_settings(session: Session, settings: dict[str, Any]) -> RuleSet:
    """Store the county's rule table after checking it; UserError (Chinese) on a bad value."""
    s = deepcopy(settings)
    labels = {d.code: d for d in GRADE_RULES} | {f"w:{d.code}": d for d in WARNING_RULES}
    for part, prefix in (("grading", ""), ("warnings", "w:")):
        for code, item in s.get(part, {}).items():
            d = labels.get(prefix + code)
            if d is None:
                raise UserError(f"未知的规则“{code}”。")
            if d.threshold is not None:
                try:
                    value = float(item.get("threshold"))
                except (TypeError, ValueError):
                    raise UserError(f"规则“{d.label}”的阈值应为数字。") from None
                if value < 0 or (d.unit == "%" and value > 100):
                    raise UserError(f"规则“{d.label}”的阈值{_number_text(value)}超出范围"
                                    f"（{'0～100' if d.unit == '%' else '不能为负数'}）。")
                item["threshold"] = value
            if part == "grading" and str(item.get("grade", d.grade)) not in GRADES:
                raise UserError(f"规则“{d.label}”的等级应为一级、二级或三级。")
    for part, label, low, high in (("due_days", "核实时限（天）", 1, 365), ("visit_months", "走访间隔（月）", 1, 12)):
        for g, value in s.get(part, {}).items():
            try:
                n = int(value)
            except (TypeError, ValueError):
                raise UserError(f"{GRADE_LABELS.get(g, g)}的{label}应为整数。") from None
            if not low <= n <= high:
                raise UserError(f"{GRADE_LABELS.get(g, g)}的{label}应在{low}～{high}之间。")
            s[part][g] = n
    row = session.get(AppSetting, RULES_SETTING)
    if row is None:
        session.add(AppSetting(key=RULES_SETTING, value=s))
    else:
        row.value = s
    session.flush()
    return load_rules(session)
