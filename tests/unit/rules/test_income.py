from __future__ import annotations

from decimal import Decimal

import pytest

from fupin_desktop.rules.income import IncomeError, to_amount
from fupin_desktop.rules.validation import income_totals, per_capita_net_income


def test_k5_example():
    totals = income_totals(
        wage=6000, business=6000, property_income=1180, transfer=4205,
        business_expense=1000, persons=4,
    )  # fmt: skip
    assert totals.annual_income == Decimal("17385.00")
    assert totals.net_income == Decimal("16385.00")
    assert totals.per_capita_net_income == Decimal("4096.25")


def test_round_half_up():
    # 10.005 / 1 and 0.125 per head: HALF_UP, not banker's rounding.
    assert per_capita_net_income(wage="0.5", persons=4) == Decimal("0.13")
    assert per_capita_net_income(wage=Decimal("10.005"), persons=1) == Decimal("10.01")
    assert per_capita_net_income(wage=100, persons=3) == Decimal("33.33")
    assert per_capita_net_income(wage=200, persons=3) == Decimal("66.67")


def test_blank_items_count_as_zero_and_text_is_accepted():
    assert per_capita_net_income(wage="1,200", transfer=None, business="", persons=2) == Decimal(
        "600.00"
    )
    assert to_amount("１２３.４元") == Decimal("123.40")
    assert to_amount(0.1) == Decimal("0.10")


def test_expense_can_make_net_negative():
    totals = income_totals(business=500, business_expense=1500, persons=2)
    assert totals.net_income == Decimal("-1000.00")
    assert totals.per_capita_net_income == Decimal("-500.00")


@pytest.mark.parametrize("persons", [0, -1, None, 1.5, True])
def test_bad_household_size(persons):
    with pytest.raises(IncomeError, match="家庭人口数"):
        income_totals(wage=1, persons=persons)


@pytest.mark.parametrize("value", ["abc", "1.2.3", True, "NaN"])
def test_bad_amount(value):
    with pytest.raises(IncomeError):
        to_amount(value)
