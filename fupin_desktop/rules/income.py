"""收支 arithmetic (DOMAIN §3.6), in Decimal, rounded ROUND_HALF_UP to 2 places.

    年收入     = 工资性收入 + 生产经营性收入 + 财产性收入 + 转移性收入
    纯收入     = 年收入 − 生产经营性支出
    人均纯收入 = 纯收入 ÷ 家庭人口数（年度家庭人口数）
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from fupin_desktop.rules.text import normalize_text

__all__ = ["IncomeError", "IncomeTotals", "income_totals", "per_capita_net_income", "to_amount"]

_CENT = Decimal("0.01")

Amount = Decimal | int | float | str | None


class IncomeError(ValueError):
    """Bad amount or household size; ``str(err)`` is Chinese."""


@dataclass(frozen=True, slots=True)
class IncomeTotals:
    annual_income: Decimal  # 年收入
    net_income: Decimal  # 纯收入
    per_capita_net_income: Decimal  # 人均纯收入


def to_amount(value: Amount) -> Decimal:
    """An amount in 元 as Decimal (2 places); blank counts as 0. Accepts ``1,234.5`` and
    full-width digits. Raises :class:`IncomeError` for text that is not a number."""
    if value is None:
        return Decimal("0.00")
    if isinstance(value, bool):
        raise IncomeError(f"“{value}”不是有效金额。")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        text = normalize_text(value).replace(",", "").replace(" ", "").removesuffix("元")
        if text == "":
            return Decimal("0.00")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise IncomeError(f"“{value}”不是有效金额，请填写数字（单位：元）。") from None
    if not number.is_finite():
        raise IncomeError(f"“{value}”不是有效金额，请填写数字（单位：元）。")
    return number.quantize(_CENT, rounding=ROUND_HALF_UP)


def income_totals(
    *,
    wage: Amount = None,
    business: Amount = None,
    property_income: Amount = None,
    transfer: Amount = None,
    business_expense: Amount = None,
    persons: int,
) -> IncomeTotals:
    """年收入, 纯收入 and 人均纯收入 for one household and income year.

    ``persons`` is the 年度家庭人口数 and must be ≥ 1 (raises :class:`IncomeError`).
    """
    if isinstance(persons, bool) or not isinstance(persons, int) or persons < 1:
        raise IncomeError(f"家庭人口数应为大于0的整数，实际为“{persons}”，无法计算人均纯收入。")
    annual = to_amount(wage) + to_amount(business) + to_amount(property_income) + to_amount(transfer)
    net = annual - to_amount(business_expense)
    per_capita = (net / Decimal(persons)).quantize(_CENT, rounding=ROUND_HALF_UP)
    return IncomeTotals(annual, net, per_capita)


def per_capita_net_income(
    *,
    wage: Amount = None,
    business: Amount = None,
    property_income: Amount = None,
    transfer: Amount = None,
    business_expense: Amount = None,
    persons: int,
) -> Decimal:
    """人均纯收入 = (工资性 + 生产经营性 + 财产性 + 转移性 − 生产经营性支出) ÷ 人口."""
    return income_totals(
        wage=wage,
        business=business,
        property_income=property_income,
        transfer=transfer,
        business_expense=business_expense,
        persons=persons,
    ).per_capita_net_income
