"""Money through ``fx.*`` factors: spend in any currency, spend factors per any currency.

Exchange rates in the library are CNY per unit of another currency (``fx.USD`` 7.12 CNY/USD); a
user's ``fx.<code>`` row beats them. Spend is converted to CNY, and a spend factor per another
currency is converted to per CNY, so that

    1,000,000 USD × 0.37 kgCO2e/USD = 7,120,000 CNY × (0.37 ÷ 7.12) kgCO2e/CNY = 370 tCO2e

whichever currency the spend and the factor are in. The rate is the reporting year's where one is
given, else the latest earlier one (with a warning from :meth:`CalcContext.factor`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from zcf.calc.context import CalcContext
from zcf.factors import Factor
from zcf.units import Currency, parse_currency

BASE_CURRENCY = "CNY"
FX_REGIONS = [BASE_CURRENCY[:2]]  # fx.* rates are CNY-based facts, the same wherever the spend was


@dataclass(frozen=True)
class Rate:
    """CNY per unit of a currency, with the factor it came from (None for CNY itself)."""

    cny_per_unit: float
    factor: Factor | None

    @property
    def factor_ids(self) -> tuple[str, ...]:
        return (self.factor.factor_id,) if self.factor else ()


def rate(ctx: CalcContext, code: str, rows: pd.DataFrame | None = None, table: str | None = None,
         column: str | None = None) -> Rate | None:
    """CNY per unit of ``code``; None (and ``rows`` excluded) when zcf has no usable rate."""
    if code == BASE_CURRENCY:
        return Rate(1.0, None)
    factor = ctx.factor(f"fx.{code}", FX_REGIONS, rows, table, column)
    if factor is None:
        return None
    unit = factor.parsed_unit
    per_unit = unit.exchange_rate(BASE_CURRENCY, code)
    if per_unit is None:
        ctx.report("bad-exchange-rate", factor_id=factor.factor_id, unit=factor.unit, code=code)
        return None
    reversed_rate = unit.numerator_currency.code == code  # type: ignore[union-attr]
    return Rate(per_unit / factor.value if reversed_rate else factor.value * per_unit, factor)


def currency_of(text: str | None, default: str) -> Currency:
    """The currency of a spend cell (blank → the organisation's currency)."""
    return parse_currency(text if isinstance(text, str) and text.strip() else default)


@dataclass(frozen=True)
class SpendFactor:
    """A spend factor as tCO2e per CNY, with the factors behind it (the factor, and its fx rate)."""

    t_per_cny: float
    factors: tuple[Factor, ...]

    @property
    def factor_id(self) -> str:
        return "+".join(f.factor_id for f in self.factors)


def per_cny(ctx: CalcContext, factor: Factor, rows: pd.DataFrame | None = None, table: str | None = None,
            column: str | None = None) -> SpendFactor | None:
    """A factor per unit of money (kgCO2e/USD, kgCO2e/万元 ...) as tCO2e per CNY."""
    currency = factor.parsed_unit.denominator_currency
    if currency is None:
        raise ValueError(f"{factor.factor_id}: {factor.unit} is not per unit of money")
    fx = rate(ctx, currency.code, rows, table, column)
    if fx is None:
        return None
    t_per_unit = factor.per_canonical("t")  # per unit of the factor's currency code
    return SpendFactor(t_per_unit / fx.cny_per_unit, (factor, *((fx.factor,) if fx.factor else ())))
