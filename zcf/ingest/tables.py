"""Validation of the mapped tables: cell by cell (a sheet in slices when it is large), then across rows
(duplicates, months) and across tables (references).

:func:`validate_tables` is the step of :func:`zcf.ingest.ingest` after mapping; :func:`extend_with_factors`
widens what the other tables accept with the factor library and the user's own factors.
"""

from __future__ import annotations

from zcf.problems import Problem

# Tables validated first, because others depend on them.
_FIRST = ("organization", "factors", "sites", "suppliers", "production", "sold_products", "purchases")


def validate_tables(schema, mapped_by_table, options, reporting_year, organization, refused=None):
    """The canonical tables (one frame each) and the problems of their cells, rows and references.

    ``refused``: table → the file or sheet of it that could not be read (references into it are not checked).
    """
    import pandas as pd

    from zcf.ingest import crosscheck
    from zcf.ingest.validate import Context, Locator, finish_frame, per_value_problems, validate_sheet

    ctx = Context(
        schema=schema,
        reporting_year=reporting_year,
        allow_other_years=options.allow_other_years,
        region=str(organization.get("country") or "CN"),
        limits=options.limits,
    )
    extend_with_factors(ctx, None)
    locate = Locator()
    tables: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    order = [t for t in _FIRST if t in mapped_by_table] + sorted(t for t in mapped_by_table if t not in _FIRST)
    for name in order:
        frames = []
        cell_errors = False
        for mapped in mapped_by_table[name]:
            locate.add(mapped)
            per_value: dict = {}  # a bad value is one problem per sheet, over all its slices
            for piece in slices(mapped, options.validate_rows):
                frame, found = validate_sheet(piece, ctx, per_value)
                frames.append(frame)
                problems += found
                cell_errors |= any(p.severity == "error" for p in found)
            found = per_value_problems(per_value)
            problems += found
            cell_errors |= any(p.severity == "error" for p in found)
            mapped.data = mapped.data.iloc[:0].copy()  # validated: let the raw cells go before the next sheet
        combined = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        del frames
        problems += crosscheck.duplicate_problems(schema.table(name), combined, locate)
        tables[name] = finish_frame(combined)
        if not cell_errors:  # months of rows that could not be read would show as missing: fix those first
            problems += crosscheck.monthly_problems(
                schema.table(name), tables[name], reporting_year, locate, options.outlier_ratio
            )
        if name == "factors":
            extend_with_factors(ctx, tables["factors"])
    problems += crosscheck.reference_problems(schema, tables, locate, refused)
    return tables, problems


def slices(mapped, rows: int):
    """A sheet in slices of at most ``rows`` rows, so that validation's working memory stays bounded.

    Every check of :func:`zcf.ingest.validate.validate_sheet` is a function of one row, except the
    summaries by value (gathered over the slices by the caller) and those of unread cells (formulas
    without values, only in workbooks): a sheet with unread cells is validated whole.
    """
    from dataclasses import replace

    n = len(mapped.data)
    if n <= rows or mapped.source.unread_cells:
        yield mapped
        return
    for start in range(0, n, rows):
        end = min(start + rows, n)
        yield replace(mapped, data=mapped.data.iloc[start:end], row_numbers=mapped.row_numbers[start:end],
                      unread={c: mask[start:end] for c, mask in mapped.unread.items()})


def extend_with_factors(ctx, user_factors) -> None:
    """What the factor library and the user's factors make usable in the other tables.

    New fuels (``ncv.biogas``), gases (``gwp.AR6.R-600a``), materials and sectors of the user's
    factors widen those columns' allowed values; ``fx.<code>`` rows add currencies; the user's
    factors take part in energy-content conversions.
    """
    from zcf.factors import FactorResolver, factors_from_table, library
    from zcf.factors.activities import declared_keys, read_activity

    activities = [f.activity for f in library()]
    if user_factors is not None:
        activities += user_factors["activity"].dropna().astype(str).tolist()
        ctx.resolver = FactorResolver(factors_from_table(user_factors))
    for enum in ("energy_type", "gas", "material", "sector"):
        known = {v.value for v in ctx.schema.enums[enum].values}
        ctx.extra_enum_values[enum] = sorted(declared_keys(activities, enum) - known)
    rates = (read_activity(a) for a in activities if a.startswith("fx."))
    ctx.currencies = {found.values["currency"] for found in rates if found is not None}
