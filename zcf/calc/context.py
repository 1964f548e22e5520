"""What every calculation module needs: the tables, the boundary, factors and GWPs.

The context resolves factors (recording each one used for the factor register),
gives each site its region chain (province → grid region → country) and its share
under the consolidation approach, and collects problems for the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from zcf.calc.ledger import Ledger
from zcf.config import ALLOCATION, MASS_BALANCE_RATIO, WORKING_DAYS
from zcf.factors import Factor, FactorResolver, FuelConverter, Resolution
from zcf.factors.policy import FactorPolicy
from zcf.factors.vintage import GridUse, GridVintage
from zcf.problems import Problem

# Factor series published per year, where using an older year deserves a warning. Other factors
# (materials, freight, travel ...) carry their publication year and are used as the latest edition.
YEAR_SPECIFIC = ("electricity.", "tce.", "heat.", "fx.")
APPROACH_ZH = {"operational_control": "运营控制权", "financial_control": "财务控制权", "equity_share": "股权比例"}


@dataclass
class CalcOptions:
    """Choices from zcf.toml that change the arithmetic."""

    working_days: int = WORKING_DAYS  # commuting days per year when the table leaves them out
    fallback_regions: tuple[str, ...] = ()  # regions whose factors may stand in where ours has none (warned)
    not_relevant: dict[str, str | dict[str, str]] = field(default_factory=dict)  # Scope 3 category → reason (or {zh, en})
    allocation: str = ALLOCATION  # units | mass | revenue: shares a site's own emissions among its products
    mass_balance_ratio: float = MASS_BALANCE_RATIO  # BOM use ÷ quantity bought or made above which to warn
    footprint_scope2: str = "market"  # the Scope 2 method of a product footprint's factory part
    factors: FactorPolicy = field(default_factory=FactorPolicy)  # zcf.toml [factors]: library, sets, vintage, ...


@dataclass
class CalcContext:
    tables: dict[str, pd.DataFrame]
    organization: dict[str, Any]
    resolver: FactorResolver
    options: CalcOptions = field(default_factory=CalcOptions)
    problems: list[Problem] = field(default_factory=list)
    used: dict[str, Factor] = field(default_factory=dict)
    ledger: Ledger | None = None
    memo: list[dict[str, Any]] = field(default_factory=list)  # emissions reported outside the scopes
    purchase_spend_cny: pd.Series | None = None  # each purchase row's spend in CNY (coverage shares)
    category3_parts: dict[str, dict] = field(default_factory=dict)  # 3a–3d: calculated or why not
    _reported: set = field(default_factory=set)

    def __post_init__(self) -> None:
        if self.ledger is None:
            self.ledger = Ledger(self.tables)

    @property
    def year(self) -> int:
        return int(self.organization["reporting_year"])

    @property
    def gwp_basis(self) -> str:
        return str(self.organization.get("gwp_basis") or "AR6")

    @property
    def approach(self) -> str:
        return str(self.organization.get("consolidation_approach") or "operational_control")

    @property
    def country(self) -> str:
        return str(self.organization.get("country") or "CN")

    def table(self, name: str) -> pd.DataFrame:
        return self.tables.get(name, pd.DataFrame())

    # --- sites and boundary -------------------------------------------------

    @cached_property
    def sites(self) -> pd.DataFrame:
        """The sites table indexed by site_id (built once: every module asks for it per group)."""
        return self.table("sites").set_index("site_id", drop=False) if "sites" in self.tables else pd.DataFrame()

    def regions_for_site(self, site_id: str) -> list[str]:
        """Most specific first: province (CN-JS), its grid region (CN-GRID-EAST), the country."""
        from zcf.schema import load_schema

        sites = self.sites
        if site_id not in sites.index:
            return [self.country]
        site = sites.loc[site_id]
        chain: list[str] = []
        province = site.get("province")
        if isinstance(province, str):
            chain.append(province)
        grid = site.get("grid_region")
        if not isinstance(grid, str) and isinstance(province, str):
            grid = load_schema().province(province).grid_region
        if isinstance(grid, str):
            chain.append(f"CN-GRID-{grid.upper()}")
        country = site.get("country")
        chain.append(country if isinstance(country, str) else self.country)
        return chain

    @cached_property
    def suppliers(self) -> pd.DataFrame:
        return self.table("suppliers").set_index("supplier_id", drop=False) if "suppliers" in self.tables else pd.DataFrame()

    def regions_for_supplier(self, supplier_id: str) -> list[str]:
        """Where a supplier makes what it sells, most specific first: its province, its country (else ours)."""
        suppliers = self.suppliers
        if supplier_id not in suppliers.index:
            return [self.country]
        supplier = suppliers.loc[supplier_id]
        province, country = supplier.get("province"), supplier.get("country")
        chain = [province] if isinstance(province, str) else []
        chain.append(country if isinstance(country, str) else self.country)
        return chain

    def site_shares(self, site_ids: pd.Series) -> pd.Series:
        """Share of each row's emissions inside the boundary (0–1), by its site."""
        sites = self.sites
        codes, distinct = pd.factorize(site_ids, use_na_sentinel=True)  # each site looked up once
        by_site = np.ones(len(distinct) + 1, dtype="float64")  # the last entry: rows without a site (1.0)
        for k, site_id in enumerate(distinct.tolist()):
            if site_id not in sites.index:
                continue
            site = sites.loc[site_id]
            if self.approach == "equity_share":
                share = site.get("equity_share")
                by_site[k] = 1.0 if pd.isna(share) else float(share)
            else:
                controlled = site.get("controlled")
                inside = True if pd.isna(controlled) else bool(controlled)
                by_site[k] = 1.0 if inside else 0.0
                if not inside:
                    self.report("outside-boundary", site_id=site_id, approach=self.approach.replace("_", " "),
                                approach_zh=APPROACH_ZH[self.approach])
        return pd.Series(by_site[codes], index=site_ids.index, dtype="float64")

    # --- factors ------------------------------------------------------------

    def factor(self, activity: str, regions: list[str] | tuple[str, ...], rows: pd.DataFrame | None = None,
               table: str | None = None, column: str | None = None) -> Factor | None:
        """Resolve a factor, remember it, and report a year fallback once.

        When none is found, ``rows`` of ``table`` are excluded (``factor-missing``, at ``column``).
        """
        found: Resolution | None = self.resolver.resolve(activity, regions, self.year)
        where = ", ".join(r for r in regions if r) or "any region"
        if found is None:
            if rows is not None and table is not None:
                self.exclude(table, rows, "factor-missing", column, activity=activity, where=where)
            else:
                self.report("factor-missing-global", activity=activity, where=where)
            return None
        factor = found.factor
        if found.year_fallback and activity.startswith(YEAR_SPECIFIC):
            self.report(
                "factor-year-fallback" if (factor.year or 0) < self.year else "factor-year-later",
                activity=activity,
                region=factor.region or "",
                year=self.year,
                factor_year=factor.year,
                factor_id=factor.factor_id,
            )
        self.used[factor.factor_id] = factor
        return factor

    # --- grid factors: one vintage for every use (zcf.factors.vintage) -------------------------

    def grid_uses(self) -> list[GridUse]:
        """Every use of a grid factor this inventory has: sites with grid electricity, cat-11 markets."""
        from zcf.calc.scope2 import electricity_rows

        uses: list[GridUse] = []
        grid = electricity_rows(self)
        for site_id in sorted(pd.unique(grid["site_id"].dropna())) if len(grid) else []:
            chain = tuple(self.regions_for_site(site_id))
            uses.append(GridUse("scope2_location", "electricity.grid", chain, site_id))
            uses.append(GridUse("scope2_residual", "electricity.residual_mix", chain, site_id))
        sold = self.table("sold_products")
        if not sold.empty and "market" in sold:
            electric = sold[sold["powertrain"].isin(["bev", "phev"])] if "powertrain" in sold else sold
            for market in sorted(pd.unique(electric["market"].fillna(self.country))):
                uses.append(GridUse("category11", "electricity.grid", (str(market),), str(market)))
        return uses

    @cached_property
    def grid_vintage(self) -> GridVintage:
        from zcf.factors.vintage import choose

        chosen = choose(self.resolver, self.options.factors.vintage, self.year, self.grid_uses())
        if chosen.year is None and chosen.policy == "latest" and self.grid_uses():
            self.report("grid-vintage-none", year=self.year)
        elif chosen.year is not None and self.grid_uses():
            en, zh = chosen.rule
            self.report("grid-vintage", vintage=chosen.year, policy=chosen.policy, rule=en, rule_zh=zh, year=self.year)
        return chosen

    def grid_factor(self, use: str, activity: str, regions: list[str] | tuple[str, ...], label: str,
                    rows: pd.DataFrame | None = None, table: str | None = None,
                    column: str | None = None) -> Factor | None:
        """The grid factor of one use under the vintage policy (the user's own first), recorded for results.json.

        None when the policy's year has no factor for the use: ``rows`` are excluded (``grid-vintage-missing``).
        """
        vintage = self.grid_vintage
        unknown_here = not self.resolver.library_years(activity, regions) and \
            self.resolver.user_factor(activity, regions, self.year) is None
        if vintage.year is None or unknown_here:  # this use's own latest (or factor-missing when there is none)
            factor = self.factor(activity, regions, rows, table, column)
            if factor is not None:
                vintage.record(GridUse(use, activity, tuple(regions), label), factor)
            return factor
        found = self.resolver.resolve_at(activity, regions, vintage.year, user_year=self.year)
        if found is None:
            where = ", ".join(r for r in regions if r) or "any region"
            if rows is not None and table is not None:
                self.exclude(table, rows, "grid-vintage-missing", column, activity=activity, vintage=vintage.year,
                             where=where, policy=vintage.policy)
            else:
                self.report("factor-missing-global", activity=activity, where=f"{where}, {vintage.year}")
            return None
        factor = found.factor
        vintage.record(GridUse(use, activity, tuple(regions), label), factor)
        if factor.year is not None and factor.year != self.year:
            self.report("factor-year-fallback" if factor.year < self.year else "factor-year-later", activity=activity,
                        region=factor.region or "", year=self.year, factor_year=factor.year,
                        factor_id=factor.factor_id)
        self.used[factor.factor_id] = factor
        return factor

    def use(self, factor: Factor) -> Factor:
        self.used[factor.factor_id] = factor
        return factor

    def gwp(self, gas: str, rows: pd.DataFrame | None = None, table: str | None = None,
            column: str | None = None) -> Factor | None:
        """The GWP of a gas under the organisation's basis (CO2 is 1); ``rows`` excluded when unknown."""
        found = self.resolver.resolve(f"gwp.{self.gwp_basis}.{gas}", [], None)
        if found is None:
            if rows is not None and table is not None:
                self.exclude(table, rows, "unknown-gas", column, gas=gas, basis=self.gwp_basis)
            else:
                self.report("unknown-gas-global", gas=gas, basis=self.gwp_basis)
            return None
        return self.use(found.factor)

    def fuels(self, regions: list[str]) -> FuelConverter:
        return FuelConverter(self.resolver, regions, self.year)

    # --- problems -----------------------------------------------------------

    def exclude(self, table: str, rows, code: str, column: str | None = None, **params: Any) -> None:
        """Rows left out (or left out in part) of the calculation, with the reason: see :class:`Ledger`."""
        self.ledger.exclude(table, rows, code, column, **params)  # type: ignore[union-attr]

    def note(self, table: str, rows, code: str, column: str | None = None, **params: Any) -> None:
        """A warning about rows that were calculated (a weaker method, a proxy factor): see :class:`Ledger`."""
        self.ledger.note(table, rows, code, column, **params)  # type: ignore[union-attr]

    def report(self, code: str, **params: Any) -> None:
        key = (code, tuple(sorted((k, str(v)) for k, v in params.items() if k != "rows")))
        if key in self._reported:
            return
        self._reported.add(key)
        self.problems.append(Problem(code, params=params))


def positive(values: pd.Series) -> np.ndarray:
    """Rows that hold a usable (present, non-negative) number."""
    return values.notna().to_numpy() & (values.fillna(-1).to_numpy(dtype="float64") >= 0)
