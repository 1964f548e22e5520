"""Turn raw cell values into typed columns, a whole column at a time.

Every function takes a pandas Series of raw values (str, float, bool, date, ...
as the readers give them) and returns a :class:`Coerced`: the typed values and,
for each cell that could not be read, a problem code (``not-a-number``, ...).
Blank cells become missing values without a code; requiredness is checked by
the caller. Work is vectorised or done once per distinct value, never per row
in Python where it can be avoided.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from zcf.schema import EnumSpec, normalize_name
from zcf.units import UnitError, parse_factor_unit, parse_unit

_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?$")
_NUMBER_WITH_UNIT = re.compile(r"^[+-]?[\d.,]+\s*[^\d\s.,%+-][^\d]*$")
_PERIOD = re.compile(r"^(\d{4})(?:\s*[-/.年]\s*(\d{1,2})\s*(?:月)?(?:\s*[-/.]\s*(\d{1,2})\s*(?:日)?)?)?\s*(?:年)?$")
# The subset of _NUMBER that needs no cleaning (ASCII digits, no separators, no spaces, no
# exponent) and is at most _PLAIN_CHARS long: read by Arrow in one pass; anything else takes the
# per-value path below. Both give the same float: with at most 15 digits and 14 decimals the
# number is exact in the digits and one correctly rounded division (longer texts and exponents
# can differ in the last bit between Arrow's parser and pandas').
_PLAIN_NUMBER = r"^[+-]?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)$"
_PLAIN_CHARS = 15
# Python's ``\s`` (str.isspace) spelled out for RE2, whose ``\s`` is ASCII only.
_WS = "".join(f"\\x{{{c:x}}}" for c in range(0x3001) if chr(c).isspace())
_SPACED = f"[{_WS}][{_WS}]|[\\t\\n\\r\\f\\v]"  # = re "\s\s|[\t\n\r\f\v]" on str
_TRUE = {"true", "yes", "y", "1", "是", "有", "对", "√", "t"}
_FALSE = {"false", "no", "n", "0", "否", "无", "不是", "×", "f"}


@dataclass
class Coerced:
    """Typed values plus a problem code for every cell that could not be read."""

    values: pd.Series
    codes: pd.Series  # object: None where fine, else a problem code
    params: dict[Any, dict[str, Any]] = field(default_factory=dict)  # raw value → extra message params


def _kind(raw: pd.Series) -> str:
    """pandas' inferred type of a column's values: "string", "floating", "mixed", ..."""
    return pd.api.types.infer_dtype(raw, skipna=True)


def map_distinct(raw: pd.Series, fn: Callable[[Any], Any]) -> pd.Series:
    """``fn`` applied once per distinct non-missing value (missing values stay None).

    Columns repeat their values (site ids, units, months), so this replaces a
    Python call per cell with one per distinct value.
    """
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    if isinstance(uniques, pd.api.extensions.ExtensionArray) and isinstance(uniques.dtype, pd.StringDtype):
        uniques = uniques.tolist()  # iterating an Arrow-backed array is slow, element by element
    for i, value in enumerate(uniques):
        mapped[i] = fn(value)
    mapped[-1] = None
    return pd.Series(mapped[codes], index=raw.index, dtype=object)


def arrow_strings(raw: pd.Series) -> pa.ChunkedArray | None:
    """The column as an Arrow string array if every value is text or missing, else None."""
    if isinstance(raw.dtype, pd.StringDtype) and raw.dtype.storage == "pyarrow":
        found = raw.array.__arrow_array__()
        return found if isinstance(found, pa.ChunkedArray) else pa.chunked_array([found])
    if raw.dtype == object and _kind(raw) in ("string", "empty"):
        try:
            return pa.chunked_array([pa.array(raw.to_numpy(dtype=object), type=pa.string(), from_pandas=True)])
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # e.g. surrogates: not UTF-8
            return None
    return None


def arrow_mask(result: pa.ChunkedArray) -> np.ndarray:
    """A boolean Arrow array as numpy, missing as False."""
    return pc.fill_null(result, False).to_numpy(zero_copy_only=False).astype(bool, copy=False)


def blank_mask(raw: pd.Series) -> np.ndarray:
    """True where a cell is empty: None, NaN, '' or only whitespace."""
    mask = raw.isna().to_numpy(dtype=bool, copy=True)
    kind = _kind(raw)
    strings = arrow_strings(raw) if kind == "string" else None
    if strings is not None:  # "" or only whitespace (Arrow's whitespace is Python's: the same 29 characters)
        mask |= arrow_mask(pc.or_(pc.equal(pc.utf8_length(strings), 0), pc.utf8_is_space(strings)))
    elif kind == "string":
        mask |= (raw.astype("string").str.strip() == "").fillna(True).to_numpy(dtype=bool)
    elif kind not in ("floating", "integer", "mixed-integer-float", "boolean", "date", "datetime", "empty"):
        mask |= map_distinct(raw, lambda v: isinstance(v, str) and not v.strip()).fillna(False).to_numpy(dtype=bool)
    return mask


def _no_codes(raw: pd.Series) -> pd.Series:
    return pd.Series([None] * len(raw), index=raw.index, dtype=object)


def _is_real_number(v: Any) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


def to_number(raw: pd.Series, percent: str | None = None) -> Coerced:
    """Numbers; text such as ``1,234.5`` or ``１２３`` is read, ``12 kWh`` is not.

    ``percent="ratio"`` reads ``35%`` as 0.35; ``percent="percent"`` reads it as 35.
    """
    blank = blank_mask(raw)
    codes = _no_codes(raw)
    values = pd.Series(np.nan, index=raw.index, dtype="float64")
    kind = _kind(raw)
    if kind in ("floating", "integer", "mixed-integer-float"):
        is_number = ~blank
    elif kind == "string":
        is_number = np.zeros(len(raw), dtype=bool)
    else:
        is_number = map_distinct(raw, _is_real_number).fillna(False).to_numpy(dtype=bool)
    if is_number.any():
        numbers = raw[is_number].astype("float64")
        values[is_number] = numbers
        infinite = is_number & ~np.isfinite(values.to_numpy())
        codes[infinite] = "not-a-number"
        values[infinite] = np.nan
    rest = ~is_number & ~blank
    if rest.any() and kind == "string":
        strings = arrow_strings(raw)
        if strings is not None:
            plain = arrow_mask(pc.and_(pc.match_substring_regex(strings, _PLAIN_NUMBER),
                                       pc.less_equal(pc.utf8_length(strings), _PLAIN_CHARS))) & rest
            if plain.any():
                try:
                    numbers = pc.cast(pc.filter(strings, pa.array(plain)), pa.float64())
                except pa.ArrowInvalid:
                    plain[:] = False
                else:
                    read = numbers.to_numpy()
                    signed_zero = (read == 0) & np.signbit(read)
                    if signed_zero.any():  # "-0": pandas may read it as the integer 0; left to that path
                        plain[np.flatnonzero(plain)[signed_zero]] = False
                        read = read[~signed_zero]
                    finite = np.isfinite(read)
                    values[plain] = np.where(finite, read, np.nan)
                    if not finite.all():
                        where = np.flatnonzero(plain)[~finite]
                        codes.iloc[where] = "not-a-number"
                    rest &= ~plain
    if rest.any():
        texts = raw[rest].astype(str).astype("string")
        wide = texts.str.contains(r"[^\x00-\x7f]", regex=True).fillna(False).to_numpy(dtype=bool)
        if wide.any():  # full-width digits and signs (１２３，４) become ASCII
            texts[wide] = map_distinct(texts[wide], lambda v: unicodedata.normalize("NFKC", v))
        texts = texts.str.strip().str.replace(" ", "", regex=False)
        is_pct = texts.str.endswith("%") if percent else pd.Series(False, index=texts.index)
        cleaned = texts.str.rstrip("%") if percent else texts
        ok = (cleaned.str.fullmatch(_NUMBER) & (cleaned != "") & ~cleaned.isin(["+", "-", "."])).fillna(False)
        numbers = pd.to_numeric(cleaned[ok].str.replace(",", "", regex=False), errors="coerce").astype("float64")
        if percent == "ratio":
            numbers[is_pct[ok]] = numbers[is_pct[ok]] / 100
        infinite = numbers.index[~np.isfinite(numbers.to_numpy())]
        numbers[infinite] = np.nan
        values[numbers.index] = numbers
        codes[infinite] = "not-a-number"
        for i in texts.index[~ok.to_numpy(dtype=bool)]:
            codes[i] = "unit-in-number" if _NUMBER_WITH_UNIT.match(texts[i]) else "not-a-number"
    return Coerced(values, codes)


# Integers are read through float64, exact up to 2**53; beyond, a cell is not a count anyone has.
MAX_EXACT_INTEGER = 2**53


def to_integer(raw: pd.Series) -> Coerced:
    coerced = to_number(raw)
    values = coerced.values
    huge = (values.abs() >= MAX_EXACT_INTEGER).to_numpy(dtype=bool, na_value=False)
    fractional = (values.notna() & (values != values.round())).to_numpy(dtype=bool, na_value=False) & ~huge
    coerced.codes[huge & coerced.codes.isna().to_numpy()] = "number-too-large"
    coerced.codes[fractional & coerced.codes.isna().to_numpy()] = "not-an-integer"
    values = values.where(~(fractional | huge))
    return Coerced(values.astype("Int64"), coerced.codes)


def to_year(raw: pd.Series) -> Coerced:
    def prepare(v: Any) -> Any:
        if isinstance(v, dt.date):
            return v.year
        return v.strip().removesuffix("年") if isinstance(v, str) else v

    prepared = map_distinct(raw, prepare).where(raw.notna(), None)
    coerced = to_number(prepared)
    values = coerced.values
    bad = values.notna() & ((values != values.round()) | (values < 1900) | (values > 2100))
    codes = coerced.codes.copy()
    codes[coerced.codes.notna().to_numpy() | bad.to_numpy()] = "bad-year"
    return Coerced(values.where(~bad & coerced.codes.isna()).astype("Int64"), codes)


def _read_boolean(v: Any) -> bool | None:
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if _is_real_number(v):
        return bool(v) if v in (0, 1) else None
    key = normalize_name(str(v))
    return True if key in _TRUE else False if key in _FALSE else None


def to_boolean(raw: pd.Series) -> Coerced:
    present = ~blank_mask(raw)
    codes = _no_codes(raw)
    values = pd.Series(pd.NA, index=raw.index, dtype="boolean")
    if present.any():
        read = map_distinct(raw[present], _read_boolean)
        ok = read.notna()
        values[read.index[ok]] = read[ok].astype(bool)
        codes[read.index[~ok]] = "not-a-boolean"
    return Coerced(values, codes)


def _read_id(v: Any) -> str:
    if _is_real_number(v) and float(v).is_integer():
        return str(int(v))
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    return " ".join(str(v).split())


def to_id(raw: pd.Series) -> Coerced:
    """Identifiers as text; Excel numbers lose their ``.0`` (1001.0 → "1001"); inner spaces collapse."""
    present = ~blank_mask(raw)
    values = pd.Series(pd.NA, index=raw.index, dtype="string")
    if present.any():
        if _kind(raw) == "string":
            texts = raw[present].astype("string").str.strip()
            spaced = arrow_mask(pc.match_substring_regex(arrow_strings(texts), _SPACED))
            if spaced.any():
                texts[spaced] = texts[spaced].str.replace(r"\s+", " ", regex=True)
            values[present] = texts
        else:
            values[present] = map_distinct(raw[present], _read_id)
    return Coerced(values, _no_codes(raw))


def to_text(raw: pd.Series) -> Coerced:
    present = ~blank_mask(raw)
    values = pd.Series(pd.NA, index=raw.index, dtype="string")
    if present.any():
        if _kind(raw) == "string":
            values[present] = raw[present].astype("string").str.strip()
        else:
            values[present] = map_distinct(raw[present], lambda v: v.strip() if isinstance(v, str) else _format_scalar(v))
    return Coerced(values, _no_codes(raw))


def _format_scalar(v: Any) -> str:
    if _is_real_number(v) and float(v).is_integer():
        return str(int(v))
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def to_enum(raw: pd.Series, lookup: dict[str, str], key: Callable[[str], str] = normalize_name) -> Coerced:
    """Canonical values of an enumeration from any alias (``key`` makes the matching key; case and
    separators are ignored)."""
    ids = to_id(raw).values
    codes = _no_codes(raw)
    values = pd.Series(pd.NA, index=raw.index, dtype="string")
    present = ids.notna().to_numpy()
    if present.any():
        read = map_distinct(ids[present], lambda v: lookup.get(key(v)))
        values[present] = read
        codes[read.index[read.isna()]] = "unknown-value"
    return Coerced(values, codes)


def enum_lookup_with_extra(spec: EnumSpec, extra: list[str]) -> dict[str, str]:
    """An enum's lookup widened with extra values (e.g. activities of user factors)."""
    lookup = dict(spec.lookup)
    for value in extra:
        lookup.setdefault(spec.key(value), value)
    return lookup


@dataclass(frozen=True)
class Period:
    year: int
    month: int | None
    day: int | None

    @property
    def text(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


def _read_period(v: Any) -> Period | None:
    if isinstance(v, (dt.date, dt.datetime)):
        return Period(v.year, v.month, v.day)
    if _is_real_number(v):
        if float(v).is_integer() and 1900 <= v <= 2100:
            return Period(int(v), None, None)
        return None
    match = _PERIOD.match(unicodedata.normalize("NFKC", str(v)).strip())
    if not match:
        return None
    year, month, day = int(match[1]), match[2], match[3]
    try:
        if day is not None:
            d = dt.date(year, int(month), int(day))
            return Period(d.year, d.month, d.day)
        if month is not None:
            if not 1 <= int(month) <= 12:
                return None
            return Period(year, int(month), None)
    except ValueError:
        return None
    return Period(year, None, None) if 1900 <= year <= 2100 else None


def to_period(raw: pd.Series) -> Coerced:
    """Periods as canonical text: ``2025``, ``2025-03`` or ``2025-03-15``.

    Excel turns a typed ``2025-03`` into the date 2025-03-01. So when every date
    cell of the column falls on the 1st of a month, the dates are read as months.
    """
    blank = blank_mask(raw)
    codes = _no_codes(raw)
    present = ~blank
    periods = pd.Series([None] * len(raw), index=raw.index, dtype=object)
    if present.any():
        read = map_distinct(raw[present], _read_period)
        dates = map_distinct(raw[present], lambda v: isinstance(v, (dt.date, dt.datetime))).astype(bool)
        if dates.any() and all(p.day == 1 for p in read[dates].unique() if p is not None):
            read[dates] = map_distinct(read[dates], lambda p: Period(p.year, p.month, None))
        periods[present] = map_distinct(read, lambda p: p.text)
        codes[read.index[read.isna()]] = "bad-period"
    return Coerced(periods.astype("string"), codes)


def period_parts(periods: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Year and month (Int64; month missing for whole years) of canonical period texts."""
    codes, uniques = pd.factorize(periods.astype("string"), use_na_sentinel=True)  # read once per distinct text
    text = pd.Series(uniques, dtype="string")
    year = pd.to_numeric(text.str.slice(0, 4), errors="coerce").astype("Int64")
    month = pd.to_numeric(text.str.slice(5, 7).replace("", pd.NA), errors="coerce").astype("Int64")
    return (pd.Series(year.array.take(codes, allow_fill=True), index=periods.index),
            pd.Series(month.array.take(codes, allow_fill=True), index=periods.index))


def per_distinct(raw: pd.Series, read: Callable[[str], Any], error_code: str) -> Coerced:
    """Apply ``read`` once per distinct non-blank text; exceptions become ``error_code``."""
    ids = to_text(raw).values
    codes = _no_codes(raw)
    values = pd.Series([None] * len(raw), index=raw.index, dtype=object)
    params: dict[Any, dict[str, Any]] = {}
    present = ids.notna().to_numpy()
    if present.any():

        def attempt(text: str) -> Any:
            try:
                return read(text)
            except UnitError as exc:
                params[text] = {"suggestions": exc.suggestions}
                return None

        read_values = map_distinct(ids[present], attempt)
        values[present] = read_values
        codes[read_values.index[read_values.isna()]] = error_code
    return Coerced(values, codes, params)


def to_unit(raw: pd.Series) -> Coerced:
    """Unit texts that :func:`zcf.units.parse_unit` understands (cached per text)."""
    coerced = per_distinct(raw, parse_unit, "unknown-unit")
    coerced.values = to_text(raw).values.where(coerced.codes.isna().to_numpy(), pd.NA)
    return coerced


def to_factor_unit(raw: pd.Series) -> Coerced:
    coerced = per_distinct(raw, parse_factor_unit, "bad-factor-unit")
    coerced.values = to_text(raw).values.where(coerced.codes.isna().to_numpy(), pd.NA)
    return coerced
