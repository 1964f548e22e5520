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
class FactorUnit:
    """An emission-factor or conversion unit: ``numerator / denominator``.

    ``kgCO2e/kWh`` → gas "CO2e", numerator 1 kg, denominator 1 kWh.
    ``GJ/10^4Nm3`` → gas None, numerator 1 GJ, denominator 10 000 m³.
    """

    text: str
    gas: str | None
    numerator: pint.Quantity
    denominator: pint.Quantity
    denominator_kind: str | None

    def per_canonical(self, numerator_unit: str) -> float:
        """How many ``numerator_unit`` per canonical unit of the denominator's kind.

        ``FactorUnit("kgCO2e/kWh").per_canonical("t")`` = 1.0 (t per MWh); for a currency
        denominator it is per unit of that currency (``kgCO2e/CNY`` → 0.001 t per CNY).
        """
        if self.denominator_kind == "currency":  # per unit of money: only the numerator converts
            return float(self.numerator.to(numerator_unit).magnitude)
        expr, _ = KINDS[self.denominator_kind]  # type: ignore[index]
        ratio = (self.numerator / self.denominator).to(f"{numerator_unit} / ({expr})")
        return float(ratio.magnitude)


_GAS_NUMERATOR = re.compile(
    r"^(?P<mass>[kKMG]?g|t|kt|Mt|吨|千克)\s*(?P<gas>" + "|".join(FACTOR_GASES) + r")(?:eq)?$"
)


@cache
def parse_factor_unit(text: str) -> FactorUnit:
    """Parse ``<amount>[gas]/<activity unit>``; raises :class:`UnitError`."""
    raw = unicodedata.normalize("NFKC", str(text)).strip()
    numerator_text, slash, denominator_text = raw.partition("/")
    if not slash or not numerator_text.strip() or not denominator_text.strip():
        raise UnitError(str(text))
    numerator_text = numerator_text.strip()
    gas = None
    match = _GAS_NUMERATOR.match(numerator_text)
    if match:
        gas = match["gas"]
        numerator_text = match["mass"]
    numerator = to_quantity(numerator_text)
    denominator_text = denominator_text.strip()
    if denominator_text.upper() in {"CNY", "RMB", "元", "USD", "EUR"}:
        denominator, kind = None, "currency"
    else:
        denominator = to_quantity(denominator_text.strip("()"))
        kind = kind_of(denominator)
    if gas is None and kind_of(numerator) is None:
        raise UnitError(str(text))
    return FactorUnit(str(text), gas, numerator, denominator, kind)  # type: ignore[arg-type]
