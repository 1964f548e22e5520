"""The columnar line builder and writers give the same lines, text and files as the per-line ones did."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from hypothesis import given, settings
from hypothesis import strategies as st

from zcf.calc import csv_safe_table, lines_table, one_chunk
from zcf.calc.lines import LINE_COLUMNS, finish, fmt, fmts, make_lines, texts, words
from zcf.io import write_csv_atomic


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**12, 10**12)), max_size=30))
def test_fmts_is_fmt_of_each(values):
    assert fmts(pd.Series(values, dtype="float64")) == [fmt(float(v)) for v in values]


def test_words_joins_per_line_pieces():
    assert words(["1", "2"], " t × ", pa.array(["a", "b"]), "!").to_pylist() == ["1 t × a!", "2 t × b!"]
    assert texts(pd.Series(["t", None], dtype="str")) == ["t", "nan"]


def _rows():
    index = [10, 11, 12]
    return pd.DataFrame({"site_id": pd.Series(["S1", None, "S2"], dtype="str", index=index), "quantity": [1.5, 2.0, 3.0],
                         "unit": pd.Series(["t", "t", "kg"], dtype="str", index=index), "_source_file": "a.xlsx",
                         "_source_sheet": [None, None, None], "_source_row": [2, 3, 4]}, index=index)


def test_series_arguments_align_on_the_rows_index():
    rows = _rows()
    shuffled = pd.Series([0.5, 1.0, 0.25], index=[12, 10, 11])
    part = make_lines(rows, table="energy", scope="1", category="c", activity="a", quantity_std=rows["quantity"],
                      unit_std="t", factor=None, factor_value=2.0, factor_unit="t/t", gas="CO2",
                      gas_t=rows["quantity"] * 2.0, gwp=1.0, gwp_basis="AR6", share=shuffled.reindex(rows.index),
                      method="m", data_quality=np.array([1, 2, 3]), calculation=["x", "y", "z"],
                      period=pd.Series(["2025-03", "2025-01", "2025-02"], index=[12, 10, 11]))
    lines = finish([part])
    assert list(lines.columns) == LINE_COLUMNS
    assert lines["period"].tolist() == ["2025-01", "2025-02", "2025-03"]
    assert lines["boundary_share"].tolist() == [1.0, 0.25, 0.5]
    assert lines["co2e_t"].tolist() == [3.0, 1.0, 3.0]
    assert lines["line_id"].tolist() == ["L000001", "L000002", "L000003"]
    assert lines["site_id"].isna().tolist() == [False, True, False]
    assert lines["source_sheet"].isna().all() and lines["scope2_method"].isna().all()
    assert str(lines["data_quality"].dtype) == "Int64" and str(lines["source_row"].dtype) == "Int64"
    # repeated texts are held once each (categories); the per-line calculation text is plain text
    assert isinstance(lines["scope"].dtype, pd.CategoricalDtype) and lines["scope"].tolist() == ["1", "1", "1"]
    assert isinstance(lines["calculation"].dtype, pd.StringDtype)


def test_arrow_csv_is_the_pandas_csv(tmp_path):
    """Formula-like text gets its apostrophe in the same cells, numbers stay numbers: the files are equal."""
    frame = pd.DataFrame({
        "a": pd.Series(["=SUM(A1)", "+1", "plain", None, "-x", "@y", "\tz"], dtype="string"),
        "b": [-1.5, 2.0, 0.1, np.nan, 1e-7, 3.0, 4.0],
        "c": pd.Series(["ok", "ok", "=1", "ok", "ok", "ok", "ok"], dtype="string"),
    })
    write_csv_atomic(tmp_path / "old.csv", frame)
    pacsv.write_csv(csv_safe_table(lines_table(frame)), str(tmp_path / "new.csv"))
    assert (tmp_path / "old.csv").read_bytes() == (tmp_path / "new.csv").read_bytes()
    coded = frame.astype({"a": "category", "c": "category"})  # as finish() holds repeated texts
    pacsv.write_csv(csv_safe_table(lines_table(coded)), str(tmp_path / "coded.csv"))
    assert (tmp_path / "old.csv").read_bytes() == (tmp_path / "coded.csv").read_bytes()


def test_one_chunk_keeps_values_and_dtypes():
    table = pa.Table.from_batches([pa.record_batch({"s": pa.array(["a", None], pa.large_string())}),
                                   pa.record_batch({"s": pa.array(["b", "c"], pa.large_string())})])
    frame = table.to_pandas(types_mapper={pa.large_string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get)
    before = frame.copy()
    after = one_chunk(frame)
    pd.testing.assert_frame_equal(after, before)
    chunks = pa.array(after["s"].array)
    assert not isinstance(chunks, pa.ChunkedArray) or chunks.num_chunks == 1


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300), max_size=40))
def test_exact_sums_do_not_depend_on_the_path(values):
    """lines_sum in zcf check uses numpy masks; the exactly rounded sum is the same as over the frame rows."""
    frame = pd.DataFrame({"co2e_t": values, "scope": ["1", "3"] * (len(values) // 2) + ["3"] * (len(values) % 2)})
    mask = (frame["scope"] == "3").to_numpy()
    assert math.fsum(frame["co2e_t"].to_numpy()[mask].tolist()) == math.fsum(frame[frame["scope"] == "3"]["co2e_t"].tolist())
