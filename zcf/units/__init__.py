"""Units of measure through pint, with the Chinese and colloquial names people type.

``parse_unit("万千瓦时")`` → ``ParsedUnit(kind="energy", canonical="MWh", to_canonical=10.0)``.
Unit strings are looked up in ``aliases.csv`` first (case-insensitive, full-width
characters folded), then parsed by pint (case-sensitive). The result is cached per
distinct string, so converting a column costs one pint call per unit, not per row.

Each quantity kind has one canonical unit (``KINDS``); ingest stores
``quantity_std`` in it. Emission-factor units (``kgCO2e/kWh``, ``GJ/10^4Nm3``) are
read by :func:`parse_factor_unit`.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pint

HERE = Path(__file__).parent

#: Quantity kind → canonical unit (pint expression, display label).
KINDS: dict[str, tuple[str, str]] = {
    "energy": ("megawatt_hour", "MWh"),
    "mass": ("tonne", "t"),
    "volume": ("meter ** 3", "m3"),
    "length": ("kilometer", "km"),
    "freight": ("tonne * kilometer", "tkm"),
    "count": ("piece", "piece"),
}

#: Gases and gas-like labels allowed in the numerator of an emission-factor unit.
FACTOR_GASES = ("CO2e", "CO2", "CH4", "N2O", "C", "SF6", "NF3", "HFCs", "PFCs")

_PLAIN_UNIT = re.compile(r"^[A-Za-z0-9*/^ ._()·µ]+$")


class UnitError(ValueError):
    """A unit string zcf cannot read; ``suggestions`` are close known units."""

    def __init__(self, text: str, suggestions: list[str] | None = None):
        super().__init__(f"unknown unit {text!r}")
        self.text = text
        self.suggestions = suggestions or []


@dataclass(frozen=True)
class ParsedUnit:
    """A unit string resolved to its kind and the factor to the kind's canonical unit."""

    text: str
    kind: str
    canonical: str
    to_canonical: float


@cache
def registry() -> pint.UnitRegistry:
    """The application-wide pint registry with zcf's definitions (built once)."""
    import pint

    ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True, cache_folder=None)
    ureg.load_definitions(str(HERE / "definitions.txt"))
    pint.set_application_registry(ureg)
    return ureg


def _alias_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().replace(" ", "")


@cache
def _alias_rows() -> tuple[dict[str, str], ...]:
    with open(HERE / "aliases.csv", encoding="utf-8", newline="") as f:
        return tuple(csv.DictReader(f))


@cache
def aliases() -> dict[str, str]:
    """Normalised alias (case-folded, no spaces) → pint expression, from ``aliases.csv``."""
    return {_alias_key(row["alias"]): row["unit"] for row in _alias_rows()}


@cache
def _vehicle_keys() -> frozenset[str]:
    return frozenset(_alias_key(row["alias"]) for row in _alias_rows() if row["note"].startswith("vehicle:"))


def is_vehicle_unit(text: str) -> bool:
    """Whether a unit text counts vehicles (辆, vehicle, vehicles: ``aliases.csv`` notes "vehicle:").

    Those texts read as ``piece`` like 件 or 台, so the text as given tells a vehicle maker from a parts maker.
    """
    return _alias_key(str(text).strip()) in _vehicle_keys()


def to_quantity(text: str) -> pint.Quantity:
    """A unit string as a pint quantity of magnitude 1 (``"万千瓦时"`` → 10000 kWh).

    Raises :class:`UnitError` when the string is not a unit zcf knows.
    """
    raw = str(text).strip()
    if not raw:
        raise UnitError(raw)
    ureg = registry()
    expr = aliases().get(_alias_key(raw))
    if expr is None:
        candidate = unicodedata.normalize("NFKC", raw)
        if not _PLAIN_UNIT.match(candidate) or candidate[0].isdigit():
            raise UnitError(raw, suggest_units(raw))
        expr = candidate
    try:
        quantity = ureg.parse_expression(expr)
        if not isinstance(quantity, ureg.Quantity):  # a bare number such as "2"
            raise UnitError(raw, suggest_units(raw))
        return quantity
    except UnitError:
        raise
    except Exception as exc:  # pint raises many kinds of errors on odd text
        raise UnitError(raw, suggest_units(raw)) from exc


def kind_of(quantity: pint.Quantity) -> str | None:
    """The kind (energy, mass, ...) of a quantity, or None if it is none of ``KINDS``."""
    dims = quantity.dimensionality
    for kind, (expr, _) in KINDS.items():
        if registry().parse_expression(expr).dimensionality == dims:
            return kind
    return None


@cache
def parse_unit(text: str) -> ParsedUnit:
    """Resolve a unit string; raises :class:`UnitError` if unknown or of no known kind."""
    quantity = to_quantity(text)
    kind = kind_of(quantity)
    if kind is None:
        raise UnitError(text, suggest_units(text))
    expr, label = KINDS[kind]
    # 15 significant digits drop binary noise such as 0.0010000000000000002 for L → m3.
    factor = float(f"{quantity.to(expr).magnitude:.15g}")
    return ParsedUnit(text=str(text).strip(), kind=kind, canonical=label, to_canonical=factor)


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Convert a number between two units of the same kind (``convert(1, "万千瓦时", "MWh")`` = 10)."""
    import pint

    try:
        ratio = value * to_quantity(from_unit) / to_quantity(to_unit)
        return float(ratio.to("dimensionless").magnitude)
    except pint.DimensionalityError as exc:
        raise UnitError(f"{from_unit} → {to_unit}") from exc


@cache
def ratio(from_unit: str, to_unit: str) -> float:
    """How many ``to_unit`` in one ``from_unit`` (``ratio("MWh", "GJ")`` = 3.6), cached."""
    return convert(1.0, from_unit, to_unit)


def suggest_units(text: str, n: int = 3) -> list[str]:
    """Close known unit spellings, for "did you mean" messages."""
    import difflib

    key = _alias_key(str(text))
    spelling = {_alias_key(row["alias"]): row["alias"] for row in _alias_rows()}
    close = difflib.get_close_matches(key, list(spelling), n=n, cutoff=0.5)
    return [spelling[c] for c in close]


@dataclass(frozen=True)
class Currency:
    """A currency as written: ISO code and how many units of it one written unit is (万元 → CNY × 10 000)."""

    text: str
    code: str
    multiplier: float = 1.0


_ISO_CURRENCY = re.compile(r"^[A-Z]{3}$")  # other ISO 4217 codes: capitals only, so "kgs" stays a unit typo


@cache
def _currency_rows() -> tuple[dict[str, str], ...]:
    with open(HERE / "currencies.csv", encoding="utf-8", newline="") as f:
        return tuple(csv.DictReader(f))


@cache
def parse_currency(text: str) -> Currency:
    """``"万元"`` → ``Currency("万元", "CNY", 10000)``; ``"usd"`` → USD. Raises :class:`UnitError`.

    Names and common ISO 4217 codes (any case) come from ``currencies.csv``; any other three
    capital letters are taken as an ISO 4217 code (whether zcf has an exchange rate for it is
    checked where the rate is needed).
    """
    raw = str(text).strip()
    key = _alias_key(raw)
    for row in _currency_rows():
        if _alias_key(row["alias"]) == key:
            return Currency(raw, row["code"], float(row["multiplier"]))
    if _ISO_CURRENCY.match(raw):
        return Currency(raw, raw.upper(), 1.0)
    import difflib

    names = {_alias_key(row["alias"]): row["alias"] for row in _currency_rows()}
    close = difflib.get_close_matches(key, list(names), n=3, cutoff=0.5)
    raise UnitError(raw, [names[c] for c in close])


def try_currency(text: str) -> Currency | None:
    try:
        return parse_currency(text)
    except UnitError:
        return None


#: Words for a pure number as a factor "unit" (an oxidation or loss rate), with their scale.
DIMENSIONLESS = {"fraction": 1.0, "ratio": 1.0, "1": 1.0, "%": 0.01, "percent": 0.01}


@dataclass(frozen=True)
class FactorUnit:
    """An emission-factor or conversion unit: ``numerator / denominator``.

    ``kgCO2e/kWh`` → gas "CO2e", numerator 1 kg, denominator 1 kWh (kind "energy").
    ``GJ/10^4Nm3`` → gas None, numerator 1 GJ, denominator 10 000 m³.
    ``kgCO2e/万元`` → denominator currency CNY × 10 000 (kind "currency").
    ``CNY/USD`` → numerator currency CNY, denominator currency USD (an exchange rate).
    ``fraction`` or ``%`` → a pure number (kind "dimensionless", ``scale`` 1 or 0.01).
    """

    text: str
    gas: str | None
    numerator: pint.Quantity | None
    denominator: pint.Quantity | None
    denominator_kind: str | None
    numerator_currency: Currency | None = None
    denominator_currency: Currency | None = None
    scale: float = 1.0  # dimensionless units: the value × scale is the fraction

    def per_canonical(self, numerator_unit: str) -> float:
        """How many ``numerator_unit`` per canonical unit of the denominator's kind.

        ``FactorUnit("kgCO2e/kWh").per_canonical("t")`` = 1.0 (t per MWh). For a currency
        denominator it is per unit of that currency's ISO code: ``kgCO2e/万元`` → 1e-7 t per CNY;
        converting to another currency is the caller's job (through ``fx.*`` factors).
        """
        if self.denominator_kind == "dimensionless":
            return self.scale
        if self.denominator_kind == "currency":
            return float(self.numerator.to(numerator_unit).magnitude) / self.denominator_currency.multiplier  # type: ignore[union-attr]
        expr, _ = KINDS[self.denominator_kind]  # type: ignore[index]
        ratio = (self.numerator / self.denominator).to(f"{numerator_unit} / ({expr})")
        return float(ratio.magnitude)

    def exchange_rate(self, base: str, code: str) -> float | None:
        """Units of ``base`` per unit of ``code`` for a value of 1 in this unit (``CNY/USD`` → 1.0).

        Also reads the inverse (``USD/CNY``); None when the unit is not a rate between the two.
        """
        num, den = self.numerator_currency, self.denominator_currency
        if num is None or den is None:
            return None
        if (num.code, den.code) == (base, code):
            return num.multiplier / den.multiplier
        if (num.code, den.code) == (code, base):
            return den.multiplier / num.multiplier  # caller divides by the value
        return None


_GAS_NUMERATOR = re.compile(
    r"^(?P<mass>[kKMG]?g|t|kt|Mt|吨|千克)\s*(?P<gas>" + "|".join(FACTOR_GASES) + r")(?:eq)?$"
)


def _side(text: str) -> tuple[pint.Quantity | None, Currency | None]:
    """One side of a factor unit: a unit of a known kind (tried first, so ``kWh`` is energy), else a currency."""
    text = text.strip().strip("()")
    try:
        quantity = to_quantity(text)
        if kind_of(quantity) is not None:
            return quantity, None
    except UnitError:
        pass
    currency = try_currency(text)
    if currency is not None:
        return None, currency
    return to_quantity(text), None  # raises UnitError with suggestions


@cache
def parse_factor_unit(text: str) -> FactorUnit:
    """Parse ``<amount>[gas]/<activity unit>``, a currency rate or a pure number; raises :class:`UnitError`."""
    raw = unicodedata.normalize("NFKC", str(text)).strip()
    if raw.casefold() in DIMENSIONLESS:
        return FactorUnit(str(text), None, None, None, "dimensionless", scale=DIMENSIONLESS[raw.casefold()])
    numerator_text, slash, denominator_text = raw.partition("/")
    if not slash or not numerator_text.strip() or not denominator_text.strip():
        raise UnitError(str(text), suggest_units(str(text)))
    numerator_text = numerator_text.strip()
    gas = None
    match = _GAS_NUMERATOR.match(numerator_text)
    if match:
        gas = match["gas"]
        numerator_text = match["mass"]
    numerator, numerator_currency = _side(numerator_text)
    denominator, denominator_currency = _side(denominator_text.strip())
    kind = "currency" if denominator_currency else kind_of(denominator)  # type: ignore[arg-type]
    if kind is None or (gas is None and numerator_currency is None and kind_of(numerator) is None):  # type: ignore[arg-type]
        raise UnitError(str(text))
    if numerator_currency is not None and denominator_currency is None:
        raise UnitError(str(text))  # money per physical unit is not a factor zcf uses
    return FactorUnit(str(text), gas, numerator, denominator, kind, numerator_currency, denominator_currency)


@cache
def parse_emissions_total(text: str) -> tuple[str, float]:
    """A mass of emissions with no denominator (``tCO2e``, ``kgCO2e``): (gas, tonnes per unit).

    Used for a supplier footprint given as the total of a purchase line. Raises :class:`UnitError`.
    """
    raw = unicodedata.normalize("NFKC", str(text)).strip()
    match = _GAS_NUMERATOR.match(raw)
    if not match:
        raise UnitError(str(text))
    return match["gas"], float(to_quantity(match["mass"]).to("tonne").magnitude)
