"""End-to-end calculation of the sample automaker: hand checks, pinned figures, audit trail."""

import csv
import json
import math

import pandas as pd
import pytest

from conftest import SAMPLE_EN, SAMPLE_ZH, invoke

# Pinned results of the sample (tCO2e, AR6, reporting year 2025). A change here must be explained.
# Factor library 2026.11.1 (issue 10) changed them; each change measured on this sample:
# scope1 +22.29: the current MEE fuel table (diesel 43.33, gasoline 44.80 GJ/t instead of 42.652, 43.07) and the
#   sample's own gasoline density (0.742 kg/L; its factors sheet gave a diesel density, no longer needed);
# scope2_location −27,351.41: one grid vintage for every use — 2023, of the grid regions (Chongqing in the
#   Southwest grid 0.2472, Jiangsu and Shanghai in the East grid 0.55) instead of the 2022 provincial factors;
# scope2_market unchanged (the 2023 residual factor was already used; every certificate is of 2025);
# cat 1 −60,492.99, cat 2 −3,908.37: US EPA USEEIO v1.2 rows per 2021 USD through fx.USD instead of recalled
#   per-CNY values; cat 3 −904.25: well-to-tank per kWh of NCV (DESNZ 2025) and T&D losses at the 2023 regional
#   factors; cat 4 +254.03, cat 6 −569.39, cat 7 −105.76, cat 9 +691.44: DESNZ 2025 instead of "2024" values;
# cat 5 +1,958.97: fossil CO2 of the 1,545 t of hazardous waste incinerated (1,545 × 0.45 tC/t × 44/12 =
#   2,549.25 t) with DESNZ 2025 landfill (higher) and recycling (4.68568 instead of 21.3 kgCO2e/t);
# cat 11 +88,752.84: gasoline NCV 44.80 instead of 43.07 GJ/t (+4.0 %) at density 0.742 instead of 0.7475 kg/L;
# cat 12 −5,475.98: 4.68568 instead of 21.3 kgCO2e/t. Scope 3 +20,200.55, total (market) +20,222.84.
PINNED = {
    "scope1": 30902.89,
    "scope2_location": 80450.12,
    "scope2_market": 78913.64,
    "scope3": 6224039.87,
    "total_market": 6333856.40,
}
PINNED_SCOPE3 = {"1": 1714181.41, "2": 12387.67, "3": 8498.52, "4": 11584.20, "5": 3455.08, "6": 2491.72,
                 "7": 9605.38, "9": 21998.83, "11": 4438292.67, "12": 1544.37}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample")
    result = invoke(["run", SAMPLE_ZH, "-o", out])
    assert result.exit_code == 0, result.stdout + result.stderr
    return out, json.loads((out / "results.json").read_text(encoding="utf-8"))


def test_pinned_totals(sample):
    _, results = sample
    for key, value in PINNED.items():
        assert results["totals"][key] == pytest.approx(value, abs=0.01), key
    for category, value in PINNED_SCOPE3.items():
        assert results["totals"]["scope3_by_category"][category] == pytest.approx(value, abs=0.01), category


def test_scope2_location_by_hand(sample):
    """Σ MWh × the grid-region factor of 2023 (the vintage every use has, MEE/NBS) + steam GJ × 0.11 t/GJ."""
    _, results = sample
    factor = {"CQ01": 0.2472, "JS01": 0.55, "JS02": 0.55, "SH01": 0.55}  # Southwest and East China grids, 2023
    to_mwh = {"kWh": 0.001, "万千瓦时": 10.0, "MWh": 1.0}
    electricity = steam = 0.0
    with open(SAMPLE_EN / "energy.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["energy_type"] == "electricity":
                electricity += float(row["quantity"]) * to_mwh[row["unit"]] * factor[row["site_id"]]
            elif row["energy_type"] == "steam":
                steam += float(row["quantity"]) * 0.11
    assert results["totals"]["scope2_location"] == pytest.approx(electricity + steam, rel=1e-12)
    assert results["totals"]["scope2_by_category"]["location"]["steam_heat"] == pytest.approx(steam, rel=1e-12)


def test_fugitive_by_hand(sample):
    _, results = sample
    gwp_ar6 = {"R-410A": 2255.5, "R-1234yf": 0.501, "SF6": 25200, "R-134a": 1530, "R-32": 771}
    with open(SAMPLE_EN / "refrigerants.csv", encoding="utf-8") as f:
        expected = sum(float(r["quantity_kg"]) * gwp_ar6[r["gas"]] / 1000 for r in csv.DictReader(f))
    assert results["totals"]["scope1_by_category"]["fugitive"] == pytest.approx(expected, rel=1e-12)


def test_figures_are_plausible_for_an_automaker(sample):
    _, results = sample
    per_vehicle = results["intensity"]["per_vehicle"]["scope1_2_market"]
    assert 0.3 < per_vehicle < 1.5  # t CO2e per vehicle for assembly plants
    products = {p["product_id"]: p for p in results["products"]}
    assert 8_000 < products["EV-S1"]["per_unit_kgco2e"] < 14_000  # BEV cradle-to-gate incl. a 75 kWh pack
    assert products["EV-S1"]["per_unit_kgco2e"] > products["IC-G3"]["per_unit_kgco2e"]
    assert 0.2 < results["energy"]["renewable_share"] < 0.6
    assert results["scope3_status"]["11"]["status"] == "calculated"
    assert results["totals"]["scope3_by_category"]["11"] > results["totals"]["scope3_by_category"]["1"]


def test_sample_lines_sum_to_totals(sample):
    out, results = sample
    lines = pd.read_csv(out / "lines.csv", dtype={"scope": str, "category": str})
    assert math.fsum(lines.loc[lines["scope"] == "1", "co2e_t"]) == results["totals"]["scope1"]
    market = lines[(lines["scope"] == "2") & (lines["scope2_method"] == "market")]
    assert math.fsum(market["co2e_t"]) == results["totals"]["scope2_market"]
    assert math.fsum(lines.loc[lines["scope"] == "3", "co2e_t"]) == results["totals"]["scope3"]
    for site_id, site in results["by_site"].items():
        here = lines[(lines["site_id"] == site_id) & (lines["scope"] == "1")]
        assert math.fsum(here["co2e_t"]) == site["scope1"]


def test_chinese_and_english_inputs_give_the_same_results(sample, tmp_path):
    _, zh = sample
    result = invoke(["run", SAMPLE_EN, "-o", tmp_path])
    assert result.exit_code == 0
    en = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert en["totals"] == zh["totals"]
    assert en["energy"] == zh["energy"]
    assert [p["per_unit_kgco2e"] for p in en["products"]] == [p["per_unit_kgco2e"] for p in zh["products"]]


def test_calc_is_deterministic(sample, tmp_path):
    out, _ = sample
    first = {name: (out / name).read_bytes() for name in ("results.json", "lines.csv", "lines.parquet")}
    assert invoke(["calc", out]).exit_code == 0
    for name, data in first.items():
        assert (out / name).read_bytes() == data, name


def test_factors_show_gives_the_source_of_every_library_factor_used(sample):
    _, results = sample
    library_factors = [f for f in results["factors_used"] if f["origin"] == "library"]
    assert len(library_factors) > 30
    for factor in library_factors:
        shown = invoke(["factors", "show", factor["factor_id"], "--json"])
        assert shown.exit_code == 0, factor["factor_id"]
        shown = json.loads(shown.stdout)[0]
        assert shown["source"] == factor["source"] and shown["citation"].startswith(factor["source"])
        assert shown["publisher"] and shown["document"] and shown["confidence_means"]
    user = [f for f in results["factors_used"] if f["origin"] == "user"]
    assert [f["activity"] for f in user] == ["density.gasoline"]  # the sample's own density overrides the library


def test_calc_json_is_the_results_document(sample):
    out, results = sample
    result = invoke(["calc", out, "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == results


def test_calc_without_dataset_is_a_clear_error(tmp_path):
    result = invoke(["calc", tmp_path])
    assert result.exit_code == 1
    assert "run zcf ingest" in result.stderr and "Traceback" not in result.stderr


def test_factors_list_and_export(tmp_path):
    listed = invoke(["factors", "list", "--activity", "electricity.grid", "--region", "CN-JS", "--json"])
    ids = [f["factor_id"] for f in json.loads(listed.stdout)]
    assert ids == ["CN_GRID_PROV_JS_2021", "CN_GRID_PROV_JS_2022"]
    assert invoke(["factors", "export", "-o", tmp_path / "f.csv"]).exit_code == 0
    exported = pd.read_csv(tmp_path / "f.csv")
    assert exported["source"].notna().all() and len(exported) > 150
    missing = invoke(["factors", "show", "CN_GRID_NOPE"])
    assert missing.exit_code == 2 and "did you mean" in missing.stderr
