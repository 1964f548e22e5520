"""Print docs/activities.md: every activity id of the factor library, with units and sources.

Run with `make docs`. Users write these ids in the `activity` column of their own
factors sheet to override or extend the library.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from zcf.factors import LIBRARY_VERSION, library  # noqa: E402

INTRO = """# Activity ids of the factor library

Generated from `zcf/factors/data/*.csv` by `make docs`; library version {version}.

An activity id names what a factor applies to. To use your own value, add a row to the
`factors` sheet (排放因子) with the same `activity`, a `value`, a `unit` and a `source`;
a blank region or year applies everywhere. Your row beats every library value.

| family | meaning | unit of the value |
| --- | --- | --- |
| `electricity.grid` | location-based grid factor by region (province `CN-JS`, grid `CN-GRID-EAST`, country `CN`) | kgCO2/kWh |
| `electricity.residual_mix` | residual factor for market-based Scope 2 | kgCO2/kWh |
| `heat.purchased` | purchased steam and heat | tCO2/GJ |
| `ncv.<fuel>`, `density.<fuel>` | net calorific value, density | GJ/t, GJ/10^4Nm3, kg/L |
| `carbon_content.<fuel>`, `oxidation.<fuel>` | GB/T 32150 carbon content and oxidation rate | tC/TJ, fraction |
| `ef.<fuel>` | (yours only) CO2 per unit of fuel, replacing NCV × CC × OF | e.g. kgCO2/m3 |
| `ch4.<use>.<fuel>`, `n2o.<use>.<fuel>` | IPCC CH4 and N2O per energy, use = stationary or mobile | kgCH4/TJ |
| `gwp.<AR4/AR5/AR6>.<gas>` | 100-year GWP | kgCO2e/kg |
| `wtt.<fuel>`, `electricity.td_loss_rate` | Scope 3 category 3 | per L/m3/kg, fraction |
| `material.<material>` | average-data factor for purchases (the `material` column) | tCO2e/t, kgCO2e/kWh |
| `spend.<sector>` | spend-based factor (the `sector` column) | kgCO2e/CNY |
| `fx.<currency>` | CNY per unit of another currency | CNY/USD |
| `freight.<mode>` | transport per tonne-km | kgCO2e/tkm |
| `waste.<treatment>[.<waste_type>]` | waste treatment | kgCO2e/t |
| `travel.<mode>`, `commuting.<mode>` | per passenger-km (hotel: per night) | kgCO2e/km |
| `eol.vehicle` | end of life of sold vehicles, per tonne | kgCO2e/t |
| `tce.electricity_equivalent`, `tce.electricity_equal_value` | GB/T 2589 electricity to standard coal | kgce/kWh, gce/kWh |
"""


def render() -> str:
    by_activity: dict[str, list] = defaultdict(list)
    for factor in library():
        by_activity[factor.activity].append(factor)
    lines = [INTRO.format(version=LIBRARY_VERSION), "## All activities", "",
             "| activity | regions | years | unit | source (first) | confidence |", "| --- | --- | --- | --- | --- | --- |"]
    for activity in sorted(by_activity):
        factors = by_activity[activity]
        regions = sorted({f.region or "any" for f in factors})
        years = sorted({str(f.year) for f in factors if f.year}) or ["any"]
        region_text = ", ".join(regions) if len(regions) <= 4 else f"{len(regions)} regions"
        source = factors[0].source.replace("|", "/")
        source = source if len(source) <= 90 else source[:89] + "…"
        confidence = ", ".join(sorted({f.confidence for f in factors}))
        lines.append(f"| `{activity}` | {region_text} | {', '.join(years)} | {factors[0].unit} | {source} | {confidence} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
