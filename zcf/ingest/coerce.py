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

from zcf.schema import EnumSpec, normalize_name
from zcf.units import UnitError, parse_factor_unit, parse_unit

_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?$")
_NUMBER_WITH_UNIT = re.compile(r"^[+-]?[\d.,]+\s*[^\d\s.,%+-][^\d]*$")
_PERIOD = re.compile(r"^(\d{4})(?:\s*[-/.年]\s*(\d{1,2})\s*(?:月)?(?:\s*[-/.]\s*(\d{1,2})\s*(?:日)?)?)?\s*(?:年)?$")
_TRUE = {"true", "yes", "y", "1", "是", "有", "对", "√", "t"}
_FALSE = {"false", "no", "n", "0", "否", "无", "不是", "×", "f"}


@dataclass
class Coerced:
    """Typed values plus a problem code for every cell that could not be read."""

    values: pd.Series
    codes: pd.Series  # object: None where fine, else a problem code
    params: dict[Any, dict[str, Any]] = field(default_factory=dict)  # raw value → extra message params


def blank_mask(raw: pd.Series) -> np.ndarray:
    """True where a cell is empty: None, NaN, '' or only whitespace."""
    mask = raw.isna().to_numpy(dtype=bool, copy=True)
    is_str = raw.map(type).to_numpy() == str
    if is_str.any():
        texts = raw[is_str].astype(str)
        mask[is_str] = (texts.str.strip() == "").to_numpy(dtype=bool)
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
    kinds = raw.map(_is_real_number).to_numpy(dtype=bool)
    if kinds.any():
        values[kinds] = raw[kinds].astype("float64")
        bad = kinds & ~np.isfinite(values.to_numpy())
        codes[bad & ~blank] = "not-a-number"
        values[bad] = np.nan
        blank = blank | (kinds & np.isnan(values.to_numpy()) & ~bad)
    rest = ~kinds & ~blank
    if rest.any():
        texts = raw[rest].map(lambda v: unicodedata.normalize("NFKC", str(v)).strip().replace(" ", ""))
        is_pct = texts.str.endswith("%") if percent else pd.Series(False, index=texts.index)
        cleaned = texts.str.rstrip("%") if percent else texts
        ok = cleaned.str.match(_NUMBER) & (cleaned != "") & ~cleaned.isin(["+", "-", "."])
        numbers = pd.to_numeric(cleaned[ok].str.replace(",", "", regex=False), errors="coerce").astype("float64")
        if percent == "ratio":
            numbers[is_pct[ok]] = numbers[is_pct[ok]] / 100
        infinite = numbers.index[~np.isfinite(numbers.to_numpy())]
        numbers[infinite] = np.nan
        values[numbers.index] = numbers
        codes[infinite] = "not-a-number"
        bad_index = texts.index[~ok.to_numpy(dtype=bool)]
        for i in bad_index:
            codes[i] = "unit-in-number" if _NUMBER_WITH_UNIT.match(texts[i]) else "not-a-number"
    return Coerced(values, codes)


def to_integer(raw: pd.Series) -> Coerced:
    coerced = to_number(raw)
    values = coerced.values
    fractional = values.notna() & (values != values.round())
    coerced.codes[fractional.to_numpy() & coerced.codes.isna().to_numpy()] = "not-an-integer"
    values = values.where(~fractional)
    return Coerced(values.astype("Int64"), coerced.codes)


def to_year(raw: pd.Series) -> Coerced:
    is_date = raw.map(lambda v: isinstance(v, dt.date)).to_numpy(dtype=bool)
    prepared = raw.copy()
    if is_date.any():
        prepared[is_date] = raw[is_date].map(lambda d: d.year)
    prepared = prepared.map(lambda v: v.strip().removesuffix("年") if isinstance(v, str) else v)
    coerced = to_number(prepared)
    values = coerced.values
    bad = values.notna() & ((values != values.round()) | (values < 1900) | (values > 2100))
    codes = coerced.codes.copy()
    codes[coerced.codes.notna().to_numpy() | bad.to_numpy()] = "bad-year"
    return Coerced(values.where(~bad & coerced.codes.isna()).astype("Int64"), codes)


def to_boolean(raw: pd.Series) -> Coerced:
    blank = blank_mask(raw)
    codes = _no_codes(raw)

    def read(v: Any) -> Any:
        if isinstance(v, (bool, np.bool_)):
            return bool(v)
        if _is_real_number(v) and v in (0, 1):
            return bool(v)
        key = normalize_name(str(v))
        return True if key in _TRUE else False if key in _FALSE else None

    values = pd.Series(pd.NA, index=raw.index, dtype="boolean")
    present = ~blank
    if present.any():
        read_values = raw[present].map(read)
        ok = read_values.notna()
        values[read_values.index[ok]] = read_values[ok].astype(bool)
        codes[read_values.index[~ok]] = "not-a-boolean"
    return Coerced(values, codes)


def to_id(raw: pd.Series) -> Coerced:
    """Identifiers as text; Excel numbers lose their ``.0`` (1001.0 → "1001")."""
    blank = blank_mask(raw)

    def read(v: Any) -> str:
        if _is_real_number(v) and float(v).is_integer():
            return str(int(v))
        if isinstance(v, dt.datetime):
            return v.isoformat(sep=" ")
        return " ".join(str(v).split())

    values = pd.Series(pd.NA, index=raw.index, dtype="string")
    if (~blank).any():
        values[~blank] = raw[~blank].map(read)
    return Coerced(values, _no_codes(raw))


def to_text(raw: pd.Series) -> Coerced:
    blank = blank_mask(raw)
    values = pd.Series(pd.NA, index=raw.index, dtype="string")
    if (~blank).any():
        values[~blank] = raw[~blank].map(lambda v: v.strip() if isinstance(v, str) else _format_scalar(v))
    return Coerced(values, _no_codes(raw))


def _format_scalar(v: Any) -> str:
    if _is_real_number(v) and float(v).is_integer():
        return str(int(v))
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def to_enum(raw: pd.Series, lookup: dict[str, str]) -> Coerced:
    """Canonical values of an enumeration from any alias (case and separators ignored)."""
    ids = to_id(raw).values
    codes = _no_codes(raw)
    values = pd.Series(pd.NA, index=raw.index, dtype="string")
    present = ids.notna().to_numpy()
    if present.any():
        mapping = {v: lookup.get(normalize_name(v)) for v in ids[present].unique()}
        read = ids[present].map(mapping)
        values[present] = read
        codes[read.index[read.isna()]] = "unknown-value"
    return Coerced(values, codes)


def enum_lookup_with_extra(spec: EnumSpec, extra: list[str]) -> dict[str, str]:
    """An enum's lookup widened with extra values (e.g. activities of user factors)."""
    lookup = dict(spec.lookup)
    for value in extra:
        lookup.setdefault(normalize_name(value), value)
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
    """Periods as canonical text (``2025``, ``2025-03``, ``2025-03-15``) with year and month.

    Excel turns a typed ``2025-03`` into the date 2025-03-01. So when every date
    cell of the column falls on the 1st of a month, the dates are read as months.
    Returns values as a frame-like Series of :class:`Period` (or None).
    """
    blank = blank_mask(raw)
    codes = _no_codes(raw)
    present = ~blank
    periods = pd.Series([None] * len(raw), index=raw.index, dtype=object)
    if present.any():
        read = raw[present].map(_read_period)
        dates = raw[present].map(lambda v: isinstance(v, (dt.date, dt.datetime)))
        if dates.any() and all(p.day == 1 for p in read[dates] if p is not None):
            read[dates] = read[dates].map(lambda p: Period(p.year, p.month, None) if p else None)
        periods[present] = read
        codes[read.index[read.isna()]] = "bad-period"
    return Coerced(periods, codes)


def per_distinct(raw: pd.Series, read: Callable[[str], Any], error_code: str) -> Coerced:
    """Apply ``read`` once per distinct non-blank text; exceptions become ``error_code``."""
    ids = to_text(raw).values
    codes = _no_codes(raw)
    values = pd.Series([None] * len(raw), index=raw.index, dtype=object)
    params: dict[Any, dict[str, Any]] = {}
    present = ids.notna().to_numpy()
    if present.any():
        results: dict[str, Any] = {}
        for text in ids[present].unique():
            try:
                results[text] = read(text)
            except UnitError as exc:
                results[text] = None
                params[text] = {"suggestions": exc.suggestions}
        read_values = ids[present].map(results)
        values[present] = read_values
        codes[read_values.index[read_values.isna()]] = error_code
    return Coerced(values, codes, params)


def to_unit(raw: pd.Series) -> Coerced:
    """:class:`zcf.units.ParsedUnit` per cell."""
    return per_distinct(raw, parse_unit, "unknown-unit")


def to_factor_unit(raw: pd.Series) -> Coerced:
    return per_distinct(raw, parse_factor_unit, "bad-factor-unit")
