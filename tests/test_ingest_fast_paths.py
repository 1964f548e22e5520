"""The fast paths of ingest give exactly what the per-value paths give.

Ingest reads whole columns with Arrow (plain numbers, whitespace and control-character
checks, CSV parsing) and coerces a column once per distinct value when values repeat. Each
fast path here is compared, on generated columns full of bad cells, with the slower path it
replaces: same values, same problem codes, same message parameters.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zcf.ingest import coerce, validate
from zcf.ingest.readers import _arrow_csv
from zcf.ingest.validate import Context, check_cells, coerce_and_check, coerce_column, text_codes
from zcf.schema import load_schema

SETTINGS = settings(max_examples=int(os.environ.get("FAST_PATH_EXAMPLES", 60)), deadline=None, suppress_health_check=[HealthCheck.too_slow])

_NUMBERS = st.one_of(
    st.floats(allow_nan=False).map(repr),
    st.integers(-10**30, 10**30).map(str),
    st.from_regex(r"[+-]?[0-9]{0,4}(\.[0-9]{0,3})?([eE][+-]?[0-9]{1,3})?", fullmatch=True),
    st.from_regex(r"[+-]?[0-9]{0,12}(\.[0-9]{0,12})?", fullmatch=True),
    st.decimals(allow_nan=False, allow_infinity=False, places=6).map(str),
    st.sampled_from(["1e400", "-1e400", "1e-400", "0012", ".5", "5.", "+", "-", ".", "1,234.5", " 12 ", "12 kWh",
                     "35%", "１２３", "1\n", "\t7", "1_000", "0x10", "inf", "nan", "1e5\u00a0", "٣"]),
)
_TEXTS = st.one_of(
    _NUMBERS,
    st.text(max_size=12),
    st.text(alphabet=" \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u2003\u3000ab中\x00\x07\x7f\x9f\ufffe", max_size=8),
)


def _slow(monkeypatch):
    """Make every column take the per-value path (no Arrow view of its strings)."""
    monkeypatch.setattr(coerce, "arrow_strings", lambda raw: None)


def _same(a: pd.Series, b: pd.Series) -> None:
    assert a.isna().tolist() == b.isna().tolist()
    assert [None if pd.isna(x) else x for x in a.astype(object)] == [None if pd.isna(x) else x for x in b.astype(object)]


@SETTINGS
@given(st.lists(st.one_of(_NUMBERS, st.just("")), max_size=30), st.sampled_from([None, "ratio", "percent"]))
def test_plain_numbers_read_by_arrow_equal_the_per_value_path(texts, percent):
    column = pd.Series(texts, dtype=str)
    fast = coerce.to_number(column, percent)
    with pytest.MonkeyPatch.context() as mp:
        _slow(mp)
        slow = coerce.to_number(column, percent)
    np.testing.assert_array_equal(fast.values.to_numpy(), slow.values.to_numpy())
    # (the sign of a zero read from "-0" is not compared: pandas' own reading of it depends on the
    # other cells parsed with it — an integer 0 alone, -0.0 after a decimal)
    assert fast.codes.tolist() == slow.codes.tolist()


@SETTINGS
@given(st.lists(_TEXTS, max_size=30), st.integers(0, 6))
def test_text_checks_by_arrow_equal_the_per_value_path(texts, limit):
    column = pd.Series(texts, dtype=str)
    fast_codes = text_codes(column, limit)
    fast_ids = coerce.to_id(column).values
    with pytest.MonkeyPatch.context() as mp:
        _slow(mp)
        slow_codes = text_codes(column, limit)
    assert fast_codes.tolist() == slow_codes.tolist()
    assert fast_ids.tolist() == _old_to_id(column).tolist()
    old_blank = (column.astype("string").str.strip() == "").fillna(True).to_numpy(dtype=bool) | column.isna().to_numpy()
    assert coerce.blank_mask(column).tolist() == old_blank.tolist()


def _old_to_id(raw: pd.Series) -> pd.Series:
    """to_id of a text column as it was, with Python's regex finding inner runs of spaces."""
    present = ~coerce.blank_mask(raw)
    values = pd.Series(pd.NA, index=raw.index, dtype="string")
    texts = raw[present].astype("string").str.strip()
    spaced = texts.str.contains(re.compile(r"\s\s|[\t\n\r\f\v]")).fillna(False).to_numpy(dtype=bool)
    if spaced.any():
        texts[spaced] = texts[spaced].str.replace(r"\s+", " ", regex=True)
    values[present] = texts
    return values


_CELLS = st.one_of(
    _TEXTS,
    st.floats(allow_nan=True),
    st.integers(-5, 5),
    st.booleans(),
    st.none(),
    st.dates(dt.date(1899, 1, 1), dt.date(2101, 12, 31)),
    st.sampled_from(["2025-03", "2025年3月", "kWh", "t", "万元", "CNY", "electricity", "电力", "是", "steel", "S001"]),
)

_COLUMNS = [("energy", "quantity"), ("energy", "period"), ("energy", "unit"), ("energy", "energy_type"),
            ("energy", "site_id"), ("energy", "evidence"), ("energy", "supply"), ("purchases", "category"),
            ("purchases", "currency"), ("purchases", "spend"), ("sites", "province"), ("suppliers", "is_sme")]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_CELLS, min_size=1, max_size=8), st.lists(st.integers(0, 7), min_size=64, max_size=150),
       st.sampled_from(_COLUMNS), st.booleans())
def test_coercion_once_per_distinct_value_equals_per_row(pool, picks, where, as_text):
    """Columns that repeat a few values (good and bad) are coerced per distinct value: same result."""
    schema = load_schema()
    spec = schema.table(where[0])
    column = spec.column(where[1])
    ctx = Context(schema=schema)
    cells = [pool[i % len(pool)] for i in picks]
    if as_text:
        raw = pd.Series([None if c is None else str(c) for c in cells], dtype=str)
    else:
        raw = pd.Series(cells, dtype=object)
    fast, fast_extra = coerce_and_check(spec, column, raw, ctx)
    slow = coerce_column(column, raw, ctx)
    slow_extra = check_cells(spec, column, raw, slow, ctx)
    assert fast.values.dtype == slow.values.dtype
    _same(fast.values, slow.values)
    assert fast.codes.tolist() == slow.codes.tolist()
    assert fast_extra == slow_extra
    for value in {str(v).strip() for v in cells if v is not None}:
        assert fast.params.get(value) == slow.params.get(value)


def test_true_and_one_are_never_merged():
    raw = pd.Series([True, 1, 1.0, 0, False, -0.0] * 20, dtype=object)
    assert validate._distinct_values(raw) is None


_CSV_CELLS = st.one_of(
    st.text(alphabet="ab ,;\t\r\n中", max_size=6),
    st.text(alphabet='ab ,;"\t\r\n中', max_size=6),
    st.sampled_from(["", '"', '""', '"a,b"', '"x""y"', "a\r\nb", '"q"z', " ", "\r", '"ab"', '"中 b"', 'a"b', '" "']),
)


@settings(max_examples=int(os.environ.get("FAST_PATH_EXAMPLES", 80)), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_CSV_CELLS, min_size=1, max_size=4), min_size=1, max_size=6),
       st.sampled_from([",", ";", "\t"]), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_arrow_csv_equals_pandas_or_declines(rows, sep, newline, bom):
    """Whenever Arrow parses a CSV, it gives the cells pandas gives; otherwise pandas parses it."""
    text = newline.join(sep.join(row) for row in rows)
    data = ("\ufeff" if bom else "").encode() + text.encode("utf-8")
    if not text.strip():
        return
    try:
        expected = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", sep=sep, header=None, dtype=str,
                               keep_default_na=False, na_filter=False, skip_blank_lines=False, engine="c")
    except (pd.errors.ParserError, ValueError):
        expected = None
    columns = max(line.count(sep) for line in text.replace("\r", "\n").split("\n")) + 1
    got = _arrow_csv(data, sep, columns)
    if got is None:
        return
    assert expected is not None, (text, got.values.tolist())
    assert got.values.tolist() == expected.values.tolist()
    assert list(got.columns) == list(expected.columns)
    assert list(got.dtypes) == list(expected.dtypes)


def test_csv_with_every_text_quoted_is_read_by_arrow():
    """Exports that quote every text cell (Arrow, R) take the fast path and read as pandas reads them;
    quoting beyond plain wrapping is left to pandas."""
    text = '"site_id","period","quantity"\n"CQ01","2025-01",12.5\n"","2025-02",\n"重庆 1","2025-03","7"\n'
    data = text.encode("utf-8")
    got = _arrow_csv(data, ",", 3)
    expected = pd.read_csv(io.BytesIO(data), sep=",", header=None, dtype=str, keep_default_na=False, na_filter=False)
    assert got is not None and got.values.tolist() == expected.values.tolist()
    for unusual in ('"a,b",1\n', '"x""y",1\n', '"q"z,1\n', 'a"b",1\n', '"open,1\n'):
        assert _arrow_csv(unusual.encode(), ",", 2) is None


def test_arrow_whitespace_is_pythons():
    """blank_mask and to_id rely on Arrow's whitespace being exactly str.isspace."""
    import pyarrow as pa
    import pyarrow.compute as pc

    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000]
    spaces = pc.utf8_is_space(pa.array(chars)).to_pylist()
    assert [c for c, s in zip(chars, spaces) if s] == [c for c in chars if c.isspace()]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([b"<f>", b"<f", b"<f/", b" t='e'", b"\tt = \"e\"", b"t=\"e\"", b"xt='e'", b" t='s'",
                                 b"<c r=\"A1\">", b" ", b"t", b"=", b"'", b"e", b"\n", b"<fx"]), max_size=12))
def test_workbook_special_cell_hint_equals_the_regex(parts):
    from zcf.ingest.safety import _SPECIAL_HINT, _has_special

    data = b"".join(parts)
    assert _has_special(data) == (_SPECIAL_HINT.search(data) is not None)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([b"<c>", b"<c", b"<c/", b"<c r", b"<cx", b"<", b"c", b" ", b"<c\t", b"a"]), max_size=12),
       st.integers(0, 30))
def test_last_cell_start_equals_the_regex(parts, low):
    from zcf.ingest.safety import _CELL_START, _last_cell_start

    data = b"".join(parts)
    starts = [m.start() for m in _CELL_START.finditer(data, low)]
    assert _last_cell_start(data, low) == (starts[-1] if starts else None)


_UNITS = st.sampled_from(["kWh", "MWh", "kwh", "kWhh", "GJ", "", "m3", "t"])
_QUANTITIES = st.sampled_from(["100", "1,200.5", "-3", "12 kWh", "", "abc", "7"])


@SETTINGS
@given(rows=st.lists(st.tuples(_QUANTITIES, _UNITS, st.sampled_from(["A", "B", "", "Z!"])), min_size=1, max_size=40),
       size=st.integers(min_value=1, max_value=9))
def test_validating_in_slices_gives_the_whole_sheets_result(tmp_path_factory, rows, size):
    """Large files are validated a slice of rows at a time: the same table, and the same problems — a
    bad value repeated over several slices is still one problem naming its other rows."""
    from zcf.ingest import IngestOptions, ingest

    folder = tmp_path_factory.mktemp("slices")
    body = "".join(f'{site},2025-{1 + i % 12:02d},electricity,"{q}",{u}\n' for i, (q, u, site) in enumerate(rows))
    (folder / "energy.csv").write_text("site_id,period,energy_type,quantity,unit\n" + body, encoding="utf-8")
    whole = ingest([str(folder)], IngestOptions(year=2025))
    sliced = ingest([str(folder)], IngestOptions(year=2025, validate_rows=size))
    said = [(p.code, p.cell, p.message(), p.message("zh")) for p in whole.problems]
    assert [(p.code, p.cell, p.message(), p.message("zh")) for p in sliced.problems] == said
    assert set(whole.tables) == set(sliced.tables)
    for name, table in whole.tables.items():
        pd.testing.assert_frame_equal(table, sliced.tables[name])


_CELLS = st.one_of(st.none(), st.just(float("nan")), st.sampled_from(["a", "b", "A", ""]), st.integers(-2, 2),
                   st.sampled_from([0.5, 1.0, -0.0]))


@SETTINGS
@given(rows=st.lists(st.tuples(_CELLS, _CELLS, _CELLS), max_size=30))
def test_repeated_rows_are_those_pandas_duplicated_finds(rows):
    """crosscheck._repeats (integer codes a row) pairs each repeated row with its first occurrence exactly
    as DataFrame.duplicated judges rows equal."""
    from zcf.ingest.crosscheck import _repeats

    frame = pd.DataFrame(rows, columns=["x", "y", "z"], dtype=object, index=pd.RangeIndex(len(rows)) * 3 + 7)
    frame["s"] = pd.Series([None if r[0] is None else str(r[0]) for r in rows], index=frame.index, dtype="string")
    columns = ["x", "y", "z", "s"]
    expected = []
    if len(frame):
        dupes = frame.duplicated(subset=columns, keep="first")
        for index in frame.index[dupes.to_numpy()]:
            same = frame.loc[: index, columns].apply(lambda row: frame.loc[[index], columns].iloc[0].equals(row), axis=1)
            firsts = [i for i in same.index[same.to_numpy()] if not frame.duplicated(subset=columns).loc[i]]
            expected.append((index, firsts[0]))
    assert list(_repeats(frame, columns)) == expected


def test_repeated_rows_over_many_distinct_values_are_recoded_without_overflow():
    """Eight columns of 1,000 distinct values each: the row codes would overflow int64 unless re-coded."""
    from zcf.ingest.crosscheck import _repeats

    rng = np.random.default_rng(7)
    frame = pd.DataFrame(rng.integers(0, 1000, size=(3000, 8)), columns=list("abcdefgh")).astype(object)
    frame.iloc[2000:2100] = frame.iloc[100:200].to_numpy()  # rows 2000–2099 repeat rows 100–199
    pairs = list(_repeats(frame, list(frame.columns)))
    dupes = frame.duplicated(keep="first")
    assert [index for index, _ in pairs] == frame.index[dupes.to_numpy()].tolist()
    assert all(frame.loc[first].tolist() == frame.loc[index].tolist() and first < index for index, first in pairs)
    assert (2000, 100) in pairs and (2099, 199) in pairs
