"""``zcf check``: rule packs over results.json, the dataset and the lines.

:func:`run_checks` evaluates the selected packs (``zcf/checks/packs/*.toml``) and
returns a :class:`CheckReport`; ``checks.json`` is its serialisation (with the
preparer's to-do list, :mod:`zcf.checks.todo`) and :func:`junit_xml` its JUnit form
for CI systems.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from zcf.errors import ExitCode, ZcfError

DEFAULT_PACKS = ("cn-zcf", "msci", "csds", "issb-s2", "data-quality")
FAIL_ON = ("error", "warning", "never")
CHECKS_SCHEMA_VERSION = "2"  # 2: source_zh, kind, unit, needs_zh per result; todo


@dataclass
class CheckReport:
    packs: list[dict[str, Any]]
    results: list[dict[str, Any]]
    fail_on: str
    run: dict[str, Any] | None = None  # hashes of what the checks were made from (zcf.outputs)
    todo: list[dict[str, Any]] = field(default_factory=list)  # the preparer's to-do list (zcf.checks.todo)

    @property
    def summary(self) -> dict[str, int]:
        counts = Counter(r["status"] for r in self.results)
        return {s: counts.get(s, 0) for s in ("pass", "fail", "warn", "missing_data", "not_applicable")}

    def failing(self, fail_on: str | None = None) -> list[dict[str, Any]]:
        """Rules that make the run fail at ``fail_on`` (error: error rules; warning: error and warning rules)."""
        level = fail_on or self.fail_on
        if level == "never":
            return []
        severities = {"error"} if level == "error" else {"error", "warning"}
        return [r for r in self.results
                if r["severity"] in severities and r["status"] in ("fail", "warn", "missing_data")]

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": CHECKS_SCHEMA_VERSION,
            "packs": self.packs,
            "fail_on": self.fail_on,
            "summary": self.summary,
            "failing": [r["rule_id"] for r in self.failing()],
            "results": self.results,
            **({"run": self.run} if self.run is not None else {}),
            "todo": self.todo,
        }


def selected_packs(config_checks: dict[str, Any], cli: list[str] | None) -> list[str]:
    from zcf.checks.engine import available

    names = cli or config_checks.get("packs") or list(DEFAULT_PACKS)
    unknown = [n for n in names if n not in available()]
    if unknown:
        raise ZcfError(f"unknown rule pack(s): {', '.join(unknown)}; available: {', '.join(available())}", ExitCode.USAGE)
    return list(names)


def _params(pack, overrides: dict[str, Any]) -> dict[str, Any]:
    params = {name: p.value for name, p in pack.params.items()}
    for name, value in overrides.items():
        if name not in params:
            raise ZcfError(f"zcf.toml [checks.{pack.name}]: unknown parameter {name!r}; "
                           f"known: {', '.join(sorted(params)) or 'none'}", ExitCode.USAGE)
        if not isinstance(value, type(params[name])) and not (isinstance(value, (int, float)) and isinstance(params[name], (int, float))):
            raise ZcfError(f"zcf.toml [checks.{pack.name}] {name}: expected a {type(params[name]).__name__}", ExitCode.USAGE)
        params[name] = value
    return params


def run_checks(results: dict, tables: dict, lines, packs: list[str], config_checks: dict[str, Any],
               fail_on: str) -> CheckReport:
    from zcf.checks import consistency, engine, metrics, todo

    values = metrics.compute(results, tables, lines)
    outcomes = consistency.run_all(results, tables, lines)
    pack_info, all_results = [], []
    for name in packs:
        pack = engine.load_pack(name)
        params = _params(pack, config_checks.get(name) or {})
        pack_info.append({"name": name, "title": {"en": pack.title_en, "zh": pack.title_zh},
                          "description": pack.description, "params": params})
        all_results += engine.evaluate(pack, params, values, outcomes)
    return CheckReport(pack_info, all_results, fail_on, todo=todo.todo_items(results, all_results))


def load_inputs(out: Path):
    import pandas as pd

    from zcf.io import require_files
    from zcf.outputs import read_record, require_own, verify_results

    require_own(out, "check")
    require_files(out, ["results.json", "lines.parquet", "dataset"], "zcf calc")
    from concurrent.futures import ThreadPoolExecutor

    results = read_record(out, "results.json", "zcf calc")
    # The hashes of lines.csv and lines.parquet are checked while the Parquet files are read (hashlib and
    # Arrow release the GIL); nothing read is used unless they match, and a mismatch is the error reported.
    with ThreadPoolExecutor(max_workers=1) as pool:
        verified = pool.submit(verify_results, out, results)
        try:
            paths = sorted((out / "dataset").glob("*.parquet"))
            with_bom = any(p.stem == "bom" for p in paths)
            lines = pd.read_parquet(out / "lines.parquet", columns=list(LINE_COLUMNS))
            tables = {p.stem: _read_table(p, with_bom) for p in paths}
        except Exception:
            verified.result()  # a broken results.json / lines pair is the error to report
            raise
        verified.result()
    return results, tables, lines


# What the checks read of the lines (zcf.checks.consistency) and of the tables that grow with the inventory
# (zcf.checks.metrics, consistency): only these columns are loaded; the other tables are read whole.
LINE_COLUMNS = ("scope", "scope2_method", "category", "co2e_t")
TABLE_COLUMNS = {
    "energy": ("site_id", "supplier_id", "energy_type", "period_year", "period_month", "meter_id", "meter_role"),
    "purchases": ("site_id", "supplier_id", "item_id"),  # item_id: only with a bom table (orphan BOM items)
}


def _read_table(path: Path, with_bom: bool = True):
    import pandas as pd
    import pyarrow.parquet as pq

    wanted = TABLE_COLUMNS.get(path.stem)
    if wanted is None:
        return pd.read_parquet(path)
    if not with_bom:
        wanted = tuple(c for c in wanted if c != "item_id")
    present = set(pq.read_schema(path).names)
    return pd.read_parquet(path, columns=[c for c in wanted if c in present])


def junit_xml(report: CheckReport) -> str:
    """One testsuite per pack, one testcase per rule; failing rules (at fail_on) are failures."""
    failing = {(r["pack"], r["rule_id"]) for r in report.failing()}
    suites = []
    for pack in report.packs:
        cases = []
        mine = [r for r in report.results if r["pack"] == pack["name"]]
        for r in mine:
            name = quoteattr(f"{r['rule_id']} {r['title']['en']}")
            body = ""
            message = quoteattr(r["message"]["en"] or r["status"])
            if (r["pack"], r["rule_id"]) in failing:
                body = f'<failure message={message} type="{r["status"]}">{escape(r["source"])}</failure>'
            elif r["status"] in ("missing_data", "not_applicable"):
                body = f"<skipped message={message}/>"
            elif r["status"] in ("fail", "warn"):
                body = f"<system-out>{escape(r['status'] + ': ' + r['message']['en'])}</system-out>"
            cases.append(f'    <testcase classname={quoteattr("zcf." + pack["name"])} name={name}>{body}</testcase>')
        n_fail = sum(1 for r in mine if (r["pack"], r["rule_id"]) in failing)
        n_skip = sum(1 for r in mine if r["status"] in ("missing_data", "not_applicable")
                     and (r["pack"], r["rule_id"]) not in failing)
        suites.append(f'  <testsuite name={quoteattr("zcf." + pack["name"])} tests="{len(mine)}" failures="{n_fail}" '
                      f'errors="0" skipped="{n_skip}">\n' + "\n".join(cases) + "\n  </testsuite>")
    return '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="zcf check">\n' + "\n".join(suites) + "\n</testsuites>\n"
