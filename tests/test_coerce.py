"""Column coercion: numbers, booleans, periods, enums, as spreadsheets deliver them."""

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from zcf.ingest import coerce


def series(*values):
    return pd.Series(list(values), dtype=object)


def test_numbers_from_cells_and_text():
    result = coerce.to_number(series(12.5, 3, "1,234.5", " 42 ", "１２３", "", None, "-7", "1e3"))
    assert result.values.tolist()[:4] == [12.5, 3.0, 1234.5, 42.0]
    assert result.values.iat[4] == 123.0  # full-width digits
    assert pd.isna(result.values.iat[5]) and pd.isna(result.values.iat[6])
    assert result.values.iat[7] == -7.0 and result.values.iat[8] == 1000.0
    assert result.codes.isna().all()


@pytest.mark.parametrize(
    "text, code",
    [("12O5", "not-a-number"), ("1.2.3", "not-a-number"), ("880 kWh", "unit-in-number"), ("12吨", "unit-in-number"),
     ("1,23", "not-a-number"), (True, "not-a-number"), (dt.date(2025, 1, 1), "not-a-number"), ("n/a", "not-a-number"),
     (float("inf"), "not-a-number"), ("1e400", "not-a-number")],
)
def test_bad_numbers_get_a_code(text, code):
    result = coerce.to_number(series(text))
    assert result.codes.iat[0] == code
    assert pd.isna(result.values.iat[0])


def test_percentages():
    assert coerce.to_number(series("35%", 0.35), percent="ratio").values.tolist() == [0.35, 0.35]
    assert coerce.to_number(series("42%", 42), percent="percent").values.tolist() == [42.0, 42.0]


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False))
def test_thousands_separated_text_parses_back(value):
    text = f"{value:,.4f}"
    parsed = coerce.to_number(series(text)).values.iat[0]
    assert parsed == pytest.approx(round(value, 4), rel=1e-12, abs=1e-9)


@given(st.one_of(st.text(max_size=20), st.floats(), st.integers(), st.booleans(), st.none(), st.dates()))
def test_number_coercion_never_raises(value):
    result = coerce.to_number(series(value))
    assert len(result.values) == 1
    assert pd.isna(result.values.iat[0]) or result.codes.iat[0] is None


def test_integers():
    result = coerce.to_integer(series(3.0, "12", 2.5))
    assert result.values.iat[0] == 3 and result.values.iat[1] == 12
    assert result.codes.tolist() == [None, None, "not-an-integer"]


def test_years():
    result = coerce.to_year(series(2025, "2024", "2023年", dt.date(2022, 5, 1), 25, "20x5"))
    assert result.values.tolist()[:4] == [2025, 2024, 2023, 2022]
    assert result.codes.tolist()[4:] == ["bad-year", "bad-year"]


def test_booleans():
    result = coerce.to_boolean(series("是", "否", "yes", "N", True, 0, "maybe", None))
    assert result.values.tolist()[:6] == [True, False, True, False, True, False]
    assert result.codes.tolist()[6] == "not-a-boolean"
    assert pd.isna(result.values.iat[7])


def test_ids_lose_excel_decimal_point():
    assert coerce.to_id(series(1001.0, " CQ01 ", "A  B")).values.tolist() == ["1001", "CQ01", "A B"]


@pytest.mark.parametrize(
    "value, text",
    [("2025", "2025"), ("2025-03", "2025-03"), ("2025/3", "2025-03"), ("2025年3月", "2025-03"),
     ("2025-03-15", "2025-03-15"), (2025, "2025"), ("2025.12", "2025-12")],
)
def test_periods(value, text):
    result = coerce.to_period(series(value))
    assert result.codes.iat[0] is None
    assert result.values.iat[0] == text


@pytest.mark.parametrize("value", ["2025-13", "March", "2025-02-30", "25-03", "1850"])
def test_bad_periods(value):
    assert coerce.to_period(series(value)).codes.iat[0] == "bad-period"


def test_excel_dates_on_the_first_are_months():
    # Excel turns "2025-03" typed in a cell into the date 2025-03-01.
    months = coerce.to_period(series(dt.datetime(2025, 3, 1), dt.datetime(2025, 4, 1)))
    assert months.values.tolist() == ["2025-03", "2025-04"]
    days = coerce.to_period(series(dt.datetime(2025, 3, 1), dt.datetime(2025, 3, 17)))
    assert days.values.tolist() == ["2025-03-01", "2025-03-17"]


def test_enums_accept_aliases():
    lookup = {"electricity": "electricity", "电力": "electricity", "natural_gas": "natural_gas"}
    result = coerce.to_enum(series("电力", "Electricity", "natural gas", "coal"), lookup)
    assert result.values.tolist()[:3] == ["electricity", "electricity", "natural_gas"]
    assert result.codes.tolist() == [None, None, None, "unknown-value"]


def test_period_parts():
    year, month = coerce.period_parts(pd.Series(["2025", "2025-03", "2025-03-15", None], dtype="string"))
    assert year.tolist()[:3] == [2025, 2025, 2025] and pd.isna(year.iat[3])
    assert pd.isna(month.iat[0]) and month.tolist()[1:3] == [3, 3]


def test_blank_mask():
    assert coerce.blank_mask(series(None, "", "  ", float("nan"), 0, "x")).tolist() == [True, True, True, True, False, False]
