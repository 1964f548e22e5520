"""Lines: one emission of one gas from one input row, with everything a verifier needs.

Every module of ``zcf.calc`` returns lines built with :func:`make_lines`; totals are
always sums of lines (``zcf.calc.results``), so the lines reproduce every figure.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import repeat
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from zcf.factors import Factor

LINE_COLUMNS = [
    "line_id",
    "scope",
    "category",
    "scope2_method",
    "site_id",
    "product_id",
    "batch_id",
    "supplier_id",
    "period",
    "source_table",
    "source_file",
    "source_sheet",
    "source_row",
    "activity",
    "quantity",
    "unit",
    "quantity_std",
    "unit_std",
    "factor_id",
    "factor_value",
    "factor_unit",
    "factor_source",
    "factor_confidence",
    "gas",
    "gas_t",
    "gwp",
    "gwp_basis",
    "boundary_share",
    "co2e_t",
    "method",
    "data_quality",
    "calculation",
]

_TEXT = {"scope", "category", "scope2_method", "site_id", "product_id", "batch_id", "supplier_id", "period",
         "source_table", "source_file", "source_sheet", "activity", "unit", "unit_std", "factor_id", "factor_unit",
         "factor_source", "factor_confidence", "gas", "gwp_basis", "method", "calculation"}
# Text columns with few distinct values (a factor's citation repeats on a million lines): held as pandas
# categoricals, each distinct text once. The per-line texts (line_id, calculation) stay plain text.
_CODED = _TEXT - {"calculation"}


def _column(rows: pd.DataFrame, name: str):
    if name in rows.columns:
        return rows[name]
    return None  # a text column the table does not have: null on every line


class LinePart:
    """Lines of one call of :func:`make_lines`, kept as columns (scalars stay scalars) until :func:`finish`.

    Nothing is materialised per line here: a column shared by every line of the part (scope, factor id,
    source, method ...) is one value, and :func:`finish` builds each column of all parts at once.
    """

    __slots__ = ("n", "columns")

    def __init__(self, n: int, columns: dict[str, Any]):
        self.n = n
        self.columns = columns

    def __len__(self) -> int:
        return self.n

    @property
    def empty(self) -> bool:
        return self.n == 0


def _aligned(value, index: pd.Index):
    """A Series argument as its values in the order of ``index`` (as DataFrame assignment aligns it)."""
    if isinstance(value, pd.Series) and not value.index.equals(index):
        return value.reindex(index)
    return value


def make_lines(
    rows: pd.DataFrame,
    *,
    table: str,
    scope: str,
    category: str,
    activity: str | pd.Series,
    quantity_std: pd.Series,
    unit_std: str | pd.Series,
    factor: Factor | None,
    factor_value: float | pd.Series,
    factor_unit: str | pd.Series,
    gas: str,
    gas_t: pd.Series,
    gwp: float,
    gwp_basis: str,
    share: pd.Series | float,
    method: str,
    data_quality: int | pd.Series,
    calculation: Iterable[str] | pa.Array,
    scope2_method: str | None = None,
    factor_id: str | None = None,
    factor_source: str | None = None,
    quantity: pd.Series | None = None,
    unit: pd.Series | str | None = None,
    **extra: Any,
) -> LinePart:
    """Lines for ``rows`` (a slice of a dataset table) sharing one factor and gas.

    ``gas_t`` is the mass of the gas at 100 % of the source; ``co2e_t`` applies the
    GWP and the organisational-boundary share. Series arguments are aligned on the
    index of ``rows``; ``calculation`` (one text a line) is positional.
    """
    n = len(rows)
    index = rows.index
    co2e = gas_t.to_numpy(dtype="float64") * gwp * np.asarray(share, dtype="float64")
    columns: dict[str, Any] = {
        "scope": scope,
        "category": category,
        "scope2_method": scope2_method,
        "source_table": table,
        "source_file": _column(rows, "_source_file"),
        "source_sheet": _column(rows, "_source_sheet"),
        "source_row": _column(rows, "_source_row"),
        "activity": activity,
        "quantity": quantity if quantity is not None else _column(rows, "quantity"),
        "unit": unit if unit is not None else _column(rows, "unit"),
        "quantity_std": quantity_std,
        "unit_std": unit_std,
        "factor_id": factor_id if factor_id is not None else (factor.factor_id if factor else None),
        "factor_value": factor_value,
        "factor_unit": factor_unit,
        "factor_source": factor_source if factor_source is not None else (factor.source if factor else None),
        "factor_confidence": factor.confidence if factor else None,
        "gas": gas,
        "gas_t": gas_t,
        "gwp": gwp,
        "gwp_basis": gwp_basis,
        "boundary_share": share,
        "co2e_t": co2e,
        "method": method,
        "data_quality": data_quality,
        "calculation": calculation if isinstance(calculation, (pa.Array, pa.ChunkedArray)) else list(calculation),
    }
    for name in ("site_id", "product_id", "batch_id", "supplier_id", "period"):
        columns[name] = extra.get(name, _column(rows, name))
    if n:
        columns = {name: _compact(name, _aligned(value, index), n) for name, value in columns.items()}
    return LinePart(n, columns)


def _compact(name: str, value, n: int):
    """A column of a part as :func:`finish` will use it (codes for repeated texts, float64 for numbers), so
    that the part holds no reference to the table slice its values came from."""
    if _is_scalar(value):
        return value
    if name in _CODED:
        return _coded_array(value, n)
    if name in _NUMBERS or name in _INTEGERS:
        return _number_array(value, n)
    return value


def empty_lines() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="string" if c in _TEXT else "float64") for c in LINE_COLUMNS})


_NUMBERS = ("quantity", "quantity_std", "factor_value", "gas_t", "gwp", "boundary_share", "co2e_t")
_INTEGERS = ("source_row", "data_quality")


def _is_scalar(value) -> bool:
    return value is None or isinstance(value, (str, int, float, np.integer, np.floating)) or value is pd.NA


def _is_missing(value) -> bool:
    """A scalar that stands for no value (None, NA, NaN): null on every line of its part."""
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _text_array(value, n: int) -> pa.Array | pa.ChunkedArray:
    """A text column of one part as Arrow large_string, with the text ``astype("string")`` gives."""
    if _is_scalar(value):
        if _is_missing(value):
            return pa.nulls(n, pa.large_string())
        return pa.repeat(pa.scalar(str(value), pa.large_string()), n)
    if isinstance(value, (pa.Array, pa.ChunkedArray)):
        return value.cast(pa.large_string())
    series = value if isinstance(value, pd.Series) else pd.Series(value)
    if not isinstance(series.dtype, pd.StringDtype):
        series = series.astype("string")
    return pa.array(series.array, type=pa.large_string())


_CODED_TYPE = pa.dictionary(pa.int32(), pa.large_string())


def _coded_array(value, n: int) -> pa.Array | pa.ChunkedArray:
    """A text column of one part as a dictionary array (codes and distinct texts), the texts as :func:`_text_array`."""
    if _is_scalar(value):
        if _is_missing(value):
            return pa.DictionaryArray.from_arrays(pa.nulls(n, pa.int32()), pa.array([], pa.large_string()))
        return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype=np.int32)),
                                              pa.array([str(value)], pa.large_string()))
    if isinstance(value, pa.DictionaryArray):
        return value if value.type == _CODED_TYPE else value.cast(_CODED_TYPE)
    if isinstance(value, pd.Series) and isinstance(value.dtype, pd.CategoricalDtype):
        codes = value.cat.codes.to_numpy(dtype=np.int32)
        texts = pa.array(value.cat.categories.astype(str).tolist(), pa.large_string())
        return pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0), texts)
    array = _text_array(value, n)
    encoded = pc.dictionary_encode(array)
    return encoded.cast(_CODED_TYPE) if isinstance(encoded, pa.Array) else pa.chunked_array(
        [c.cast(_CODED_TYPE) for c in encoded.chunks], _CODED_TYPE)


def _number_array(value, n: int) -> np.ndarray:
    if _is_scalar(value):
        if value is None or value is pd.NA:
            return np.full(n, np.nan)
        try:
            return np.full(n, float(value))
        except ValueError:
            return np.full(n, np.nan)
    if isinstance(value, pd.Series) and value.dtype.kind in "fiub":
        return value.to_numpy(dtype="float64")
    if isinstance(value, np.ndarray) and value.dtype.kind in "fiub":
        return value.astype("float64", copy=False)
    numbers = pd.to_numeric(pd.Series(np.asarray(value, dtype=object) if not isinstance(value, pd.Series) else value),
                            errors="coerce")
    return numbers.to_numpy(dtype="float64", na_value=np.nan)


def finish(parts: list) -> pd.DataFrame:
    """Join line parts into the lines table (each column built once) and number them L000001, L000002, ..."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty_lines()
    total = sum(p.n for p in parts)
    text: dict[str, pa.Array] = {}
    for name in LINE_COLUMNS:
        if name in _TEXT:
            if all(_is_scalar(part.columns[name]) for part in parts):
                text[name] = _repeated_text([part.columns[name] for part in parts], [part.n for part in parts])
            elif name in _CODED:  # each part's values as codes: never expanded to one text a line
                chunks = []
                for part in parts:
                    array = _coded_array(part.columns[name], part.n)
                    chunks += array.chunks if isinstance(array, pa.ChunkedArray) else [array]
                text[name] = pa.chunked_array(chunks, _CODED_TYPE).unify_dictionaries().combine_chunks()
                del chunks
            else:  # the calculation text: one chunk a part, never copied into one
                chunks = []
                for part in parts:
                    array = _text_array(part.columns[name], part.n)
                    chunks += array.chunks if isinstance(array, pa.ChunkedArray) else [array]
                text[name] = pa.chunked_array(chunks, pa.large_string())
                del chunks
            if name not in _CODED and pa.types.is_dictionary(text[name].type):
                text[name] = text[name].cast(pa.large_string())
            for part in parts:  # each part's values are in the column now: let them go
                part.columns[name] = None
    numbers = pc.utf8_lpad(pa.array(np.arange(1, total + 1)).cast(pa.large_string()), 6, "0")
    ids = pc.binary_join_element_wise(pa.scalar("L", pa.large_string()), numbers, pa.scalar("", pa.large_string()))
    text["line_id"] = ids
    string = pd.StringDtype("pyarrow")
    table = pa.table(text)
    text.clear()
    # each column's Arrow buffers are let go as it is converted (codes → categories)
    frame = table.to_pandas(types_mapper={pa.large_string(): string}.get, split_blocks=True, self_destruct=True)
    del table
    data: dict[str, Any] = {}
    for name in LINE_COLUMNS:
        if name in frame.columns:
            data[name] = frame[name]
        elif name in _NUMBERS:
            data[name] = pd.Series(np.concatenate([_number_array(p.columns[name], p.n) for p in parts]))
        else:
            values = np.concatenate([_number_array(p.columns[name], p.n) for p in parts])
            data[name] = pd.Series(values).astype("Int64")
    return pd.DataFrame(data, columns=LINE_COLUMNS)


def _repeated_text(values: list, counts: list[int]) -> pa.Array:
    """A text column whose every part holds one value, as codes and the distinct values (dictionary-encoded)."""
    distinct: dict[str, int] = {}
    codes = np.empty(len(values), dtype=np.int32)
    for i, value in enumerate(values):
        if _is_missing(value):
            codes[i] = -1
        else:
            codes[i] = distinct.setdefault(str(value), len(distinct))
    per_line = np.repeat(codes, counts)
    indices = pa.array(per_line, mask=per_line < 0, type=pa.int32())
    dictionary = pa.array(list(distinct), type=pa.large_string())
    return pa.DictionaryArray.from_arrays(indices, dictionary)


def fmts(values) -> list[str]:
    """:func:`fmt` of many numbers at once (NaN and missing values are ``?``)."""
    if isinstance(values, pd.Series):
        numbers = values.to_numpy(dtype="float64", na_value=np.nan) if values.dtype.kind not in "fiub" else values.to_numpy(dtype="float64")
    else:
        numbers = np.asarray(values, dtype="float64")
    out = list(map(format, numbers.tolist(), repeat(",.6g")))
    missing = np.flatnonzero(np.isnan(numbers))
    for i in missing.tolist():
        out[i] = "?"
    return out


def words(*pieces) -> pa.Array:
    """One text a line from literal strings and per-line texts (lists of str, e.g. from :func:`fmts`), in Arrow."""
    arrays = [pa.scalar(p, pa.large_string()) if isinstance(p, str) else pa.array(p, type=pa.large_string())
              for p in pieces]
    if all(isinstance(p, str) for p in pieces):
        raise ValueError("words() needs at least one per-line piece")
    return pc.binary_join_element_wise(*arrays, pa.scalar("", pa.large_string()))


def joined_ids(*factors) -> str:
    """The factor id of a line that rests on several factors (conversions first): ``A+B+C``, each once.

    Every factor a line's figure depends on is named, so a verifier finds them all and the share of the
    total resting on weak factors (results.json factor_quality) counts the conversions too."""
    return "+".join(dict.fromkeys(f.factor_id for f in factors if f is not None))


def fmt(value: float) -> str:
    """A number as a verifier reads it: 6 significant digits, thousands separated."""
    if value is None or value != value:
        return "?"
    return format(value, ",.6g")


def texts(values) -> pa.Array | list[str]:
    """Per-line text of a data column as an f-string prints each value (``nan`` / ``<NA>`` for missing ones)."""
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.StringDtype) and not values.isna().any():
        return pa.array(values.array, type=pa.large_string())
    return list(map(str, list(values)))
