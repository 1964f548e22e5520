"""Fuzzing: generated malformed tables and corrupted workbooks never crash zcf.

Four generators, each asserting the same contract — exit 0 or 1 with a structured list of
problems (code, place, message in both languages), never an internal error (exit 70) and
never a traceback:

* ``test_generated_tables``: tables of every kind with wrong types, units, enumerations,
  missing and extra columns, headers in Chinese, English and both, unicode edge cases, huge
  and tiny numbers, formulas without results, Excel errors and extreme numbers in date cells;
  as .xlsx or CSV (UTF-8, GB18030, UTF-16, several separators);
* ``test_corrupted_workbooks``: byte-level damage to a valid .xlsx — flipped, overwritten,
  inserted and cut bytes, damaged deflate streams of single parts, and parts whose XML is
  mutated before recompression (extreme numbers in value and date cells);
* ``test_numbers_at_the_limits_calculate``: ``zcf run`` on inventories whose numbers are as
  large as ingest allows: the results are finite (the limits keep the arithmetic finite);
* ``test_generated_inputs_in_a_real_process``: a few generated inputs through ``python -m zcf``
  (native panics and crashes can escape an in-process runner).

``make test`` runs a fixed, derandomized set (see ``EXAMPLES``); ``make fuzz`` sets
``ZCF_FUZZ=<factor>`` for many more, randomized, examples.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conftest import ROOT, invoke
from hostile import (
    ORG,
    unfilled,
    SITES,
    DateSerial,
    ErrorValue,
    Formula,
    NumberText,
    damage_member,
    energy_rows,
    workbook,
)
from zcf.problems import catalogue
from zcf.schema import load_schema, magnitude_limits

FUZZ = float(os.environ.get("ZCF_FUZZ", "0") or 0)  # make fuzz: a factor on the number of examples


def examples(default: int) -> int:
    return int(default * FUZZ) if FUZZ else default


# Generated cases run by `make test` (derandomized: the same every run).
EXAMPLES = {"tables": 200, "corrupted": 300, "limits": 12, "process": 3}


def _settings(name: str):
    phases = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target]
    if not os.environ.get("ZCF_FUZZ_NO_SHRINK"):
        phases.append(Phase.shrink)
    return settings(max_examples=examples(EXAMPLES[name]), deadline=None, derandomize=not FUZZ,
                    database=None if not FUZZ else settings.default.database, phases=phases,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])


SCHEMA = load_schema()
ROW_TABLES = sorted(name for name, t in SCHEMA.tables.items() if t.layout == "rows")


def assert_structured(exit_code: int, stdout: str, stderr: str) -> list[dict]:
    """The contract: exit 0 or 1 and a structured list of problems; no crash, no traceback."""
    assert "internal error" not in stderr and "Traceback" not in stdout + stderr, stderr[-2000:]
    assert exit_code in (0, 1), (exit_code, stderr[-2000:])
    document = json.loads(stdout)
    document = document.get("ingest", document)
    problems = document["problems"]
    known = catalogue()
    for p in problems:
        assert p["code"] in known and p["message"] and not unfilled(p["code"], p["message"]), p
    has_errors = any(p["severity"] == "error" for p in problems)
    assert has_errors == (exit_code == 1) or "checks" in json.loads(stdout), problems[:5]
    return problems


def assert_dataset_finite(out: Path) -> None:
    """Every number of a valid dataset is finite."""
    for path in (out / "dataset").glob("*.parquet"):
        frame = pd.read_parquet(path)
        for column in frame.columns:
            if pd.api.types.is_float_dtype(frame[column]):
                values = frame[column].to_numpy(dtype="float64", na_value=np.nan)
                assert np.isfinite(values[~np.isnan(values)]).all(), (path.name, column)


# --- values -------------------------------------------------------------------------------------

EDGE_TEXTS = [
    "", " ", "\u200b", "\u202eevil", "\ufeffCQ01", "ｅｎｅｒｇｙ", "１２３４", "e\u0301", "🙂", "\x00", "\x1b[2J", "\x7f",
    "\u0085", "\u2028", "\U0010ffff", "\ufffe", "=1+1", "+cmd|' /C calc'!A0", "null", "None", "NaN", "nan", "inf",
    "-inf", "-", ".", "1,234.5", "1.2.3", "1e308", "-1e308", "1e-320", "1e400", "9223372036854775808", "0x1F",
    "12 kWh", "35%", "200%", "-0", "2025-13", "2025-02-30", "0000-01", "9999-12-31", "1899-12-31", "  CQ01  ",
    "CQ01\nCQ02", "是", "否", "√", "万", "万kWh", "kWh/", "t*t*t*t", "m^999", "1/0", "°C", "%", "#N/A", "#REF!",
    "长" * 1200, "a" * 40_000,
]
FLOATS = st.floats(allow_nan=True, allow_infinity=True, width=64)
HUGE = st.sampled_from([1e308, -1e308, 1.7976931348623157e308, 1e300, 5e-324, 1e-300, 2.0**63, -(2.0**63), 2.0**53 + 1])
UNREAD = st.one_of(
    st.builds(Formula, st.sampled_from(["1+2", "SUM(A1:A9)", '"CQ"&"01"', "B2*2", ""]), st.none()),
    st.builds(Formula, st.just("1+2"), st.sampled_from(["3", "", "x"])),
    st.builds(ErrorValue, st.sampled_from(["#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", ""])),
    st.builds(DateSerial, st.sampled_from(["-1e12", "-1e15", "-2958466", "2958466", "1e300", "-0.5", "0", "45658",
                                          "45658.999999", "1e-300", "NaN", "INF", "abc"])),
    st.builds(NumberText, st.sampled_from(["1e400", "-1e400", "NaN", "INF", "1e308", "0x10", "", " ", "1,5", "١٢٣"])),
)


def valid_values(column) -> st.SearchStrategy:
    kind = column.type
    if kind == "enum":
        enum = SCHEMA.enums[column.enum]
        return st.sampled_from([v.value for v in enum.values] + [v.zh for v in enum.values])
    if kind == "province":
        return st.sampled_from(["江苏", "重庆", "Jiangsu", "CN-ZJ", "广东省"])
    if kind == "grid_region":
        return st.sampled_from([v.value for v in SCHEMA.grid_regions.values])
    if kind in ("number", "ratio", "percent", "integer"):
        return st.one_of(st.integers(0, 10**6), st.floats(0, 1e6, allow_nan=False), st.sampled_from(["35%", "1,234.5", "0"]))
    if kind == "year":
        return st.sampled_from([2025, 2024, "2025年", 2023])
    if kind == "period":
        return st.sampled_from(["2025", "2025-01", "2025-06-30", "2025年3月", "2024-12", DateSerial("45658")])
    if kind == "unit":
        return st.sampled_from(["kWh", "MWh", "t", "kg", "m3", "万m3", "L", "GJ", "piece", "件", "km", "tkm", "万kWh"])
    if kind == "boolean":
        return st.sampled_from(["yes", "no", "是", "否", True, False, 1, 0])
    if kind == "factor_unit":
        return st.sampled_from(["kgCO2e/kWh", "tCO2e/t", "kgCO2e/CNY", "GJ/t", "kg/L"])
    if kind == "currency":
        return st.sampled_from(["CNY", "元", "USD", "万元", "EUR"])
    if kind == "activity":
        return st.sampled_from(["electricity.grid", "ncv.diesel", "material.steel", "fx.USD", "spend.machinery"])
    if kind == "pcf_unit":
        return st.sampled_from(["tCO2e/t", "kgCO2e/件", "kgCO2e/kg"])
    if kind == "region":
        return st.sampled_from(["CN", "CN-JS", "GLOBAL", "华东"])
    if column.references and "sites" in column.references:
        return st.sampled_from(["CQ01", "CQ02"])
    return st.one_of(st.just(column.example or "x"), st.text(max_size=12))


def hostile_values() -> st.SearchStrategy:
    return st.one_of(
        st.sampled_from(EDGE_TEXTS), st.text(max_size=20), FLOATS, HUGE, st.integers(-(2**70), 2**70),
        st.booleans(), st.none(), UNREAD,
    )


def header_variants(column) -> list[str]:
    return [column.name, column.zh, *column.aliases, f"{column.zh}\n{column.name}", column.name.upper(),
            f"  {column.name} ", f"*{column.zh}", column.name.replace("_", " ").title(), f"{column.zh}/{column.name}"]


def table_names(spec) -> list[str]:
    return [spec.name, spec.zh, *spec.aliases, f"{spec.zh}2025", f"{spec.name} (2025)", f"{spec.zh} {spec.name}",
            spec.name.upper(), f"{spec.zh}明细表", "Sheet1", f"{spec.name}_old", spec.name[:-1] + "x"]


@st.composite
def tables(draw) -> tuple[str, list[list]]:
    """(sheet or file name, rows) of one generated table, header first."""
    spec = SCHEMA.tables[draw(st.sampled_from(ROW_TABLES))]
    columns = draw(st.lists(st.sampled_from(spec.columns), min_size=0, max_size=len(spec.columns) + 2))
    if draw(st.booleans()):  # usually: every required column, in some order
        columns = list(dict.fromkeys([c for c in spec.columns if c.required] + columns))
    header: list = [draw(st.sampled_from(header_variants(c))) for c in columns]
    values = [st.one_of(valid_values(c), valid_values(c), valid_values(c), hostile_values()) for c in columns]
    extra = draw(st.lists(st.one_of(st.sampled_from(["remarks", "备注", "quantity_std", "_source_row", "energy_mwh",
                                                     "period_month", "", " ", "\x1b[31m", "=A1", "remarks"]),
                                    st.text(max_size=8)), max_size=2))
    header += extra
    values += [st.one_of(st.text(max_size=10), hostile_values())] * len(extra)
    rows = draw(st.lists(st.tuples(*values), max_size=6)) if values else []
    title = draw(st.lists(st.lists(hostile_values(), max_size=3), max_size=2))  # title rows above the header
    return draw(st.sampled_from(table_names(spec))), [*map(list, title), header, *map(list, rows)]


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Formula):
        return f"={value.text}"
    if isinstance(value, (ErrorValue, DateSerial, NumberText)):
        return str(getattr(value, "text", None) or getattr(value, "value", ""))
    if isinstance(value, float):
        return repr(value)
    return str(value)


def csv_bytes(rows: list[list], encoding: str, delimiter: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    text = out.getvalue()
    if encoding == "gb18030":
        return text.encode("gb18030", "replace")
    if encoding == "utf-8-sig":
        return text.encode("utf-8-sig")
    if encoding == "utf-16":
        return text.encode("utf-16")
    return text.encode("utf-8", "surrogatepass")


@st.composite
def generated_inputs(draw) -> dict[str, bytes]:
    """Files for one ingest: a workbook, or CSV files, of 1–3 generated tables (with organization and sites often)."""
    generated = draw(st.lists(tables(), min_size=1, max_size=3))
    fixed: list[tuple[str, list[list]]] = []
    if draw(st.booleans()):
        fixed.append(("organization", ORG))
    if draw(st.booleans()):
        fixed.append(("sites", SITES))
    if draw(st.booleans()):
        fixed.append(("energy", energy_rows(months=range(1, 4))))
    chosen = fixed + generated
    if draw(st.booleans()):
        sheets: dict[str, list[list]] = {}
        for name, rows in chosen:
            sheets[name if name not in sheets else f"{name} {len(sheets)}"] = rows
        hidden = tuple(n for n in sheets if draw(st.booleans()) and draw(st.booleans()))
        return {"book.xlsx": workbook(sheets, hidden=hidden)}
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
    delimiter = draw(st.sampled_from([",", ",", ";", "\t"]))
    files = {}
    for i, (name, rows) in enumerate(chosen):
        safe = "".join(c for c in name if c.isprintable() and c not in "/\\\0") or "x"
        files[f"{i}/{safe}.csv"] = csv_bytes(rows, encoding, delimiter)
    return files


def _write(files: dict[str, bytes], folder: Path) -> Path:
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


@_settings("tables")
@given(generated_inputs())
def test_generated_tables(files):
    with tempfile.TemporaryDirectory() as tmp:
        folder = _write(files, Path(tmp) / "in")
        out = Path(tmp) / "out"
        result = invoke(["ingest", folder, "-o", out, "--json"])
        problems = assert_structured(result.exit_code, result.stdout, result.stderr)
        for p in problems:  # a problem names its place: at least the file, except the few about all inputs
            assert p["file"] or p["code"] in ("no-inputs", "no-tables", "no-data", "no-reporting-year"), p
        if result.exit_code == 0:
            assert_dataset_finite(out)


# --- byte-level corruption ------------------------------------------------------------------------

BASE = workbook({"organization": ORG, "sites": SITES, "energy": energy_rows(months=range(1, 4))})
MEMBERS = [i.filename for i in zipfile.ZipFile(io.BytesIO(BASE)).infolist()]


@st.composite
def byte_damage(draw, data: bytes) -> bytes:
    kind = draw(st.sampled_from(["flip", "overwrite", "insert", "cut", "truncate", "duplicate"]))
    at = draw(st.integers(0, len(data) - 1))
    if kind == "flip":
        return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
    if kind == "overwrite":
        junk = draw(st.binary(min_size=1, max_size=64))
        return data[:at] + junk + data[at + len(junk) :]
    if kind == "insert":
        return data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:]
    if kind == "cut":
        return data[:at] + data[at + draw(st.integers(1, 256)) :]
    if kind == "truncate":
        return data[:at]
    length = draw(st.integers(1, 512))
    return data[:at] + data[at : at + length] * 2 + data[at + length :]


XML_NUMBERS = st.sampled_from([b"1e308", b"-1e308", b"1e400", b"NaN", b"-1e12", b"2958466", b"1e-320", b"9" * 400,
                               b"-0", b"0x10", b"", b"&#1;", b"]]>", b"\xff\xfe"])


@st.composite
def xml_damage(draw, data: bytes) -> bytes:
    """Change the XML of one part, then recompress it properly (so the zip itself is fine)."""
    member = draw(st.sampled_from(MEMBERS))
    source = zipfile.ZipFile(io.BytesIO(data))
    xml = source.read(member)
    how = draw(st.sampled_from(["values", "date-style", "bytes", "tag", "truncate"]))
    if how == "values" and b"<v>" in xml:
        parts = xml.split(b"<v>")
        i = draw(st.integers(1, len(parts) - 1))
        rest = parts[i].split(b"</v>", 1)
        parts[i] = draw(XML_NUMBERS) + b"</v>" + (rest[1] if len(rest) > 1 else b"")
        xml = b"<v>".join(parts)
    elif how == "date-style" and b'<c r="' in xml:  # every numeric cell date-formatted, with an extreme value
        xml = xml.replace(b"><v>", b' s="1"><v>' + draw(XML_NUMBERS) + b"</v><v>", 1)
    elif how == "bytes":
        at = draw(st.integers(0, max(len(xml) - 1, 0)))
        xml = xml[:at] + draw(st.binary(min_size=1, max_size=16)) + xml[at + 1 :]
    elif how == "tag":
        tag = draw(st.sampled_from([b"<row", b"<c ", b"<sheet ", b"<sheetData>", b"<is>", b"<t", b"<f>"]))
        replacement = draw(st.sampled_from([b"", b"<x", b"<c r=\"XFD1048576\"/><c ", b"<row r=\"0\">", b"<!--", b"<![CDATA["]))
        xml = xml.replace(tag, replacement, draw(st.integers(1, 3)))
    else:
        xml = xml[: draw(st.integers(0, len(xml)))]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, xml if info.filename == member else source.read(info.filename))
    return out.getvalue()


@st.composite
def corrupted_workbooks(draw) -> bytes:
    how = draw(st.sampled_from(["bytes", "bytes", "deflate", "xml", "xml"]))
    if how == "deflate":
        member = draw(st.sampled_from(MEMBERS))
        return damage_member(BASE, member, draw(st.integers(0, 200)), draw(st.integers(1, 255)), draw(st.integers(1, 32)))
    if how == "xml":
        return draw(xml_damage(BASE))
    data = BASE
    for _ in range(draw(st.integers(1, 3))):
        data = draw(byte_damage(data)) or b"P"
    return data


@_settings("corrupted")
@given(corrupted_workbooks())
def test_corrupted_workbooks(data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "book.xlsx"
        path.write_bytes(data)
        result = invoke(["ingest", path, "-o", Path(tmp) / "out", "--json"])
        problems = assert_structured(result.exit_code, result.stdout, result.stderr)
        if result.exit_code == 0:
            assert_dataset_finite(Path(tmp) / "out")
        assert all(p["file"] == str(path) for p in problems if p["code"] in (
            "not-a-workbook", "reader-failed", "file-too-large", "sheet-too-large"))


# --- numbers at the limits through the whole run --------------------------------------------------

LIMITS = magnitude_limits()


def _near(kind: str, unit_factor: float = 1.0):
    """Numbers up to the limit of ``kind`` (in a unit ``unit_factor`` times the canonical one)."""
    top = LIMITS.for_kind(kind).max / unit_factor
    return st.one_of(st.sampled_from([top, top * 0.999, top / 7, 1e-15 * 1.5, 0.0]), st.floats(0, top))


@st.composite
def extreme_inventories(draw) -> dict[str, str]:
    units = {"kWh": 1e-3, "MWh": 1.0, "GJ": 1 / 3.6, "t": None, "万m3": None, "L": None}
    energy = []
    for month in range(1, 4):
        kind, unit = draw(st.sampled_from([("electricity", "kWh"), ("electricity", "MWh"), ("steam", "GJ"),
                                           ("diesel", "t"), ("natural_gas", "万m3"), ("diesel", "L")]))
        factor = units[unit]
        value = draw(_near("energy", factor)) if factor else draw(st.floats(0, 1e6))
        energy.append(f"CQ01,2025-{month:02d},{kind},{value!r},{unit}")
    spend = [draw(_near("currency")) for _ in range(3)]
    purchases = [f"S1,P{i},1,steel,{draw(_near('mass'))!r},t,{s!r},CNY,machinery" for i, s in enumerate(spend)]
    factor = draw(_near("coefficient"))
    return {
        "organization": f"field,value\ncompany_name,X\nreporting_year,2025\nrevenue,{draw(_near('currency'))!r}\n",
        "sites": "site_id,province\nCQ01,重庆\n",
        "suppliers": "supplier_id,name\nS1,Steel\n",
        "energy": "site_id,period,energy_type,quantity,unit\n" + "\n".join(energy) + "\n",
        "purchases": "supplier_id,item_id,category,material,quantity,unit,spend,currency,sector\n" + "\n".join(purchases) + "\n",
        "refrigerants": f"site_id,period,gas,quantity_kg\nCQ01,2025,SF6,{draw(_near('mass', 1e-3))!r}\n",
        "transport": f"direction,mode,mass_t,distance_km\nupstream,road,{draw(_near('mass'))!r},{draw(_near('length'))!r}\n",
        "factors": f"activity,value,unit,region,year,source\nmaterial.steel,{factor!r},tCO2e/t,CN,2025,fuzz\n",
        "production": f"site_id,period,product_id,quantity,unit,revenue\nCQ01,2025,P1,{draw(_near('count'))!r},piece,"
                      f"{draw(_near('currency'))!r}\n",
    }


def _no_constants(name: str):
    raise ValueError(f"{name} in JSON")


@_settings("limits")
@given(extreme_inventories())
def test_numbers_at_the_limits_calculate(tables):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        for name, text in tables.items():
            (folder / f"{name}.csv").write_text(text, encoding="utf-8")
        out = Path(tmp) / "out"
        result = invoke(["run", folder, "-o", out, "--format", "xlsx", "--json", "--fail-on", "never"])
        assert_structured(result.exit_code, result.stdout, result.stderr)
        if (out / "results.json").exists():
            results = json.loads((out / "results.json").read_text(encoding="utf-8"), parse_constant=_no_constants)
            assert results
            lines = pd.read_csv(out / "lines.csv")
            for column in lines.columns:
                if pd.api.types.is_float_dtype(lines[column]):
                    assert np.isfinite(lines[column].dropna()).all(), column


# --- real processes -------------------------------------------------------------------------------


@_settings("process")
@given(st.one_of(generated_inputs(), corrupted_workbooks().map(lambda data: {"book.xlsx": data})))
def test_generated_inputs_in_a_real_process(files):
    with tempfile.TemporaryDirectory() as tmp:
        folder = _write(files, Path(tmp) / "in")
        env = {**os.environ, "PYTHONPATH": str(ROOT), "ZCF_LANG": "en", "RUST_BACKTRACE": "1"}
        done = subprocess.run([sys.executable, "-m", "zcf", "ingest", str(folder), "-o", str(Path(tmp) / "out"), "--json"],
                              capture_output=True, env=env, timeout=600)
        stderr = done.stderr.decode("utf-8", "replace")
        assert "panicked" not in stderr
        assert_structured(done.returncode, done.stdout.decode("utf-8"), stderr)


def test_the_number_of_generated_cases():
    """At least 500 generated cases run in ``make test`` (the closing note of issue 9 reports it)."""
    assert sum(EXAMPLES.values()) >= 500
