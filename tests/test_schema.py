"""The table definitions: complete, bilingual, consistent."""

import pytest

from zcf.schema import load_schema, normalize_name

SPEC_TABLES = [
    "organization", "sites", "energy", "renewable_instruments", "refrigerants", "process_emissions",
    "production", "suppliers", "purchases", "transport", "waste", "travel", "commuting", "sold_products",
    "bom", "factors", "targets", "history",
]
# Tables of the supplier data exchange (PACT files, the supplier kit), beyond the specification's 18.
EXCHANGE_TABLES = ["supplier_pcfs", "supplier_energy", "supplier_output", "product_history"]


def test_every_table_of_the_spec_is_defined():
    assert set(load_schema().tables) == set(SPEC_TABLES) | set(EXCHANGE_TABLES)


@pytest.mark.parametrize("name", SPEC_TABLES + EXCHANGE_TABLES)
def test_tables_and_columns_are_bilingual(name):
    table = load_schema().table(name)
    assert table.zh and table.description_en and table.description_zh
    for column in table.columns:
        assert column.zh, column.name
        assert column.description_en and column.description_zh, column.name
        assert not column.zh.isascii() or column.zh == column.name or column.type == "enum", column.name


@pytest.mark.parametrize(
    "table, required",
    [
        ("energy", {"site_id", "period", "energy_type", "quantity", "unit"}),
        ("sites", {"site_id", "province"}),
        ("renewable_instruments", {"site_id", "period", "instrument", "quantity_mwh"}),
        ("purchases", {"supplier_id", "item_id", "category"}),
        ("factors", {"activity", "value", "unit", "source"}),
        ("organization", {"company_name", "reporting_year"}),
    ],
)
def test_required_columns_follow_the_spec(table, required):
    spec = load_schema().table(table)
    assert {c.name for c in spec.columns if c.required} == required


@pytest.mark.parametrize(
    "name, table",
    [("能源", "energy"), ("Energy", "energy"), ("ENERGY USE", "energy"), ("绿证", "renewable_instruments"),
     ("站点", "sites"), ("能源 energy", "energy"), ("采购明细", "purchases"), ("物料清单", "bom")],
)
def test_sheet_names_map_to_tables(name, table):
    assert load_schema().table_for_name(name).name == table


def test_unrelated_sheet_names_do_not_map():
    schema = load_schema()
    assert schema.table_for_name("Sheet1") is None
    assert schema.table_for_name("说明 README") is None
    assert schema.is_ignored_sheet("说明 README")


@pytest.mark.parametrize("text", ["江苏", "江苏省", "Jiangsu", "JS", "js", "CN-JS"])
def test_provinces_by_name_or_code(text):
    assert load_schema().province_lookup[normalize_name(text)] == "CN-JS"


def test_every_province_has_a_grid_region():
    schema = load_schema()
    regions = {v.value for v in schema.grid_regions.values}
    assert len(schema.provinces) == 31
    assert {p.grid_region for p in schema.provinces} <= regions


def test_normalize_name():
    assert normalize_name("Site ID") == normalize_name("site-id") == normalize_name(" SITE_ID* ") == "site_id"
    assert normalize_name("ｑｕａｎｔｉｔｙ") == "quantity"
