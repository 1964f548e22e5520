"""Generate zcf's sample data: a fictional automaker, 示例汽车集团, reporting year 2025.

Run from the repository root:  python sample_data/generate.py

Writes the same data twice, so that both input paths are exercised:
* ``sample_data/zh/示例汽车集团_2025.xlsx`` — one workbook, Chinese sheet names,
  headers and values (电力, 重庆, 是/否), monthly periods as Excel dates;
* ``sample_data/en/*.csv`` — one English CSV per table;
and ``sample_data/bad/`` — workbooks with typical mistakes, used by the tests.

All figures are invented but sized like a real group: two vehicle plants
(Chongqing, Changzhou/Jiangsu), a battery-pack plant (a joint venture, 60 %
owned) and a head office in Shanghai; three models (BEV, PHEV, ICE).
The generator is deterministic (fixed random seed).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from zcf.schema import load_schema  # noqa: E402

YEAR = 2025
rng = random.Random(20251)
SCHEMA = load_schema()

# Monthly shape of production (Chinese New Year dip in Jan/Feb, year-end push).
SEASON = [0.78, 0.62, 0.95, 1.0, 1.02, 1.05, 0.98, 1.0, 1.06, 1.08, 1.12, 1.34]
SEASON = [s / (sum(SEASON) / 12) for s in SEASON]
# Heating and cooling load on top of base load (paint shops, HVAC).
WEATHER = [1.18, 1.12, 1.02, 0.94, 0.95, 1.05, 1.14, 1.15, 1.0, 0.92, 0.98, 1.12]


def wobble(x: float, pct: float = 0.04) -> float:
    return x * (1 + rng.uniform(-pct, pct))


# ---------------------------------------------------------------------------
# The data, as lists of dicts with canonical (English) values.
# ---------------------------------------------------------------------------

organization = {
    "company_name": "示例汽车集团有限公司",
    "company_name_en": "Example Automotive Group Co., Ltd.",
    "reporting_year": YEAR,
    "base_year": 2023,
    "consolidation_approach": "operational_control",
    "currency": "CNY",
    "revenue": 31_800_000_000,
    "gwp_basis": "AR6",
    "country": "CN",
    "credit_code": "91500000MA5UEXAMPL",
    "assurance_level": "limited",
    "verifier": "示例认证服务有限公司",
}

sites = [
    {"site_id": "CQ01", "name": "重庆整车工厂", "name_en": "Chongqing vehicle plant", "province": "CN-CQ", "activity": "vehicle_assembly", "equity_share": 1.0},
    {"site_id": "JS01", "name": "常州整车工厂", "name_en": "Changzhou vehicle plant", "province": "CN-JS", "activity": "vehicle_assembly", "equity_share": 1.0},
    {"site_id": "JS02", "name": "常州电池包工厂", "name_en": "Changzhou battery-pack plant", "province": "CN-JS", "activity": "battery_packs", "equity_share": 0.6},
    {"site_id": "SH01", "name": "上海总部", "name_en": "Shanghai head office", "province": "CN-SH", "activity": "office", "equity_share": 1.0},
]
ACTIVITY_ZH = {"vehicle_assembly": "整车装配", "battery_packs": "电池包生产", "office": "办公"}

# Production per year by site and model; batches are monthly.
MODELS = {
    "EV-S1": {"powertrain": "bev", "mass": 1850},
    "PH-M5": {"powertrain": "phev", "mass": 1720},
    "IC-G3": {"powertrain": "ice_gasoline", "mass": 1420},
    "BP-75": {"powertrain": None, "mass": 480},  # 75 kWh battery pack, made in JS02 for EV-S1
}
PRODUCTION = {"CQ01": {"EV-S1": 66_000, "PH-M5": 48_000}, "JS01": {"IC-G3": 57_000, "PH-M5": 31_000}, "JS02": {"BP-75": 66_000}}

production = []
for site, models in PRODUCTION.items():
    for model, annual in models.items():
        for m in range(12):
            qty = round(annual / 12 * SEASON[m] * rng.uniform(0.97, 1.03))
            production.append(
                {
                    "site_id": site,
                    "period": f"{YEAR}-{m + 1:02d}",
                    "product_id": model,
                    "quantity": qty,
                    "unit": "piece",
                    "batch_id": f"{site[:2]}{YEAR % 100}{m + 1:02d}-{model[:2]}",
                    "revenue": round(qty * {"EV-S1": 168_000, "PH-M5": 152_000, "IC-G3": 98_000, "BP-75": 0}[model]),
                }
            )

# Energy per month. Units as plants record them.
energy = []


def add_energy(site, etype, m, qty, unit, meter=None, use=None, supply=None, evidence=None):
    energy.append(
        {
            "site_id": site,
            "period": f"{YEAR}-{m + 1:02d}",
            "energy_type": etype,
            "quantity": qty,
            "unit": unit,
            "use": use,
            "supply": supply,
            "meter_id": meter,
            "evidence": evidence,
        }
    )


SITE_VOLUME = {s: sum(PRODUCTION.get(s, {}).values()) for s in ("CQ01", "JS01", "JS02")}
for m in range(12):
    # CQ01: 800 kWh/vehicle on two grid meters, rooftop solar, paint-shop gas, forklift diesel, test-fleet petrol.
    cq_vehicles = SITE_VOLUME["CQ01"] / 12 * SEASON[m]
    grid_kwh = cq_vehicles * 800 * WEATHER[m]
    solar_kwh = 1_150_000 * [0.55, 0.62, 0.85, 1.0, 1.15, 1.2, 1.35, 1.32, 1.1, 0.92, 0.7, 0.55][m]
    add_energy("CQ01", "electricity", m, round(wobble(grid_kwh * 0.62) - solar_kwh * 0.5), "kWh", "E-CQ-01", evidence=f"国网重庆电费发票{YEAR}{m + 1:02d}-1")
    add_energy("CQ01", "electricity", m, round(wobble(grid_kwh * 0.38) - solar_kwh * 0.5), "kWh", "E-CQ-02", evidence=f"国网重庆电费发票{YEAR}{m + 1:02d}-2")
    add_energy("CQ01", "onsite_solar", m, round(solar_kwh), "kWh", "PV-CQ-01", evidence="光伏逆变器读数")
    add_energy("CQ01", "natural_gas", m, round(wobble(cq_vehicles * 68 * WEATHER[m]) / 10_000, 2), "万m3", "G-CQ-01", evidence=f"燃气公司账单{YEAR}{m + 1:02d}")
    add_energy("CQ01", "diesel", m, round(wobble(14.5), 2), "t", use="mobile", evidence="柴油出库单")
    add_energy("CQ01", "gasoline", m, round(wobble(7_800)), "L", use="mobile", evidence="加油卡月结")
    # JS01: ICE/PHEV plant, purchased steam for the paint shop.
    js_vehicles = SITE_VOLUME["JS01"] / 12 * SEASON[m]
    add_energy("JS01", "electricity", m, round(wobble(js_vehicles * 760 * WEATHER[m]) / 10_000, 1), "万千瓦时", "E-JS-01", evidence=f"国网江苏电费发票{YEAR}{m + 1:02d}")
    add_energy("JS01", "natural_gas", m, round(wobble(js_vehicles * 55 * WEATHER[m])), "m3", "G-JS-01", evidence=f"燃气公司账单{YEAR}{m + 1:02d}")
    add_energy("JS01", "steam", m, round(wobble(2_050 * WEATHER[m]), 1), "GJ", "S-JS-01", evidence=f"园区蒸汽结算单{YEAR}{m + 1:02d}")
    add_energy("JS01", "diesel", m, round(wobble(11.2), 2), "t", use="mobile", evidence="柴油出库单")
    # JS02: battery packs: electricity-heavy (formation, dry rooms), some steam.
    packs = SITE_VOLUME["JS02"] / 12 * SEASON[m]
    add_energy("JS02", "electricity", m, round(wobble(packs * 420 * WEATHER[m]) / 1000, 1), "MWh", "E-JS-02", evidence=f"国网江苏电费发票{YEAR}{m + 1:02d}-B")
    add_energy("JS02", "steam", m, round(wobble(1_380 * WEATHER[m]), 1), "GJ", "S-JS-02", evidence=f"园区蒸汽结算单{YEAR}{m + 1:02d}-B")
    # SH01: head office.
    add_energy("SH01", "electricity", m, round(wobble(168_000 * WEATHER[m])), "kWh", "E-SH-01", evidence="物业电费分摊")

renewable_instruments = (
    [  # CQ01: monthly green-power trades (绿电交易) of hydro from Sichuan/Chongqing
        {"site_id": "CQ01", "period": f"{YEAR}-{m:02d}", "instrument": "green_power_trade",
         "quantity_mwh": round(wobble(2_300, 0.15)), "certificate_id": f"CQGPT{YEAR}{m:02d}",
         "vintage_year": YEAR, "technology": "hydro", "emission_factor": 0}
        for m in range(1, 13)
    ]
    + [  # JS01: two batches of green certificates (绿证) for the whole year, 10,000 MWh each
        {"site_id": "JS01", "period": str(YEAR), "instrument": "gec", "quantity_mwh": 10_000,
         "certificate_id": f"GEC{YEAR}JS01-{i:03d}", "vintage_year": YEAR, "technology": "wind", "emission_factor": 0}
        for i in range(1, 3)
    ]
    + [  # JS02: monthly solar green-power trades
        {"site_id": "JS02", "period": f"{YEAR}-{m:02d}", "instrument": "green_power_trade", "quantity_mwh": 1_100,
         "certificate_id": f"JSGPT{YEAR}{m:02d}", "vintage_year": YEAR, "technology": "solar", "emission_factor": 0}
        for m in range(1, 13)
    ]
)

refrigerants = [
    {"site_id": "CQ01", "period": str(YEAR), "gas": "R-410A", "quantity_kg": 126},
    {"site_id": "CQ01", "period": str(YEAR), "gas": "R-1234yf", "quantity_kg": 310},
    {"site_id": "CQ01", "period": str(YEAR), "gas": "SF6", "quantity_kg": 2.4},
    {"site_id": "JS01", "period": str(YEAR), "gas": "R-134a", "quantity_kg": 265},
    {"site_id": "JS01", "period": str(YEAR), "gas": "R-410A", "quantity_kg": 88},
    {"site_id": "JS02", "period": str(YEAR), "gas": "R-32", "quantity_kg": 41},
    {"site_id": "JS02", "period": str(YEAR), "gas": "R-134a", "quantity_kg": 57},
    {"site_id": "SH01", "period": str(YEAR), "gas": "R-410A", "quantity_kg": 18},
]

process_emissions = [
    {"site_id": "CQ01", "period": str(YEAR), "gas": "CO2", "quantity": 36.5, "unit": "t", "description": "焊接保护气CO2（车身车间）"},
    {"site_id": "JS01", "period": str(YEAR), "gas": "CO2", "quantity": 29.8, "unit": "t", "description": "焊接保护气CO2（车身车间）"},
]

# Suppliers: 40 fictional companies.
SUPPLIER_SPECS = [
    # id, name, province, tier, sme, pcf_status, material
    ("SUP001", "示例钢铁股份有限公司", "CN-HE", 1, False, "verified", "steel"),
    ("SUP002", "江南特钢有限公司", "CN-JS", 1, False, "received", "steel"),
    ("SUP003", "西南钢板加工有限公司", "CN-CQ", 1, True, "requested", "steel"),
    ("SUP004", "北方铝业集团", "CN-NM", 1, False, "received", "aluminium_primary"),
    ("SUP005", "华东再生铝有限公司", "CN-ZJ", 1, True, "none", "aluminium_secondary"),
    ("SUP006", "云岭铝材有限公司", "CN-YN", 1, False, "verified", "aluminium_primary"),
    ("SUP007", "江西铜线有限公司", "CN-JX", 1, False, "none", "copper"),
    ("SUP008", "宁德动力电芯有限公司", "CN-FJ", 1, False, "verified", "battery_cell"),
    ("SUP009", "长江储能电芯有限公司", "CN-HB", 1, False, "received", "battery_cell"),
    ("SUP010", "东方汽车塑料件有限公司", "CN-JS", 1, True, "none", "plastics"),
    ("SUP011", "渝州注塑有限公司", "CN-CQ", 1, True, "none", "plastics"),
    ("SUP012", "福耀示例汽车玻璃有限公司", "CN-FJ", 1, False, "received", "glass"),
    ("SUP013", "山东轮胎橡胶有限公司", "CN-SD", 1, False, "requested", "rubber"),
    ("SUP014", "华南密封件有限公司", "CN-GD", 2, True, "none", "rubber"),
    ("SUP015", "深圳车载电子有限公司", "CN-GD", 1, False, "requested", "electronics"),
    ("SUP016", "苏州控制器有限公司", "CN-JS", 1, True, "none", "electronics"),
    ("SUP017", "重庆座椅系统有限公司", "CN-CQ", 1, False, "none", "seats"),
    ("SUP018", "长三角内饰有限公司", "CN-SH", 1, True, "none", "interior"),
    ("SUP019", "示例涂料有限公司", "CN-SH", 1, False, "received", "paint"),
    ("SUP020", "天津电机有限公司", "CN-TJ", 1, False, "requested", "electric_motor"),
    ("SUP021", "湖南线束有限公司", "CN-HN", 1, True, "none", "wire_harness"),
    ("SUP022", "河南铸件有限公司", "CN-HA", 2, True, "none", "steel"),
    ("SUP023", "安徽车桥有限公司", "CN-AH", 1, False, "none", "steel"),
    ("SUP024", "广西轮毂有限公司", "CN-GX", 1, True, "none", "aluminium_secondary"),
    ("SUP025", "陕西变速器有限公司", "CN-SN", 1, False, "none", "steel"),
    ("SUP026", "四川发动机零部件有限公司", "CN-SC", 1, False, "none", "steel"),
    ("SUP027", "宁波紧固件有限公司", "CN-ZJ", 2, True, "none", "steel"),
    ("SUP028", "江苏减震器有限公司", "CN-JS", 1, True, "none", "steel"),
    ("SUP029", "辽宁工业机器人有限公司", "CN-LN", 1, False, "none", "machinery"),
    ("SUP030", "上海输送设备有限公司", "CN-SH", 1, True, "none", "machinery"),
    ("SUP031", "示例信息技术服务有限公司", "CN-SH", 1, True, "none", "it_services"),
    ("SUP032", "重庆物流运输有限公司", "CN-CQ", 1, True, "none", "logistics"),
    ("SUP033", "中欧班列物流有限公司", "CN-CQ", 1, False, "none", "logistics"),
    ("SUP034", "江苏港口航运有限公司", "CN-JS", 1, False, "none", "logistics"),
    ("SUP035", "长沙热管理系统有限公司", "CN-HN", 1, False, "none", "aluminium_primary"),
    ("SUP036", "杭州包装材料有限公司", "CN-ZJ", 2, True, "none", "paper_packaging"),
    ("SUP037", "贵州化工辅料有限公司", "CN-GZ", 2, True, "none", "chemicals"),
    ("SUP038", "北京软件有限公司", "CN-BJ", 1, True, "none", "it_services"),
    ("SUP039", "大连模具有限公司", "CN-LN", 1, True, "none", "machinery"),
    ("SUP040", "武汉铜排有限公司", "CN-HB", 1, True, "none", "copper"),
]
suppliers = [
    {"supplier_id": s, "name": n, "country": "CN", "province": p, "tier": t, "is_sme": sme, "pcf_status": st}
    for s, n, p, t, sme, st, _ in SUPPLIER_SPECS
]

# Purchases: per supplier a few item lines. Mass in t, cells in kWh, others by spend.
MATERIAL_UNIT = {
    "steel": ("t", 5_200), "aluminium_primary": ("t", 19_800), "aluminium_secondary": ("t", 16_500),
    "copper": ("t", 72_000), "battery_cell": ("kWh", 520), "plastics": ("t", 13_500), "glass": ("t", 9_800),
    "rubber": ("t", 15_200), "paint": ("t", 38_000),
}
# Materials without an average-data factor in the library: the key is left blank and the sector
# gives the spend-based fallback (the supplier's PCF is what these rows are calculated with).
NO_MATERIAL_FACTOR = {"paint": "chemical_products"}
SPEND_SECTOR = {
    "electronics": "electronic_components", "seats": "motor_vehicle_parts", "interior": "motor_vehicle_parts",
    "electric_motor": "electrical_equipment", "wire_harness": "electrical_equipment", "machinery": "machinery",
    "it_services": "it_services", "logistics": "transport_services", "paper_packaging": "paper_products",
    "chemicals": "chemical_products",
}
# Annual tonnage (or kWh) bought per material, spread over its suppliers.
ANNUAL = {
    "steel": 236_000, "aluminium_primary": 21_000, "aluminium_secondary": 9_500, "copper": 4_300,
    "battery_cell": 66_000 * 75 + 79_000 * 28, "plastics": 27_500, "glass": 7_900, "rubber": 10_400, "paint": 2_600,
}
PCF = {  # supplier-specific footprints where suppliers gave one (unit in pcf_unit)
    "SUP001": (1.68, "tCO2e/t", "PCF-SUP001-2025", True),
    "SUP002": (2.05, "tCO2e/t", "PCF-SUP002-2024", False),
    "SUP004": (15.2, "tCO2e/t", "PACT:urn:pact:sup004:al-ingot", False),
    "SUP006": (4.1, "tCO2e/t", "PCF-YL-HYDRO-AL-2025", True),
    "SUP008": (68.0, "kgCO2e/kWh", "PACT:urn:pact:sup008:cell-lfp", True),
    "SUP009": (79.0, "kgCO2e/kWh", "PCF-CJ-NCM-2025", False),
    "SUP012": (1.35, "kgCO2e/kg", "EPD-GLASS-2024-017", False),
    "SUP019": (3.9, "tCO2e/t", "PCF-PAINT-2025", False),
}
SPEND_ANNUAL = {
    "electronics": 2_950_000_000, "seats": 1_620_000_000, "interior": 1_180_000_000, "electric_motor": 1_340_000_000,
    "wire_harness": 860_000_000, "machinery": 420_000_000, "it_services": 96_000_000, "logistics": 310_000_000,
    "paper_packaging": 74_000_000, "chemicals": 128_000_000,
}
by_material: dict[str, list[str]] = {}
for s, *_rest, material in SUPPLIER_SPECS:
    by_material.setdefault(material, []).append(s)
purchases = []
items_of: dict[str, list[dict]] = {}  # material or spend group → its purchase rows (used in the BOM)
item_counter = 10_000
ITEM_PRODUCT = {"battery_cell": "BP-75"}
for material, supplier_ids in by_material.items():
    shares = [rng.uniform(0.6, 1.4) for _ in supplier_ids]
    shares = [x / sum(shares) for x in shares]
    for supplier_id, share in zip(supplier_ids, shares):
        n_items = rng.randint(5, 9) if material in ANNUAL else rng.randint(3, 6)
        split = [rng.uniform(0.5, 1.5) for _ in range(n_items)]
        split = [x / sum(split) for x in split]
        for k in range(n_items):
            item_counter += 1
            category = "2" if material == "machinery" else "1"
            row = {"supplier_id": supplier_id, "item_id": f"P-{item_counter}", "category": category,
                   "material": None, "quantity": None, "unit": None, "spend": None, "currency": None,
                   "sector": None, "product_id": None, "site_id": None, "supplier_pcf": None,
                   "pcf_unit": None, "pcf_verified": None, "pcf_reference": None}
            if material in ANNUAL:
                unit, price = MATERIAL_UNIT[material]
                qty = round(ANNUAL[material] * share * split[k], 1)
                row.update(material=None if material in NO_MATERIAL_FACTOR else material, quantity=qty, unit=unit,
                           spend=round(qty * price * rng.uniform(0.95, 1.05)), currency="CNY",
                           sector=NO_MATERIAL_FACTOR.get(material))
                if supplier_id in PCF:
                    value, pcf_unit, ref, verified = PCF[supplier_id]
                    row.update(supplier_pcf=value, pcf_unit=pcf_unit, pcf_reference=ref, pcf_verified=verified)
            else:
                spend = round(SPEND_ANNUAL[material] * share * split[k], -3)
                row.update(spend=spend, currency="CNY", sector=SPEND_SECTOR[material])
            row["site_id"] = "JS02" if material == "battery_cell" else ("CQ01" if k % 2 == 0 else "JS01")
            row["product_id"] = ITEM_PRODUCT.get(material)
            purchases.append(row)
            items_of.setdefault(material, []).append(row)

# Bill of materials: per model, each material's quantity (t per unit, kWh for cells) split over every item
# bought of that material in proportion to the quantity bought, so that production × BOM stays within
# purchases (zcf's mass balance). Written in kg (mass) and kWh (cells), with the unit column.
BOM_QTY = {
    "EV-S1": {"BP-75": 1.0, "steel": 0.86, "aluminium_primary": 0.12, "aluminium_secondary": 0.042, "copper": 0.022, "plastics": 0.13, "glass": 0.038, "rubber": 0.045, "paint": 0.011},
    "PH-M5": {"battery_cell": 28.0, "steel": 0.95, "aluminium_primary": 0.09, "aluminium_secondary": 0.042, "copper": 0.019, "plastics": 0.14, "glass": 0.036, "rubber": 0.046, "paint": 0.011},
    "IC-G3": {"steel": 0.98, "aluminium_primary": 0.07, "aluminium_secondary": 0.05, "copper": 0.015, "plastics": 0.12, "glass": 0.034, "rubber": 0.044, "paint": 0.010},
    "BP-75": {"battery_cell": 75.0, "aluminium_primary": 0.035, "copper": 0.005},
}
BOM_UNIT = {"t": ("kg", 1000.0), "kWh": ("kWh", 1.0)}  # purchase unit → BOM unit, BOM quantity per purchase unit
bom = []
for product, materials in BOM_QTY.items():
    for material, qty in materials.items():
        if material == "BP-75":  # a product of the group's own pack plant, used as a part
            bom.append({"product_id": product, "item_id": "BP-75", "quantity_per_unit": qty, "unit": "piece"})
            continue
        bought = sum(p["quantity"] for p in items_of[material])
        unit, per_unit = BOM_UNIT[MATERIAL_UNIT[material][0]]
        for p in items_of[material]:
            bom.append({"product_id": product, "item_id": p["item_id"], "unit": unit,
                        "quantity_per_unit": round(qty * per_unit * p["quantity"] / bought, 3)})

transport = [
    {"direction": "upstream", "mode": "road", "mass_t": 118_000, "distance_km": 420, "tkm": None, "supplier_id": "SUP032", "period": str(YEAR), "product_id": None},
    {"direction": "upstream", "mode": "rail", "mass_t": 96_000, "distance_km": 1_350, "tkm": None, "supplier_id": "SUP001", "period": str(YEAR), "product_id": None},
    {"direction": "upstream", "mode": "inland_waterway", "mass_t": 42_000, "distance_km": 1_100, "tkm": None, "supplier_id": "SUP034", "period": str(YEAR), "product_id": None},
    {"direction": "upstream", "mode": "road", "mass_t": 13_800, "distance_km": 1_050, "tkm": None, "supplier_id": "SUP008", "period": str(YEAR), "product_id": "BP-75"},
    {"direction": "upstream", "mode": "air", "mass_t": 38, "distance_km": 1_200, "tkm": None, "supplier_id": "SUP015", "period": str(YEAR), "product_id": None},
    {"direction": "downstream", "mode": "road", "mass_t": None, "distance_km": None, "tkm": 168_000_000, "supplier_id": "SUP032", "period": str(YEAR), "product_id": None},
    {"direction": "downstream", "mode": "rail", "mass_t": None, "distance_km": None, "tkm": 96_500_000, "supplier_id": "SUP033", "period": str(YEAR), "product_id": None},
    {"direction": "downstream", "mode": "sea", "mass_t": 14_200, "distance_km": 9_800, "tkm": None, "supplier_id": "SUP034", "period": str(YEAR), "product_id": "EV-S1"},
]

waste = []
for site, rows in {
    "CQ01": [("metal_scrap", "recycling", 16_800), ("general", "incineration", 1_950), ("hazardous", "incineration", 640), ("paper", "recycling", 1_150), ("plastic", "recycling", 420), ("wood", "recycling", 760)],
    "JS01": [("metal_scrap", "recycling", 13_900), ("general", "landfill", 1_380), ("hazardous", "incineration", 520), ("paper", "recycling", 910), ("sludge", "incineration", 310)],
    "JS02": [("metal_scrap", "recycling", 1_240), ("hazardous", "incineration", 385), ("general", "incineration", 410), ("paper", "recycling", 530)],
    "SH01": [("general", "incineration", 38), ("paper", "recycling", 12), ("food", "composting", 21)],
}.items():
    for waste_type, treatment, tonnes in rows:
        waste.append({"site_id": site, "period": str(YEAR), "waste_type": waste_type, "treatment": treatment, "quantity": tonnes, "unit": "t"})

travel = [
    {"mode": "air_short", "distance_km": 1_850_000, "nights": None, "spend": None, "currency": None, "site_id": "SH01", "period": str(YEAR)},
    {"mode": "air_medium", "distance_km": 2_400_000, "nights": None, "spend": None, "currency": None, "site_id": "SH01", "period": str(YEAR)},
    {"mode": "air_long", "distance_km": 3_900_000, "nights": None, "spend": None, "currency": None, "site_id": "SH01", "period": str(YEAR)},
    {"mode": "rail", "distance_km": 6_300_000, "nights": None, "spend": None, "currency": None, "site_id": None, "period": str(YEAR)},
    {"mode": "car", "distance_km": 820_000, "nights": None, "spend": None, "currency": None, "site_id": None, "period": str(YEAR)},
    {"mode": "hotel_night", "distance_km": None, "nights": 14_600, "spend": None, "currency": None, "site_id": None, "period": str(YEAR)},
    {"mode": "car", "distance_km": None, "nights": None, "spend": 1_250_000, "currency": "CNY", "site_id": "CQ01", "period": str(YEAR)},
]

commuting = []
for site, heads in {"CQ01": 6_200, "JS01": 4_900, "JS02": 1_800, "SH01": 650}.items():
    split = {"bus": 0.38, "car": 0.22, "ev": 0.12, "metro": 0.08 if site == "SH01" else 0.0, "ebike": 0.15, "walk_cycle": 0.05}
    split["bus"] += 1 - sum(split.values())
    for mode, share in split.items():
        if share <= 0:
            continue
        commuting.append({"site_id": site, "mode": mode, "employees": round(heads * share),
                          "distance_km_per_day": {"bus": 34, "car": 28, "ev": 30, "metro": 22, "ebike": 9, "walk_cycle": 3}[mode],
                          "working_days": 240 if site != "SH01" else 245})

sold_products = [
    {"product_id": "EV-S1", "units_sold": 63_800, "powertrain": "bev", "lifetime_km": 200_000, "consumption": 13.6, "consumption_unit": "kWh/100km", "consumption_2": None, "electric_share": None, "vehicle_mass_kg": 1_850, "market": "CN"},
    {"product_id": "PH-M5", "units_sold": 77_100, "powertrain": "phev", "lifetime_km": 200_000, "consumption": 17.8, "consumption_unit": "kWh/100km", "consumption_2": 5.6, "electric_share": 0.48, "vehicle_mass_kg": 1_720, "market": "CN"},
    {"product_id": "IC-G3", "units_sold": 55_600, "powertrain": "ice_gasoline", "lifetime_km": 200_000, "consumption": 6.9, "consumption_unit": "L/100km", "consumption_2": None, "electric_share": None, "vehicle_mass_kg": 1_420, "market": "CN"},
]

factors = [
    {"activity": "density.gasoline", "value": 0.742, "unit": "kg/L", "region": "CN", "year": YEAR, "gas": None,
     "source": "中石化重庆分公司2025年汽油质量检验报告（20°C密度742 kg/m3）", "notes": "replaces the library's assumed density"},
]

targets = [
    {"scope": "scope1_2", "base_year": 2023, "target_year": 2030, "reduction_pct": 50, "type": "absolute", "validated_by": None},
    {"scope": "scope3", "base_year": 2023, "target_year": 2030, "reduction_pct": 30, "type": "intensity", "validated_by": None},
]

history = [
    {"year": 2022, "scope1": 29_800, "scope2_location": 96_400, "scope2_market": 95_900, "scope3": 5_410_000, "revenue": 24_600_000_000, "production_units": 163_000, "energy_mwh": 301_000},
    {"year": 2023, "scope1": 30_900, "scope2_location": 103_200, "scope2_market": 96_800, "scope3": 5_780_000, "revenue": 27_900_000_000, "production_units": 179_000, "energy_mwh": 329_000},
    {"year": 2024, "scope1": 31_600, "scope2_location": 106_900, "scope2_market": 88_400, "scope3": 6_020_000, "revenue": 30_100_000_000, "production_units": 191_000, "energy_mwh": 347_000},
]

TABLES = {
    "organization": [organization], "sites": sites, "energy": energy, "renewable_instruments": renewable_instruments,
    "refrigerants": refrigerants, "process_emissions": process_emissions, "production": production,
    "suppliers": suppliers, "purchases": purchases, "transport": transport, "waste": waste, "travel": travel,
    "commuting": commuting, "sold_products": sold_products, "bom": bom, "factors": factors, "targets": targets,
    "history": history,
}

# ---------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------


def zh_value(table: str, column: str, value):
    """The value as a Chinese user types it (电力, 重庆, 是/否, 2025-03 as a date)."""
    if value is None:
        return None
    spec = SCHEMA.table(table).column(column)
    if spec.type == "enum":
        enum = SCHEMA.enums[spec.enum]
        hit = enum.value_spec(str(value))
        return hit.zh if hit and not hit.zh.isascii() else value
    if spec.type == "province":
        return SCHEMA.province(value).zh
    if spec.type == "boolean":
        return "是" if value else "否"
    if spec.type == "period" and isinstance(value, str) and len(value) == 7:
        return dt.datetime(int(value[:4]), int(value[5:]), 1)  # Excel turns "2025-03" into a date
    if column == "activity" and table == "sites":
        return ACTIVITY_ZH.get(value, value)
    return value


def en_value(table: str, column: str, value):
    if value is None:
        return ""
    spec = SCHEMA.table(table).column(column)
    if spec.type == "province":
        return SCHEMA.province(value).en
    if spec.type == "boolean":
        return "yes" if value else "no"
    return value


def write_workbook(path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for table, rows in TABLES.items():
        spec = SCHEMA.table(table)
        sheet = workbook.create_sheet(spec.zh)
        if spec.layout == "key_value":
            sheet.append(["字段", "值"])
            for column in spec.columns:
                if column.name in organization:
                    sheet.append([column.zh, zh_value(table, column.name, organization[column.name])])
        else:
            columns = [c for c in spec.columns if any(r.get(c.name) is not None for r in rows)]
            sheet.append([c.zh for c in columns])
            for row in rows:
                sheet.append([zh_value(table, c.name, row.get(c.name)) for c in columns])
            for column_index, column in enumerate(columns, start=1):
                if column.type == "period":
                    for cells in sheet.iter_rows(min_row=2, min_col=column_index, max_col=column_index):
                        cells[0].number_format = "yyyy-mm"
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    fixed = dt.datetime(YEAR + 1, 1, 15, 9, 0, 0)
    workbook.properties.creator = "zcf sample data"
    workbook.properties.created = fixed
    workbook.properties.modified = fixed
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


def write_csvs(folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for table, rows in TABLES.items():
        spec = SCHEMA.table(table)
        with open(folder / f"{table}.csv", "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            if spec.layout == "key_value":
                writer.writerow(["field", "value"])
                for column in spec.columns:
                    if column.name in organization:
                        writer.writerow([column.name, en_value(table, column.name, organization[column.name])])
                continue
            columns = [c for c in spec.columns if any(r.get(c.name) is not None for r in rows)]
            writer.writerow([c.name for c in columns])
            for row in rows:
                writer.writerow([en_value(table, c.name, row.get(c.name)) for c in columns])


def write_bad(folder: Path) -> None:
    """Workbooks with the mistakes people really make (see tests/test_bad_inputs.py)."""
    from openpyxl import Workbook

    folder.mkdir(parents=True, exist_ok=True)

    # 1. Energy workbook of one plant, Chinese headers, seeded mistakes (cells noted).
    workbook = Workbook()
    org = workbook.active
    org.title = "组织信息"
    org.append(["字段", "值"])
    org.append(["公司名称", "示例零部件有限公司"])
    org.append(["报告年度", YEAR])
    sites_sheet = workbook.create_sheet("站点")
    sites_sheet.append(["站点编号", "站点名称", "省份"])
    sites_sheet.append(["CQ01", "重庆工厂", "重庆"])
    sheet = workbook.create_sheet("能源")
    sheet.append(["站点编号", "期间", "能源品种", "计量表编号", "数量", "单位"])  # row 1
    good = [
        ["CQ01", "2025-01", "电力", "E-01", 812_000, "kWh"],  # row 2
        ["CQ01", "2025-02", "电力", "E-01", 655_000, "kWh"],  # row 3
        ["CQ01", "2025-03", "电力", "E-01", 790_500, "kWh"],  # row 4
        ["CQ01", "2025-04", "电力", "E-01", "804,200", "kWh"],  # row 5: text with separators — fine
        ["CQ01", "2025-05", "电力", "E-01", 820_100, "kWh"],  # row 6
        ["CQ01", "2025-06", "电力", "E-01", "12O5", "kWh"],  # row 7: E7 letter O instead of zero
        ["CQ01", "2025-07", "电力", "E-01", 880_000, "kwhh"],  # row 8: F8 unknown unit
        ["CQ01", "2025-08", "电力", "E-01", 875_000, "kWh"],  # row 9
        ["CQ01", "2025-08", "电力", "E-01", 875_000, "kWh"],  # row 10: duplicate of row 9
        ["CQ01", "2025-09", "电力", "E-01", 840_000, "kWh"],  # row 11
        ["CQ02", "2025-10", "电力", "E-02", 90_000, "kWh"],  # row 12: A12 unknown site
        ["CQ01", "2025-10", "天燃气", "G-01", 5.2, "万m3"],  # row 13: C13 misspelt 天然气
        ["CQ01", "2024-12", "天然气", "G-01", 4.8, "万m3"],  # row 14: B14 wrong year
        ["CQ01", "2025-11", "柴油", None, -3.5, "t"],  # row 15: E15 negative
        ["CQ01", "2025-12", "electricty", "E-01", 905_000, "kWh"],  # row 16: C16 misspelt electricity
        ["CQ01", "2025-11", "电力", "E-01", "880 kWh", "kWh"],  # row 17: E17 unit inside the number
    ]
    for row in good:
        sheet.append(row)
    workbook.save(folder / "能源_错误示例.xlsx")

    # 2. Purchases with broken references and incomplete rows.
    workbook = Workbook()
    sup = workbook.active
    sup.title = "suppliers"
    sup.append(["supplier_id", "name"])
    sup.append(["SUP001", "Example Steel"])
    pur = workbook.create_sheet("purchases")
    pur.append(["supplier_id", "item_id", "category", "material", "quantity", "unit", "spend", "currency", "supplier_pcf", "pcf_unit"])
    pur.append(["SUP001", "P-1", 1, "steel", 120, "t", 620_000, "CNY", 1.9, "tCO2e/t"])  # row 2 fine
    pur.append(["SUP009", "P-2", 1, "steel", 80, "t", None, None, None, None])  # row 3: A3 unknown supplier
    pur.append(["SUP001", "P-3", 3, "steel", 50, "t", None, None, None, None])  # row 4: C4 category 3
    pur.append(["SUP001", "P-4", 1, "copper", None, None, None, None, None, None])  # row 5: no quantity or spend
    pur.append(["SUP001", "P-5", 1, "glass", 12, "t", None, None, 1.2, None])  # row 6: J6 pcf without unit
    pur.append(["SUP001", "P-6", 1, "plastics", 7, "m/s", None, None, None, None])  # row 7: F7 not a quantity unit
    workbook.save(folder / "purchases_errors.xlsx")

    # 3. Broken files.
    (folder / "not_a_workbook.xlsx").write_text("site_id,period\nCQ01,2025-01\n", encoding="utf-8")
    good_bytes = (folder / "purchases_errors.xlsx").read_bytes()
    (folder / "truncated.xlsx").write_bytes(good_bytes[: len(good_bytes) // 2])
    workbook = Workbook()
    workbook.active.title = "energy"
    workbook.save(folder / "empty_sheet.xlsx")
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "energy"
    sheet["A1"] = "site_id"
    sheet["XFD1048576"] = "far away"  # makes a dense reader allocate 17 billion cells
    workbook.save(folder / "sparse_bomb.xlsx")

    # 4. Formulas saved without their results, as openpyxl and pandas write them: most readers
    #    give such cells as blank (D3, and the whole of row 4).
    workbook = Workbook()
    org = workbook.active
    org.title = "组织信息"
    org.append(["字段", "值"])
    org.append(["公司名称", "示例零部件有限公司"])
    org.append(["报告年度", YEAR])
    sites_sheet = workbook.create_sheet("站点")
    sites_sheet.append(["站点编号", "站点名称", "省份"])
    sites_sheet.append(["CQ01", "重庆工厂", "重庆"])
    sheet = workbook.create_sheet("能源")
    sheet.append(["站点编号", "期间", "能源品种", "数量", "单位"])
    sheet.append(["CQ01", "2025-01", "电力", 812_000, "kWh"])
    sheet.append(["CQ01", "2025-02", "电力", "=D2*1.05", "kWh"])  # D3
    sheet.append(["=A2", '=LEFT(B3,5)&"-03"', "=C3", "=D3", "=E3"])  # row 4
    workbook.save(folder / "formulas_without_values.xlsx")


if __name__ == "__main__":
    write_workbook(ROOT / "zh" / f"示例汽车集团_{YEAR}.xlsx")
    write_csvs(ROOT / "en")
    write_bad(ROOT / "bad")
    print("sample data written to", ROOT)
