"""Per-row rules keyed on enum values (table option ``conditions`` in tables.toml).

Example: a sold vehicle with powertrain ``bev`` needs lifetime_km, consumption and
consumption_unit, and its consumption_unit may only be ``kWh/100km``; its
consumption_2 is not used. Which columns and values are data (tables.toml); this
module only enforces them, cell by cell, with messages that say what to fill.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pandas as pd

from zcf.problems import Problem, show_value
from zcf.schema import ColumnSpec, ConditionSpec, Schema, TableSpec

ProblemAt = Callable[..., Problem]  # (row position, code, column, **params) → Problem


def condition_problems(spec: TableSpec, out: pd.DataFrame, present: dict[str, np.ndarray], data: pd.DataFrame,
                       schema: Schema, problem_at: ProblemAt) -> list[Problem]:
    """Rows that break a ``conditions`` rule of the table (e.g. a BEV given in L/100km).

    ``out`` holds the canonical values (enum values resolved from aliases), ``present``
    which raw cells hold anything, ``data`` the raw cells (quoted in messages). A
    condition applies to the rows whose enum columns hold its ``when`` values; there a
    ``required`` cell must be filled (anything, even unreadable: that cell has its own
    problem), an ``allowed`` column may hold only the listed values, and a filled
    ``unused`` cell is reported as ignored.
    """
    problems: list[Problem] = []
    rows = len(out)
    nothing = np.zeros(rows, dtype=bool)
    for condition in spec.conditions:
        applies = np.ones(rows, dtype=bool)
        for name, values in condition.when.items():
            applies &= out[name].isin(values).fillna(False).to_numpy(dtype=bool)
        if not applies.any():
            continue

        def at(i: int, code: str, column: ColumnSpec, **params: Any) -> Problem:
            return problem_at(i, code, column, column=column.name, column_zh=column.zh,
                              **_when_params(spec, condition, out, i, schema), **params)

        for name in condition.required:
            column = spec.column(name)
            for i in np.flatnonzero(applies & ~present.get(name, nothing)):
                problems.append(at(i, "required-when", column))
        for name, values in condition.allowed.items():
            column = spec.column(name)
            labels = {v.value: v.zh for v in schema.enums[column.enum].values}  # type: ignore[index]
            given = out[name].notna().to_numpy(dtype=bool)
            wrong = applies & given & ~out[name].isin(values).fillna(False).to_numpy(dtype=bool)
            for i in np.flatnonzero(wrong):
                problems.append(at(i, "value-not-allowed-when", column, value=show_value(data[name].iat[i]),
                                   allowed=" / ".join(values), allowed_zh=" / ".join(labels[v] for v in values)))
        for name in condition.unused:
            column = spec.column(name)
            for i in np.flatnonzero(applies & present.get(name, nothing)):
                problems.append(at(i, "value-not-used-when", column, value=show_value(data[name].iat[i])))
    return problems


def _when_params(spec: TableSpec, condition: ConditionSpec, out: pd.DataFrame, i: int, schema: Schema) -> dict[str, str]:
    """This row's values of the condition's columns (``powertrain bev``, ``动力类型为纯电动``) and why."""
    en, zh = [], []
    for name in condition.when:
        column = spec.column(name)
        value = str(out[name].iat[i])
        label = schema.enums[column.enum].value_spec(value)  # type: ignore[index]
        en.append(f"{name} {value}")
        zh.append(f"{column.zh}为{label.zh if label else value}")
    return {
        "when": " and ".join(en),
        "when_zh": "且".join(zh),
        "when_columns": " / ".join(condition.when),
        "when_columns_zh": " / ".join(spec.column(c).zh for c in condition.when),
        "because": condition.because_en,
        "because_zh": condition.because_zh,
    }
