"""Values that select a method or a factor: validated at ingest, never guessed later.

* ``activity`` (the factors sheet): an id of a documented family (``zcf/factors/activities.toml``),
  stored canonical (``ncv.天然气`` → ``ncv.natural_gas``); anything else is an error with close ids;
* ``currency``: ``CNY``/``RMB``/``元``/``人民币``, ``万元`` (CNY × 10 000), ISO codes in any case —
  and zcf must have an exchange rate (``fx.<code>``) for it; kept as written, read again by
  :func:`zcf.units.parse_currency` where it is used;
* ``region``: province, grid and country names and codes normalised as factor regions use them
  (浙江 → ``CN-ZJ``, 华东 → ``CN-GRID-EAST``, 中国 → ``CN``), or a two-letter ISO country code;
* ``pcf_unit``: a supplier footprint's unit — per unit of something (``kgCO2e/kg``) or a total
  (``tCO2e``); kept as written.

And checks across the columns of a row: a footprint's unit must be per the kind of the row's
quantity (``per_unit_of``); a factor's unit must be per what its family is per; names read under an
assumption (``铝`` → primary aluminium) are warned about once per value.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from zcf.ingest.coerce import Coerced, map_distinct, to_text
from zcf.problems import Problem, did_you_mean, show_value
from zcf.units import UnitError, parse_currency, parse_emissions_total, parse_factor_unit, parse_unit

if TYPE_CHECKING:
    from zcf.ingest.validate import Context
    from zcf.schema import ColumnSpec, TableSpec

BASE_CURRENCY = "CNY"  # fx.<code> factors give CNY per unit of <code>
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def _codes(n: int, index: pd.Index) -> pd.Series:
    return pd.Series([None] * n, index=index, dtype=object)


def _per_distinct_text(raw: pd.Series, read) -> tuple[pd.Series, pd.Series, dict[str, dict[str, Any]]]:
    """Apply ``read(text) -> (value, code, params)`` once per distinct non-blank text."""
    texts = to_text(raw).values
    values = pd.Series([None] * len(raw), index=raw.index, dtype=object)
    codes = _codes(len(raw), raw.index)
    params: dict[str, dict[str, Any]] = {}
    present = texts.notna().to_numpy()
    if present.any():
        results: dict[str, tuple] = {}

        def once(text: str):
            if text not in results:
                results[text] = read(text)
                params[text] = results[text][2]
            return results[text]

        read_values = map_distinct(texts[present], lambda t: once(t)[0])
        read_codes = map_distinct(texts[present], lambda t: once(t)[1])
        values[present] = read_values
        codes[present] = read_codes
    return values, codes, params


def to_activity(raw: pd.Series) -> Coerced:
    """Canonical activity ids; ``unknown-activity`` with close ids otherwise."""
    from zcf.factors.activities import read_activity, suggest_activities

    def read(text: str):
        found = read_activity(text)
        if found is None:
            return None, "unknown-activity", did_you_mean(suggest_activities(text))
        return found.activity, None, {}

    values, codes, params = _per_distinct_text(raw, read)
    return Coerced(values.astype("string"), codes, params)


def to_currency(raw: pd.Series, available: set[str], whole_units: bool = False) -> Coerced:
    """Currencies as written (trimmed); errors for unknown ones and those without an exchange rate."""

    def read(text: str):
        try:
            currency = parse_currency(text)
        except UnitError:  # no "did you mean": a similar name is often another currency (yen, yuan)
            return None, "unknown-currency", did_you_mean([])
        if currency.code != BASE_CURRENCY and currency.code not in available:
            return None, "no-exchange-rate", {"code": currency.code}
        if whole_units and currency.multiplier != 1:
            return None, "currency-multiplier", {"code": currency.code}
        return text, None, {}

    values, codes, params = _per_distinct_text(raw, read)
    return Coerced(values.astype("string"), codes, params)


def to_region(raw: pd.Series, lookup: dict[str, str]) -> Coerced:
    """Factor regions: provinces, grids and countries as codes; two capital letters pass as a country."""
    from zcf.schema import normalize_name, suggest

    def read(text: str):
        code = lookup.get(normalize_name(text))
        if code is not None:
            return code, None, {}
        if _COUNTRY.match(text):
            return text, None, {}
        return None, "unknown-region", did_you_mean(suggest(text, lookup, n=1))

    values, codes, params = _per_distinct_text(raw, read)
    return Coerced(values.astype("string"), codes, params)


def pcf_unit_kind(text: str) -> str:
    """What a footprint unit is per: a quantity kind (mass, count ...), ``total``, or ``currency``."""
    try:
        return parse_factor_unit(text).denominator_kind or "?"
    except UnitError:
        parse_emissions_total(text)
        return "total"


def to_pcf_unit(raw: pd.Series) -> Coerced:
    """Footprint units as written; ``bad-pcf-unit`` with close spellings otherwise."""

    def read(text: str):
        try:
            kind = pcf_unit_kind(text)
        except UnitError:
            try:
                parse_factor_unit(text)
            except UnitError as exc:
                return None, "bad-pcf-unit", did_you_mean([text.split("/")[0] + "/" + s for s in exc.suggestions]
                                                           if "/" in text else [])
            return None, "bad-pcf-unit", {}
        if kind in ("currency", "dimensionless", "?"):
            return None, "bad-pcf-unit", {}
        return text, None, {}

    values, codes, params = _per_distinct_text(raw, read)
    return Coerced(values.astype("string"), codes, params)


def coerce(column: ColumnSpec, raw: pd.Series, ctx: Context) -> Coerced:
    """The typed values of a selector column (see the module docstring)."""
    if column.type == "activity":
        return to_activity(raw)
    if column.type == "currency":
        return to_currency(raw, ctx.currencies, whole_units=column.whole_units)
    if column.type == "region":
        return to_region(raw, ctx.schema.region_lookup)
    if column.type == "pcf_unit":
        return to_pcf_unit(raw)
    raise ValueError(column.type)


# --- checks across the columns of a row --------------------------------------------------------


def per_unit_problems(spec: TableSpec, out: pd.DataFrame, data: pd.DataFrame, problem_at) -> list[Problem]:
    """A footprint per unit must be per the kind of the row's quantity unit, and needs that quantity."""
    problems: list[Problem] = []
    for column in spec.columns:
        if not column.per_unit_of or column.name not in out:
            continue
        unit_column = column.per_unit_of
        # Judged once per distinct (footprint unit, quantity unit) pair; reported per row.
        pcf_codes, pcfs = pd.factorize(out[column.name], use_na_sentinel=True)
        unit_codes, units = pd.factorize(out[unit_column], use_na_sentinel=True)
        present = pcf_codes >= 0
        if not present.any():
            continue
        pairs = pcf_codes.astype(np.int64) * (len(units) + 1) + (unit_codes + 1)
        verdicts: dict[int, tuple] = {}
        for pair in np.unique(pairs[present]).tolist():
            pcf = pcfs[pair // (len(units) + 1)]
            unit = None if pair % (len(units) + 1) == 0 else units[pair % (len(units) + 1) - 1]
            kind = pcf_unit_kind(pcf)
            if kind == "total":
                continue
            if unit is None or pd.isna(unit):
                verdicts[pair] = ("pcf-needs-quantity", {"unit_column": unit_column})
                continue
            try:
                unit_kind = parse_unit(unit).kind
            except UnitError:
                continue  # the unit cell has its own problem
            if unit_kind != kind:
                verdicts[pair] = ("pcf-unit-mismatch", {"kind": kind, "unit": show_value(unit), "unit_kind": unit_kind})
        if not verdicts:
            continue
        for i in np.flatnonzero(present & np.isin(pairs, list(verdicts))):
            code, params = verdicts[int(pairs[i])]
            problems.append(problem_at(int(i), code, column, column=column.name, column_zh=column.zh,
                                       value=show_value(data[column.name].iat[i]), **params))
    return problems


def factor_unit_problems(spec: TableSpec, out: pd.DataFrame, data: pd.DataFrame, problem_at) -> list[Problem]:
    """A factor's unit must be per what its activity's family is per (electricity.grid per kWh, not per m3)."""
    from zcf.factors.activities import read_activity

    problems: list[Problem] = []
    for column in spec.columns:
        if not column.unit_kinds_from or column.name not in out:
            continue
        activities = out[column.unit_kinds_from].astype(object)
        for i, (activity, unit) in enumerate(zip(activities, out[column.name].astype(object))):
            if activity is None or pd.isna(activity) or unit is None or pd.isna(unit):
                continue
            found = read_activity(activity)
            try:
                parsed = parse_factor_unit(unit)
            except UnitError:
                continue
            if found is None or parsed.denominator_kind in found.family.unit_kinds:
                continue
            problems.append(problem_at(i, "factor-unit-kind", column, column=column.name, column_zh=column.zh,
                                       value=show_value(data[column.name].iat[i]), activity=activity,
                                       kind=parsed.denominator_kind, allowed=" / ".join(found.family.unit_kinds),
                                       example=found.family.example))
    return problems


def assumed_value_problems(spec: TableSpec, out: pd.DataFrame, data: pd.DataFrame, ctx: Context, problem_at) -> list:
    """One warning per distinct name that was read under an assumption (铝 → primary aluminium)."""
    problems: list[Problem] = []
    for column in spec.columns:
        if column.type != "enum" or column.name not in data:
            continue
        enum = ctx.schema.enums[column.enum]  # type: ignore[index]
        if not enum.assumed:
            continue
        raw = to_text(data[column.name]).values
        keys = map_distinct(raw, enum.key).to_numpy(dtype=object, copy=True)  # the key once per distinct text
        keys[pd.isna(raw).to_numpy()] = ""
        hit = np.isin(keys, list(enum.assumed))
        for key in dict.fromkeys(keys[hit]):
            rows = np.flatnonzero(keys == key)
            value = enum.assumed[key]
            more = len(rows) - 1
            problems.append(problem_at(int(rows[0]), "assumed-value", column, column=column.name, column_zh=column.zh,
                                       value=show_value(raw.iat[rows[0]]), read_as=value.value,
                                       assumption=value.assumption_en, assumption_zh=value.assumption_zh,
                                       more=f" ({more} more row{'s' * (more != 1)})" if more else "",
                                       more_zh=f"（另有 {more} 行）" if more else ""))
    return problems
