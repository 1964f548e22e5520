"""The emission-factor library: versioned CSV files in ``data/``, every value with a citation.

Activity ids name what a factor applies to (``electricity.grid``, ``ncv.diesel``,
``gwp.AR6.R-134a``, ``material.steel``, ``freight.road`` ...); ``docs/activities.md``
and ``zcf factors list`` document them. Every library row cites its publisher, document,
table, URL, publication date, the date it was read and — when it was not read in the
primary publication — where it was read (``read_in``); its ``confidence`` says how
(``confidence.toml``). Rows may belong to a named set (``sets.toml``: two editions of one
table), used only when that set is selected. The library has a version
(:data:`LIBRARY_VERSION`); earlier versions are kept in ``packs/`` and the value changes
between versions in ``changes.csv`` (:mod:`zcf.factors.packs`).

A :class:`FactorResolver` answers "which value applies to this activity, region and year":

1. the user's own factors (the ``factors`` input table) first — a blank region or
   year there matches every region or year, and any matching user factor beats every
   library factor; among several, the most specific wins;
2. then the library, along the region chain from most to least specific
   (province → grid region → country → GLOBAL), for the year asked, else the latest
   earlier year, else a factor without a year, else the nearest later year (the two
   year fallbacks are flagged). :meth:`FactorResolver.resolve_at` instead asks for one
   year exactly (the grid-factor vintage policy, :mod:`zcf.factors.vintage`).
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

from zcf.units import FactorUnit, parse_factor_unit

HERE = Path(__file__).parent
DATA = HERE / "data"
LIBRARY_VERSION = "2026.11.2"
COLUMNS = ("factor_id", "activity", "region", "year", "value", "unit", "gas", "gwp_basis", "set", "publisher",
           "document", "table", "url", "published", "retrieved", "read_in", "confidence", "notes", "proxy_for")
WORLD = ("GLOBAL", "")


@dataclass(frozen=True)
class Factor:
    factor_id: str
    activity: str
    region: str | None
    year: int | None
    value: float
    unit: str
    gas: str | None
    source: str  # the citation as one line (publisher, document, table); a user factor's own text
    url_or_doc: str = ""
    confidence: str = ""
    notes: str = ""
    gwp_basis: str | None = None
    origin: str = "library"  # "library" or "user"
    proxy_for: str = ""  # "*": the library accepts it as a stated proxy where a region has no factor of its own
    dataset_row: int | None = field(default=None, compare=False)  # user factors: row label in the factors table
    publisher: str = ""
    document: str = ""
    table: str = ""
    url: str = ""
    published: str = ""
    retrieved: str = ""
    read_in: str = ""
    set: str = ""  # the named set the row belongs to ("" = always in use)

    @cached_property
    def parsed_unit(self) -> FactorUnit:
        return parse_factor_unit(self.unit)

    @property
    def denominator_kind(self) -> str | None:
        """Kind of the activity the value is per: energy, mass, ..., currency, or dimensionless."""
        return self.parsed_unit.denominator_kind

    @property
    def weak(self) -> bool:
        """True when the value rests on memory or a zcf choice (confidence.toml ``weak``)."""
        return is_weak(self.confidence)

    def per_canonical(self, numerator_unit: str) -> float:
        """The value as ``numerator_unit`` per canonical unit of the activity (t/MWh, GJ/t ...).

        Per currency factors give the value per unit of their own currency's ISO code; a pure
        number (``fraction``, ``%``) gives the fraction.
        """
        return self.value * self.parsed_unit.per_canonical(numerator_unit)

    @property
    def citation(self) -> str:
        """The full citation as a verifier reads it."""
        parts = [self.source]
        if self.url:
            parts.append(self.url)
        if self.published:
            parts.append(f"published {self.published}")
        if self.read_in:
            parts.append(f"read in: {self.read_in}")
        if self.retrieved:
            parts.append(f"retrieved {self.retrieved}")
        return "; ".join(p for p in parts if p)

    def to_dict(self) -> dict:
        return {
            "factor_id": self.factor_id,
            "activity": self.activity,
            "region": self.region,
            "year": self.year,
            "value": self.value,
            "unit": self.unit,
            "gas": self.gas,
            "gwp_basis": self.gwp_basis,
            "set": self.set,
            "source": self.source,
            "publisher": self.publisher,
            "document": self.document,
            "table": self.table,
            "url": self.url,
            "published": self.published,
            "retrieved": self.retrieved,
            "read_in": self.read_in,
            "url_or_doc": self.url_or_doc,
            "confidence": self.confidence,
            "notes": self.notes,
            "proxy_for": self.proxy_for,
            "origin": self.origin,
        }


@dataclass(frozen=True)
class Resolution:
    factor: Factor
    year_fallback: bool = False  # the factor's year is earlier than the year asked for
    region_fallback: bool = False  # the factor is another region's, used as a proxy


def _optional(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def citation_line(publisher: str, document: str, table: str) -> str:
    return ", ".join(p for p in (publisher, document, table) if p)


def factor_from_row(row: dict) -> Factor:
    """A library row (the columns of :data:`COLUMNS`; packs of earlier versions may lack some) as a Factor."""
    text = {k: (v or "").strip() if isinstance(v, str) else v for k, v in row.items()}
    url = text.get("url", "")
    return Factor(
        factor_id=text["factor_id"],
        activity=text["activity"],
        region=_optional(text.get("region")),
        year=int(text["year"]) if _optional(text.get("year")) else None,
        value=float(text["value"]),
        unit=text["unit"],
        gas=_optional(text.get("gas")),
        gwp_basis=_optional(text.get("gwp_basis")),
        source=citation_line(text.get("publisher", ""), text.get("document", ""), text.get("table", "")),
        url_or_doc=url or text.get("read_in", ""),
        confidence=text.get("confidence", ""),
        notes=text.get("notes", ""),
        proxy_for=text.get("proxy_for", "") or "",
        publisher=text.get("publisher", ""),
        document=text.get("document", ""),
        table=text.get("table", ""),
        url=url,
        published=text.get("published", ""),
        retrieved=text.get("retrieved", ""),
        read_in=text.get("read_in", ""),
        set=text.get("set", "") or "",
    )


@cache
def library() -> tuple[Factor, ...]:
    """Every factor of the current library (every set), in file then row order."""
    out: list[Factor] = []
    for path in sorted(DATA.glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as f:
            out.extend(factor_from_row(row) for row in csv.DictReader(f))
    return tuple(out)


# --- confidence tags ---------------------------------------------------------------------------

@cache
def confidence_tags() -> dict[str, dict]:
    """The confidence vocabulary (confidence.toml): tag → {en, zh, weak}."""
    with open(HERE / "confidence.toml", "rb") as f:
        return tomllib.load(f)


def is_weak(confidence: str) -> bool:
    return bool(confidence_tags().get(confidence, {}).get("weak", False))


def weak_tags() -> tuple[str, ...]:
    return tuple(tag for tag, spec in confidence_tags().items() if spec.get("weak"))


# --- named sets --------------------------------------------------------------------------------

@dataclass(frozen=True)
class FactorSet:
    name: str
    group: str
    edition_en: str
    edition_zh: str
    default: bool


@cache
def _sets_file() -> dict:
    with open(HERE / "sets.toml", "rb") as f:
        return tomllib.load(f)


def factor_sets() -> dict[str, FactorSet]:
    raw = _sets_file()
    defaults = {body["default"] for body in raw.get("groups", {}).values()}
    return {name: FactorSet(name, body["group"], body["edition_en"], body["edition_zh"], name in defaults)
            for name, body in raw.get("sets", {}).items()}


def set_groups() -> dict[str, dict]:
    return dict(_sets_file().get("groups", {}))


def active_sets(chosen: tuple[str, ...] | list[str] = ()) -> tuple[str, ...]:
    """The sets in use: each group's default, replaced by a chosen set of the same group.

    Raises ValueError for an unknown set or two chosen sets of one group.
    """
    sets = factor_sets()
    by_group: dict[str, str | None] = {spec.group: None for spec in sets.values()}
    for name, spec in sets.items():
        if spec.default:
            by_group[spec.group] = name
    picked: dict[str, str] = {}
    for name in chosen:
        if name not in sets:
            raise ValueError(f"{name!r} is not a factor set; use one of {', '.join(sorted(sets))}")
        group = sets[name].group
        if group in picked and picked[group] != name:
            raise ValueError(f"{picked[group]!r} and {name!r} are alternatives (group {group}); choose one")
        picked[group] = name
    by_group.update(picked)
    return tuple(sorted(n for n in by_group.values() if n))


def in_sets(factors: tuple[Factor, ...], sets: tuple[str, ...]) -> tuple[Factor, ...]:
    """The factors of ``factors`` in use under ``sets`` (rows of no set always are)."""
    return tuple(f for f in factors if not f.set or f.set in sets)


@cache
def active_library(sets: tuple[str, ...] | None = None, version: str | None = None) -> tuple[Factor, ...]:
    """The factors in use: those of ``version`` (default: the current library) in ``sets`` (default sets)."""
    from zcf.factors.packs import library_at

    factors = library() if version in (None, LIBRARY_VERSION) else library_at(version)
    return in_sets(factors, active_sets() if sets is None else tuple(sets))


# --- lookups -----------------------------------------------------------------------------------

def factors_from_table(frame) -> list[Factor]:
    """The user's ``factors`` table (canonical dataset frame) as :class:`Factor` objects."""
    import pandas as pd

    def text(value):
        return None if pd.isna(value) else str(value)

    out = []
    for label, row in zip(frame.index, frame.to_dict("records")):
        if pd.isna(row["activity"]) or pd.isna(row["value"]) or pd.isna(row["unit"]):
            continue
        sheet = text(row.get("_source_sheet"))
        out.append(
            Factor(
                factor_id=f"user:{row['_source_file']}:{sheet + '!' if sheet else ''}{row['_source_row']}",
                activity=str(row["activity"]),
                region=text(row["region"]),
                year=None if pd.isna(row["year"]) else int(row["year"]),
                value=float(row["value"]),
                unit=str(row["unit"]),
                gas=text(row["gas"]),
                source=text(row["source"]) or "",
                notes=text(row["notes"]) or "",
                confidence="user",
                origin="user",
                dataset_row=int(label),
            )
        )
    return out


def find(factor_id: str) -> Factor | None:
    return next((f for f in library() if f.factor_id == factor_id), None)


def select(activity: str | None = None, region: str | None = None, confidence: str | None = None,
           factor_set: str | None = None, factors: tuple[Factor, ...] | None = None) -> list[Factor]:
    """Library factors whose activity equals or starts with ``activity``, of ``region``, ``confidence``
    (a tag, or ``weak`` for every weak tag) and ``factor_set`` (``core`` for rows of no set)."""
    def confidence_ok(f: Factor) -> bool:
        if confidence is None:
            return True
        return f.weak if confidence == "weak" else f.confidence == confidence

    return [
        f for f in (library() if factors is None else factors)
        if (activity is None or f.activity == activity or f.activity.startswith(activity))
        and (region is None or (f.region or "") == region)
        and confidence_ok(f)
        and (factor_set is None or f.set == ("" if factor_set == "core" else factor_set))
    ]


def find_composite(factor_id: str) -> list[Factor]:
    """The factors behind an id as written in lines.csv (``A+B`` joins the factors of one line).

    Ids of earlier library versions (``packs/``) are found too. Raises :class:`zcf.errors.ZcfError`
    (usage) with close ids when one is unknown.
    """
    from zcf.errors import ExitCode, ZcfError
    from zcf.factors.packs import find_any_version

    factors = [find(part) or find_any_version(part) for part in factor_id.split("+")]
    if any(f is None for f in factors):
        import difflib

        close = difflib.get_close_matches(factor_id, [f.factor_id for f in library()], n=3)
        raise ZcfError(
            f"no factor {factor_id!r} in the library" + (f"; did you mean {', '.join(close)}?" if close else ""),
            ExitCode.USAGE,
            hint="Factors from your own factors sheet are listed in results.json (factors_used).",
        )
    return factors  # type: ignore[return-value]


def export_csv(path: Path) -> int:
    """Write the whole library to one CSV file; returns the number of factors."""
    import io

    from zcf.io import write_bytes_atomic

    buffer = io.StringIO()
    fields = list(library()[0].to_dict()) if library() else list(COLUMNS)
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for factor in library():
        writer.writerow({k: ("" if v is None else v) for k, v in factor.to_dict().items()})
    write_bytes_atomic(path, buffer.getvalue().encode("utf-8"))
    return len(library())


class FactorMissing(LookupError):
    def __init__(self, activity: str, regions: list[str], year: int | None):
        super().__init__(f"no factor for {activity} (regions {', '.join(r for r in regions if r)}, year {year})")
        self.activity = activity


class FactorResolver:
    """Pick factors: user factors beat library factors, specific beats general."""

    def __init__(self, user_factors: list[Factor] | None = None, factors: tuple[Factor, ...] | None = None):
        self.user: dict[str, list[Factor]] = {}
        for factor in user_factors or []:
            self.user.setdefault(factor.activity, []).append(factor)
        self.by_activity: dict[str, list[Factor]] = {}
        for factor in factors if factors is not None else active_library():
            self.by_activity.setdefault(factor.activity, []).append(factor)
        self._cache: dict[tuple, Resolution | None] = {}

    def knows(self, activity: str) -> bool:
        return activity in self.user or activity in self.by_activity

    def resolve(self, activity: str, regions: list[str] | tuple[str, ...], year: int | None) -> Resolution | None:
        """The factor for ``activity``: the user's, else the library's for the first region that has one."""
        key = (activity, tuple(regions), year)
        if key not in self._cache:
            self._cache[key] = self._resolve(activity, [*regions, *WORLD], year)
        return self._cache[key]

    def require(self, activity: str, regions: list[str] | tuple[str, ...], year: int | None) -> Resolution:
        found = self.resolve(activity, regions, year)
        if found is None:
            raise FactorMissing(activity, list(regions), year)
        return found

    def user_factor(self, activity: str, regions: list[str] | tuple[str, ...], year: int | None) -> Factor | None:
        """The most specific matching user factor (a blank region or year matches any)."""
        chain = [*regions, *WORLD]
        matching = [
            f
            for f in self.user.get(activity, [])
            if (f.region is None or f.region in chain) and (f.year is None or year is None or f.year == year)
        ]
        if not matching:
            return None
        return min(matching, key=lambda f: (f.region is None, chain.index(f.region) if f.region else 0,
                                            f.year is None))

    def library_years(self, activity: str, regions: list[str] | tuple[str, ...]) -> set[int]:
        """Years for which some region of the chain has a library factor of ``activity``."""
        chain = {*regions, *WORLD}
        return {f.year for f in self.by_activity.get(activity, []) if f.year is not None and (f.region or "") in chain}

    def resolve_at(self, activity: str, regions: list[str] | tuple[str, ...], year: int,
                   user_year: int | None = None) -> Resolution | None:
        """A user factor (for ``user_year``, default ``year``), else the library factor of exactly ``year``
        for the first region of the chain that has one."""
        mine = self.user_factor(activity, regions, user_year if user_year is not None else year)
        if mine is not None:
            return Resolution(mine)
        for region in [*regions, *WORLD]:
            for f in self.by_activity.get(activity, []):
                if (f.region or "") == region and f.year == year:
                    return Resolution(f)
        return None

    def resolve_elsewhere(self, activity: str, year: int | None, fallback_regions: tuple[str, ...] = ()) -> Resolution | None:
        """Another region's factor, for when the region chain has none: a factor (the user's, then the
        library's) of one of ``fallback_regions`` (zcf.toml ``[factors] fallback_regions``), else one the
        library marks as a proxy for any region (``proxy_for = "*"``). The caller must say so (a warning)."""
        for region in fallback_regions:
            found = self._resolve(activity, [region], year)
            if found is not None:
                return Resolution(found.factor, found.year_fallback, region_fallback=True)
        proxies = tuple(f for f in self.by_activity.get(activity, []) if f.proxy_for == "*")
        for region in sorted({f.region or "" for f in proxies}):
            found = FactorResolver(factors=proxies)._resolve(activity, [region], year)
            if found is not None:
                return Resolution(found.factor, found.year_fallback, region_fallback=True)
        return None

    def _resolve(self, activity: str, regions: list[str], year: int | None) -> Resolution | None:
        matching = [
            f
            for f in self.user.get(activity, [])
            if (f.region is None or f.region in regions) and (f.year is None or year is None or f.year == year)
        ]
        if matching:  # most specific user factor: a named region, then a named year
            best = min(matching, key=lambda f: (f.region is None, f.year is None))
            return Resolution(best)
        candidates = self.by_activity.get(activity, [])
        for region in regions:
            here = [f for f in candidates if (f.region or "") == region]
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
            # Only later editions exist (e.g. a 2022 inventory with 2024 transport factors): the nearest one.
            return Resolution(min(here, key=lambda f: f.year or 0), year_fallback=True)
        return None


# Canonical units of fuel quantities by kind (see zcf.units.KINDS).
_CANONICAL = {"mass": "t", "volume": "m3", "energy": "MWh"}


@dataclass(frozen=True)
class Conversion:
    """A fuel quantity converted to another kind, with the factors that did it."""

    value: float
    factors: tuple[Factor, ...]


class FuelConverter:
    """Convert fuel quantities between mass (t), volume (m3) and energy (MWh).

    Uses ``ncv.<fuel>`` (net calorific value, per mass or per volume) and
    ``density.<fuel>`` from the resolver, so user factors take part.
    """

    def __init__(self, resolver: FactorResolver, regions: list[str], year: int | None):
        self.resolver = resolver
        self.regions = regions
        self.year = year

    def _factor(self, activity: str) -> Factor | None:
        found = self.resolver.resolve(activity, self.regions, self.year)
        return found.factor if found else None

    def per_unit(self, fuel: str, source: str, target: str) -> Conversion | None:
        """How many canonical ``target``-kind units one canonical ``source``-kind unit is."""
        if source == target:
            return Conversion(1.0, ())
        ncv = self._factor(f"ncv.{fuel}")
        density = self._factor(f"density.{fuel}")
        t_per_m3 = density.per_canonical("t") if density else None
        ncv_kind = ncv.denominator_kind if ncv else None
        mwh_per = ncv.per_canonical("MWh") if ncv else None
        # energy per mass / per volume, whichever the data allows
        per_t = per_m3 = None
        per_t_factors: tuple[Factor, ...] = ()
        per_m3_factors: tuple[Factor, ...] = ()
        if ncv_kind == "mass":
            per_t, per_t_factors = mwh_per, (ncv,)
            if t_per_m3 is not None:
                per_m3, per_m3_factors = mwh_per * t_per_m3, (density, ncv)
        elif ncv_kind == "volume":
            per_m3, per_m3_factors = mwh_per, (ncv,)
            if t_per_m3:
                per_t, per_t_factors = mwh_per / t_per_m3, (density, ncv)
        table = {
            ("mass", "energy"): (per_t, per_t_factors),
            ("volume", "energy"): (per_m3, per_m3_factors),
            ("volume", "mass"): (t_per_m3, (density,) if density else ()),
        }
        if (source, target) in table:
            value, factors = table[(source, target)]
            return Conversion(value, factors) if value is not None else None
        if (target, source) in table:
            value, factors = table[(target, source)]
            return Conversion(1 / value, factors) if value else None
        return None


def energy_content(
    resolver: FactorResolver, energy_type: str, kind: str, regions: list[str], year: int | None
) -> Conversion | None:
    """Net calorific energy of one canonical unit (t or m3) of a fuel, in MWh (None if unknown)."""
    return FuelConverter(resolver, regions, year).per_unit(energy_type, kind, "energy")
