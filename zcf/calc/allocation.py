"""The factory part of a footprint: a site's own emissions shared among the products made there.

A site's own emissions are its Scope 1 + Scope 2 (market-based by default; ``[products] scope2 =
"location"`` switches) lines, **at 100 % of the
source** (``gas_t × gwp``): a footprint describes the product, so it never carries the
consolidation share of a joint venture.

The key (``zcf.toml`` ``[products] allocation``) gives each production row its weight:

* ``units``   the quantity produced in its own unit (pieces, or t) — the rows that share
              emissions must all be counted in units of one kind;
* ``mass``    the quantity produced in a mass unit (rows in pieces have no key);
* ``revenue`` the row's ``revenue``.

A row's share of its site's emissions, tCO2e at 100 % (``k`` its key)::

    factory = E(site, month) × k ÷ K(site, month) + E(site, whole year) × k ÷ K(site, year)

where ``E(site, month)`` are the lines dated in the row's month, ``E(site, whole year)``
the lines given for the whole year (spread over the months by the key), and ``K`` the sum
of the keys. When the site's production is given for the whole year (a row without a
month), everything is shared over the year: ``factory = E(site) × k ÷ K(site, year)``.
Shares therefore add up to the site's Scope 1 + 2 (market-based) at 100 %, except
emissions of months without production (reported, ``factory-emissions-not-allocated``).

Emissions are shared within a **pool** — a site-month, or the site's year when the site has
emissions or production given for the whole year. When one row of a pool has no key, no
row of the pool is allocated: sharing among the others would load them with that row's
emissions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

WHOLE_YEAR = -1  # the month of a pool that covers the site's year


def factory_emissions(lines: pd.DataFrame, scope2_method: str = "market") -> pd.DataFrame:
    """Scope 1 + Scope 2 lines (``scope2_method``: market or location) at 100 % of the source:
    site_id, month (NaN = whole year), tco2e."""
    chosen = (lines["scope"] == "1") | ((lines["scope"] == "2") & (lines["scope2_method"] == scope2_method))
    own = lines.loc[chosen.to_numpy(dtype=bool, na_value=False), ["site_id", "period", "gas_t", "gwp"]]
    month = pd.to_numeric(own["period"].fillna("").str.slice(5, 7), errors="coerce")
    return pd.DataFrame({"site_id": own["site_id"].astype("string"), "month": month.astype("float64"),
                         "tco2e": (own["gas_t"] * own["gwp"]).astype("float64")})


@dataclass
class Unallocated:
    """Production rows that get no factory part, for one reason (a problem code and its parameters)."""

    code: str
    index: pd.Index
    column: str | None
    params: dict = field(default_factory=dict)


@dataclass
class Allocation:
    """Each production row's factory part (tCO2e at 100 %; NaN = not allocated) and why some have none."""

    factory_t: pd.Series
    unallocated: list[Unallocated]
    idle: list[dict]  # {site_id, tco2e, periods}: a site's emissions in periods without production
    sites_with_lines: set[str]


def pools(production: pd.DataFrame, emissions: pd.DataFrame) -> pd.Series:
    """Each production row's pool: (site, month), or (site, WHOLE_YEAR) for sites with whole-year data."""
    whole_year = set(production.loc[production["period_month"].isna(), "site_id"].astype(str))
    whole_year |= set(emissions.loc[emissions["month"].isna(), "site_id"].dropna().astype(str))
    month = production["period_month"].astype("float64").fillna(WHOLE_YEAR).astype(int)
    by_year = production["site_id"].astype(str).isin(whole_year)
    month = month.where(~by_year, WHOLE_YEAR)
    return pd.Series(list(zip(production["site_id"].astype(str), month)), index=production.index)


def pool_period(pool: tuple[str, int], year) -> str:
    """The period of a pool as a user reads it: 2025-03, or 2025 for a whole year."""
    _, month = pool
    year_text = "" if year is None or pd.isna(year) else str(int(year))
    return year_text if month == WHOLE_YEAR else f"{year_text}-{month:02d}"


def keys(production: pd.DataFrame, allocation: str) -> tuple[pd.Series, list[Unallocated]]:
    """Each row's allocation key (NaN = none) and the rows without one, by reason."""
    if allocation == "units":
        return production["quantity_std"].astype("float64"), []
    if allocation == "mass":
        is_mass = (production["kind"] == "mass").to_numpy()
        key = production["quantity_std"].astype("float64").where(is_mass)
        missing = [Unallocated("production-not-in-mass", rows.index, "unit", {"unit": unit})
                   for unit, rows in production[~is_mass].groupby(production["unit"].astype(str), sort=True)]
        return key, missing
    if allocation == "revenue":
        key = production["revenue"].astype("float64")
        rows = production.index[key.isna().to_numpy()]
        return key, [Unallocated("production-without-revenue", rows, "revenue")] if len(rows) else []
    raise ValueError(f"unknown allocation key {allocation!r}")


def invalid_pools(production: pd.DataFrame, pool: pd.Series, key: pd.Series, allocation: str) -> list[Unallocated]:
    """Rows of pools that cannot be shared: units of several kinds (``units``), or another row without a key."""
    out: list[Unallocated] = []
    for label, rows in production.groupby(pool, sort=True):
        period = pool_period(label, rows["period_year"].iloc[0])
        where = {"site_id": label[0], "period": period}
        if allocation == "units" and rows["kind"].nunique() > 1:
            units = ", ".join(sorted(rows["unit"].astype(str).unique()))
            out.append(Unallocated("production-units-mixed", rows.index, "unit", {**where, "units": units}))
            continue
        without = key.loc[rows.index].isna()
        if without.any() and not without.all():
            out.append(Unallocated("production-pool-not-allocated", rows.index[~without.to_numpy()], None, where))
    return out


def _fsum(values: pd.Series) -> float:
    return math.fsum(values.astype("float64").tolist())


def share(production: pd.DataFrame, key: pd.Series, emissions: pd.DataFrame) -> tuple[pd.Series, list[dict]]:
    """Each row's share of its site's emissions (tCO2e at 100 %; NaN where the key is NaN).

    Rows whose key is NaN get nothing and weigh nothing. Also returns, per site, the
    emissions of periods without production (no rows, or keys that are all zero).
    """
    factory = pd.Series(np.nan, index=production.index, dtype="float64")
    idle: list[dict] = []
    for site_id, rows in production.groupby("site_id", sort=True):
        k = key.loc[rows.index].astype("float64")
        valid = k.notna().to_numpy()
        total_key = _fsum(k[valid])
        site = emissions[emissions["site_id"] == site_id]
        by_year = bool(rows["period_month"].isna().any())
        annual = _fsum(site.loc[site["month"].isna() | by_year, "tco2e"])
        monthly = {} if by_year else {m: _fsum(v) for m, v in site.dropna(subset=["month"]).groupby("month")["tco2e"]}
        shares = k * (annual / total_key) if total_key else k * 0.0
        month = rows["period_month"].astype("float64").to_numpy()
        idle_periods = [None] if annual and not total_key and valid.all() else []
        for m, emitted in sorted(monthly.items()):
            here = month == m
            key_m = _fsum(k[here & valid])
            if key_m:
                shares[here] += k[here] * (emitted / key_m)
            elif emitted and valid[here].all():
                idle_periods.append(m)
        factory.loc[rows.index] = shares
        if idle_periods:
            year = rows["period_year"].dropna().iloc[0] if rows["period_year"].notna().any() else None
            idle.append({
                "site_id": str(site_id),
                "tco2e": math.fsum((annual if m is None else monthly[m]) for m in idle_periods),
                "periods": [pool_period((site_id, WHOLE_YEAR if m is None else int(m)), year) for m in idle_periods],
            })
    return factory, idle


def allocate(production: pd.DataFrame, lines: pd.DataFrame, allocation: str, scope2_method: str = "market") -> Allocation:
    """The factory part of every production row (``production`` as given by ``production.with_kinds``)."""
    emissions = factory_emissions(lines, scope2_method)
    key, unallocated = keys(production, allocation)
    unallocated += invalid_pools(production, pools(production, emissions), key, allocation)
    blocked = production.index.isin(np.concatenate([u.index.to_numpy() for u in unallocated])) if unallocated \
        else np.zeros(len(production), dtype=bool)
    factory, idle = share(production, key.where(~blocked), emissions)
    return Allocation(factory, unallocated, idle, set(emissions["site_id"].dropna().astype(str)))
