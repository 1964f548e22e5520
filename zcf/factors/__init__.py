"""The emission-factor library: versioned CSV files in ``data/``, every value with a source.

A :class:`FactorResolver` answers "which value applies to this activity, region
and year": the user's own factors (the ``factors`` input table) first — a blank
region or year there matches every region or year — then the most specific
library factor along the region chain (province → grid region → country), for
the year asked, else the latest earlier year (flagged as a fallback), else a
factor without a year.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from zcf.units import FactorUnit, parse_factor_unit

DATA = Path(__file__).parent / "data"
LIBRARY_VERSION = "2026.11"


@dataclass(frozen=True)
class Factor:
    factor_id: str
    activity: str
    region: str | None
    year: int | None
    value: float
    unit: str
    gas: str | None
    source: str
    url_or_doc: str = ""
    confidence: str = ""
    notes: str = ""
    gwp_basis: str | None = None
    origin: str = "library"  # "library" or "user"

    @property
    def parsed_unit(self) -> FactorUnit:
        return parse_factor_unit(self.unit)


@dataclass(frozen=True)
class Resolution:
    factor: Factor
    year_fallback: bool = False  # the factor's year is earlier than the year asked for


def _optional(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


@cache
def library() -> tuple[Factor, ...]:
    """Every factor shipped with zcf, in file then row order."""
    out: list[Factor] = []
    for path in sorted(DATA.glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                out.append(
                    Factor(
                        factor_id=row["factor_id"],
                        activity=row["activity"],
                        region=_optional(row.get("region")),
                        year=int(row["year"]) if _optional(row.get("year")) else None,
                        value=float(row["value"]),
                        unit=row["unit"],
                        gas=_optional(row.get("gas")),
                        gwp_basis=_optional(row.get("gwp_basis")),
                        source=row["source"],
                        url_or_doc=row.get("url_or_doc", ""),
                        confidence=row.get("confidence", ""),
                        notes=row.get("notes", ""),
                    )
                )
    return tuple(out)


class FactorResolver:
    """Pick factors: user factors beat library factors, specific beats general."""

    def __init__(self, user_factors: list[Factor] | None = None, factors: tuple[Factor, ...] | None = None):
        self.user = list(user_factors or [])
        self.by_activity: dict[str, list[Factor]] = {}
        for factor in factors if factors is not None else library():
            self.by_activity.setdefault(factor.activity, []).append(factor)

    def resolve(self, activity: str, regions: list[str], year: int | None) -> Resolution | None:
        """The factor for ``activity`` in the first region of ``regions`` that has one."""
        for factor in self.user:  # any matching user factor beats the library
            if factor.activity != activity:
                continue
            if factor.region is not None and factor.region not in regions:
                continue
            if factor.year is not None and year is not None and factor.year != year:
                continue
            return Resolution(factor)
        candidates = self.by_activity.get(activity, [])
        for region in regions:
            here = [f for f in candidates if f.region == region]
            if not here:
                continue
            if year is not None:
                exact = [f for f in here if f.year == year]
                if exact:
                    return Resolution(exact[0])
                earlier = [f for f in here if f.year is not None and f.year < year]
                if earlier:
                    return Resolution(max(earlier, key=lambda f: f.year or 0), year_fallback=True)
            timeless = [f for f in here if f.year is None]
            if timeless:
                return Resolution(timeless[0])
            if year is None:
                return Resolution(max(here, key=lambda f: f.year or 0))
        return None


@dataclass(frozen=True)
class EnergyContent:
    """MWh per canonical unit of a fuel quantity, and the factors used to get it."""

    mwh_per_unit: float
    factor_ids: tuple[str, ...]


def energy_content(
    resolver: FactorResolver, energy_type: str, kind: str, regions: list[str], year: int | None
) -> EnergyContent | None:
    """Net calorific energy of one canonical unit (t or m3) of a fuel, in MWh.

    Mass uses ``ncv.<fuel>`` per mass; volume uses ``ncv.<fuel>`` per volume or,
    for liquids, ``density.<fuel>`` then the NCV per mass. None when the library
    and the user's factors have no path.
    """
    ncv = resolver.resolve(f"ncv.{energy_type}", regions, year)
    if ncv is None:
        return None
    ncv_unit = ncv.factor.parsed_unit
    if ncv_unit.denominator_kind == kind:
        return EnergyContent(ncv.factor.value * ncv_unit.per_canonical("MWh"), (ncv.factor.factor_id,))
    if kind == "volume" and ncv_unit.denominator_kind == "mass":
        density = resolver.resolve(f"density.{energy_type}", regions, year)
        if density is None:
            return None
        t_per_m3 = density.factor.value * density.factor.parsed_unit.per_canonical("t")
        mwh_per_t = ncv.factor.value * ncv_unit.per_canonical("MWh")
        return EnergyContent(t_per_m3 * mwh_per_t, (density.factor.factor_id, ncv.factor.factor_id))
    return None
