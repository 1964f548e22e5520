"""`make bench` is trustworthy: its generated inputs are valid and its DuckDB calc reference
computes what zcf computes (bench/generate.py, bench/reference.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

pytest.importorskip("duckdb")
pytest.importorskip("xlsxwriter")

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402
import reference  # noqa: E402


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, monkeypatch_module):
    data = tmp_path_factory.mktemp("bench-data")
    monkeypatch_module.setattr(generate, "DATA", data)
    generate.generate("XS", log=lambda m: None)
    return generate.paths("XS")


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def _ingest(path: Path, out: Path):
    from zcf.ingest import IngestOptions, ingest, write_dataset

    report = ingest([str(path)], IngestOptions())
    assert report.valid, [str(p) for p in report.problems if p.severity == "error"][:5]
    write_dataset(report, out)
    return report


def test_generation_is_deterministic(inputs, tmp_path, monkeypatch):
    first = (inputs["csv"] / "purchases.csv").read_bytes()
    monkeypatch.setattr(generate, "DATA", tmp_path)
    generate.generate("XS", log=lambda m: None)
    assert (tmp_path / "XS" / "csv" / "purchases.csv").read_bytes() == first


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_generated_inputs_ingest_without_errors(inputs, fmt, tmp_path):
    report = _ingest(inputs[fmt], tmp_path / "out")
    assert not [p for p in report.problems if p.severity == "error"]
    assert len(report.tables["purchases"]) == generate.SIZES["XS"].purchases
    assert len(report.tables["energy"]) == generate.SIZES["XS"].meters * 12


def test_duckdb_calc_reference_equals_zcf(inputs, tmp_path):
    from zcf.calc import calculate, load_dataset, write_outputs

    out = tmp_path / "out"
    _ingest(inputs["parquet"], out)
    manifest, tables = load_dataset(out)
    write_outputs(calculate(manifest, tables), out)
    methods = {m for (m,) in __import__("duckdb").sql(
        f"SELECT DISTINCT method FROM read_parquet('{out}/lines.parquet') WHERE source_table = 'purchases'").fetchall()}
    assert {"supplier-specific", "average-data", "spend-based"} <= methods  # several methods occur

    reference.prepare_factors(out, tmp_path / "factors")
    lines = reference.calc(out, tmp_path / "factors", tmp_path / "ref")
    ours = reference.zcf_totals(out)
    theirs = [tuple(t) for t in json.loads((tmp_path / "ref" / "totals.json").read_text())]
    assert lines == sum(t[4] for t in ours)
    assert [t[:3] for t in theirs] == [t[:3] for t in ours]
    for a, b in zip(ours, theirs):
        assert a[4] == b[4], a
        assert b[3] == pytest.approx(a[3], rel=1e-9, abs=1e-12), a
