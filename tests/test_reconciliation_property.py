"""Every input row is accounted for, whatever the data: a property test over generated inventories.

Generated purchases (materials with and without factors for the region, quantities in several units,
spend in several currencies, supplier footprints per unit or as totals), energy, refrigerants (HCFC-22
included) and travel rows go through ingest and calc; whenever the inputs are valid, every row of every
table that feeds the calculation must be calculated, used or excluded with a reason, and the totals
must be the exact sums of the lines.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zcf.calc import calculate, load_dataset
from zcf.ingest import ingest, write_dataset

ORG = "field,value\ncompany_name,P\nreporting_year,2025\nconsolidation_approach,equity_share\n"
SITES = "site_id,province,equity_share,controlled\nS1,江苏,1,是\nS2,重庆,0.5,是\nS3,上海,1,否\n"
SUPPLIERS = "supplier_id,province\nA,江苏\nB,\n"

materials = st.sampled_from(["", "steel", "钢材", "铝", "plastics", "battery_cell", "copper", "glass"])
units = st.sampled_from(["t", "kg", "件", "kWh"])
currencies = st.sampled_from(["CNY", "元", "万元", "USD", "eur"])
pcf_units = st.sampled_from(["tCO2e/t", "kgCO2e/kg", "kgCO2e/件", "kgCO2e/kWh", "tCO2e"])
amounts = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 3))


@st.composite
def purchase_rows(draw) -> str:
    material = draw(materials)
    quantity, unit = (draw(amounts), draw(units)) if draw(st.booleans()) else ("", "")
    spend, currency = (draw(amounts), draw(currencies)) if draw(st.booleans()) else ("", "")
    sector = draw(st.sampled_from(["", "machinery", "汽车零部件"])) if spend != "" else ""
    pcf, pcf_unit = "", ""
    if draw(st.booleans()):
        pcf_unit = draw(pcf_units)
        pcf = draw(amounts)
    site = draw(st.sampled_from(["", "S1", "S2", "S3"]))
    supplier = draw(st.sampled_from(["A", "B"]))
    item = draw(st.integers(1, 10**6))
    return f"{supplier},I{item},1,{material},{quantity},{unit},{spend},{currency},{sector},{pcf},{pcf_unit},{site}"


@st.composite
def energy_rows(draw) -> str:
    site = draw(st.sampled_from(["S1", "S2", "S3"]))
    kind, unit = draw(st.sampled_from([("electricity", "kWh"), ("natural_gas", "万m3"), ("diesel", "L"),
                                       ("onsite_solar", "kWh"), ("steam", "GJ")]))
    return f"{site},2025-{draw(st.integers(1, 12)):02d},{kind},{draw(amounts)},{unit}"


@st.composite
def inventories(draw) -> dict[str, str]:
    purchases = draw(st.lists(purchase_rows(), min_size=1, max_size=12))
    energy = draw(st.lists(energy_rows(), max_size=8, unique_by=lambda r: tuple(r.split(",")[:3])))
    gases = draw(st.lists(st.sampled_from(["R-134a", "R22", "SF6", "R-410A"]), max_size=3, unique=True))
    travel = draw(st.lists(st.sampled_from(["air_short,1000,,,,S1", "hotel_night,,,5,,S2", "rail,,,,5000,CNY",
                                            "hotel_night,300,,,,S1", "car,,,,,S1"]), max_size=4))
    return {
        "purchases": "supplier_id,item_id,category,material,quantity,unit,spend,currency,sector,supplier_pcf,pcf_unit,"
                     "site_id\n" + "\n".join(purchases) + "\n",
        "energy": "site_id,period,energy_type,quantity,unit\n" + "\n".join(energy) + "\n",
        "refrigerants": "site_id,period,gas,quantity_kg\n" + "\n".join(f"S1,2025,{g},12" for g in gases) + "\n",
        "travel": "mode,distance_km,note,nights,spend,currency,site_id\n" + "\n".join(travel) + "\n",
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inventories())
def test_every_row_is_calculated_used_or_excluded(tables):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "in"
        root.mkdir()
        for name, text in {"organization": ORG, "sites": SITES, "suppliers": SUPPLIERS, **tables}.items():
            (root / f"{name}.csv").write_text(text, encoding="utf-8")
        report = ingest([str(root)])
        if not report.valid:  # invalid inputs are refused at ingest with cell errors: nothing to account for
            assert any(p.severity == "error" and p.row for p in report.problems)
            return
        out = Path(tmp) / "out"
        write_dataset(report, out)
        result = calculate(*load_dataset(out))
    reconciliation = result.results["reconciliation"]
    for name, frame in report.tables.items():
        if name not in reconciliation and name in ("purchases", "energy", "refrigerants", "travel") and len(frame):
            raise AssertionError(f"{name} has rows but no reconciliation")
    for name, entry in reconciliation.items():
        assert entry["unaccounted"] == 0, (name, entry["unaccounted_cells"])
        assert entry["calculated"] + entry["used"] + entry["excluded"] == entry["rows"], name
        for reason in entry["reasons"]:
            assert reason["message"] and reason["cells"], reason
    lines = result.lines
    totals = result.results["totals"]
    assert totals["scope3"] == math.fsum(lines.loc[lines["scope"] == "3", "co2e_t"].tolist())
    assert totals["scope1"] == math.fsum(lines.loc[lines["scope"] == "1", "co2e_t"].tolist())
