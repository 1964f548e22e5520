"""One rule for the year (vintage) and region of grid factors, applied alike to every use.

The uses: location-based Scope 2 of each site (``electricity.grid`` along province → grid
region → country), the residual factor of market-based Scope 2 (``electricity.residual_mix``)
and category 11, electricity used by sold vehicles (``electricity.grid`` of each market) —
and with them the generation factor of T&D losses (category 3c), which is the location factor.

Policies (zcf.toml ``[factors] vintage``):

* ``latest`` (default): the vintage is the latest year, not after the reporting year, for
  which *every* use has a library factor; each use then takes the most specific region that
  has a factor of that year. MEE/NBS publish provincial factors later than regional ones
  for some years, so a province's 2022 factor gives way to its grid region's 2023 one when
  2023 is the common year — Scope 2, the residual factor and category 11 then share one vintage.
* ``same-year``: the reporting year's factors only; a use without one is not calculated
  (its rows are excluded with the reason).
* a year (``vintage = 2022``): that year's factors for every use, e.g. to follow a programme
  that prescribes a vintage or to reproduce an earlier inventory.

When no year is common to every use (a market with factors of other years only), each use
takes its own latest year with a warning. The user's own grid factors (factors sheet) take
precedence over the policy, as every user factor does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from zcf.factors import FactorResolver

RULE_TEXT = {
    "latest": ("the latest year, not after the reporting year, published for every use (location-based Scope 2, "
               "the residual factor, category 11); for each use the most specific region with a factor of that year",
               "报告年度及以前、各用途（位置法范围二、剩余电力因子、类别11）均已发布因子的最近年份；各用途取该年份有因子的最具体区域"),
    "same-year": ("the reporting year's factors only; a use without one is not calculated",
                  "仅用报告年度的因子；无因子的用途不计算"),
    "year": ("the factors of the year set in zcf.toml for every use", "各用途均采用 zcf.toml 指定年份的因子"),
}


@dataclass(frozen=True)
class GridUse:
    use: str  # scope2_location | scope2_residual | category11
    activity: str  # electricity.grid | electricity.residual_mix
    regions: tuple[str, ...]
    label: str  # site id or market


@dataclass
class GridVintage:
    policy: str  # latest | same-year | <year>
    reporting_year: int
    year: int | None  # the common vintage; None: none is common (each use its own latest year)
    uses: list[dict] = field(default_factory=list)  # what each use took: use, label, factor_id, region, year

    @property
    def rule(self) -> tuple[str, str]:
        return RULE_TEXT["year" if self.policy not in RULE_TEXT else self.policy]

    def record(self, use: GridUse, factor) -> None:
        entry = {"use": use.use, "label": use.label, "activity": use.activity, "factor_id": factor.factor_id,
                 "region": factor.region, "year": factor.year, "origin": factor.origin}
        if entry not in self.uses:
            self.uses.append(entry)

    def to_dict(self) -> dict:
        en, zh = self.rule
        return {"policy": self.policy, "reporting_year": self.reporting_year, "year": self.year, "rule": en,
                "rule_zh": zh, "uses": sorted(self.uses, key=lambda u: (u["use"], str(u["label"])))}


def choose(resolver: FactorResolver, policy: str | int, reporting_year: int, uses: list[GridUse]) -> GridVintage:
    """The common vintage of ``uses`` under ``policy`` (library factors only; the user's own are used as given)."""
    if isinstance(policy, int) or str(policy).isdigit():
        return GridVintage(str(policy), reporting_year, int(policy))
    if policy == "same-year":
        return GridVintage(policy, reporting_year, reporting_year)
    years = [resolver.library_years(u.activity, u.regions) for u in uses]
    years = [y for y in years if y]  # a use without any library factor does not decide the vintage
    common = set.intersection(*years) if years else set()
    eligible = [y for y in common if y <= reporting_year]
    return GridVintage("latest", reporting_year, max(eligible) if eligible else None)
