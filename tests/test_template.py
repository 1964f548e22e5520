"""Templates: a blank workbook per table, and a filled template ingests cleanly (round trip)."""

import csv

import pandas as pd
import pytest
from openpyxl import load_workbook

from conftest import SAMPLE_EN
from zcf.ingest import ingest
from zcf.scaffold.template import write_template
from zcf.schema import load_schema, normalize_name


def fill_from_csvs(path, lang):
    """Copy the English sample CSVs into a template, column by column under its headers."""
    schema = load_schema()
    workbook = load_workbook(path)
    for sheet in workbook.worksheets:
        spec = schema.table_for_name(sheet.title)
        if spec is None or not (SAMPLE_EN / f"{spec.name}.csv").is_file():
            continue
        with open(SAMPLE_EN / f"{spec.name}.csv", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        if spec.layout == "key_value":
            labels = {spec.column_lookup[normalize_name(sheet.cell(r, 1).value.split("\n")[-1])]: r
                      for r in range(2, sheet.max_row + 1)}
            for row in rows:
                sheet.cell(labels[row["field"]], 2, row["value"])
            continue
        positions = {}
        for cell in sheet[1]:
            name = spec.column_lookup[normalize_name(cell.value.split("\n")[-1])]
            positions[name] = cell.column
        for r, row in enumerate(rows, start=2):
            for name, value in row.items():
                if value != "":
                    column = spec.column(name)
                    typed = float(value) if column.type in ("number", "ratio", "percent") else value
                    sheet.cell(r, positions[name], typed)
    workbook.save(path)


@pytest.mark.parametrize("lang", ["zh", "en", "both"])
def test_filled_template_round_trip(tmp_path, lang):
    path = tmp_path / f"template_{lang}.xlsx"
    write_template(path, None, lang)
    fill_from_csvs(path, lang)
    report = ingest([str(path)])
    assert report.valid, [str(p) for p in report.problems][:5]
    assert report.problems == [], [str(p) for p in report.problems][:5]
    reference = ingest([str(SAMPLE_EN)])
    for name, frame in reference.tables.items():
        lineage = [c for c in frame.columns if c.startswith("_source")]
        pd.testing.assert_frame_equal(
            report.tables[name].drop(columns=lineage), frame.drop(columns=lineage), obj=name
        )


def test_blank_template_only_asks_for_the_required_organization_fields(tmp_path):
    path = tmp_path / "blank.xlsx"
    write_template(path, None, "zh")
    report = ingest([str(path)])
    errors = [(p.code, p.cell) for p in report.problems if p.severity == "error"]
    assert errors == [("missing-value", "组织信息!B2"), ("missing-value", "组织信息!B3")]
    assert {p.code for p in report.problems if p.severity != "error"} <= {"empty-file"}


def test_template_has_headers_notes_and_drop_downs(tmp_path):
    path = tmp_path / "t.xlsx"
    write_template(path, ["energy", "sites"], "zh")
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["说明 README", "能源", "站点", "_lists"]
    assert workbook["_lists"].sheet_state == "hidden"
    energy = workbook["能源"]
    headers = [c.value for c in energy[1]]
    assert headers[:5] == ["站点编号", "期间", "能源品种", "数量", "单位"]
    assert energy.freeze_panes == "A2"
    assert "必填" in energy["A1"].comment.text and "[site_id]" in energy["A1"].comment.text
    validated = {str(rng) for dv in energy.data_validations.dataValidation for rng in dv.sqref.ranges}
    assert "C2:C501" in validated  # energy_type drop-down
    lists = workbook["_lists"]
    values = [c.value for c in lists["A"] if c.value]
    assert "电力" in values and "天然气" in values
    assert energy["B2"].number_format == "@"  # periods stay text


def test_cli_template_and_unknown_table(cli, tmp_path):
    result = cli(["template", "能源", "sites", "-o", tmp_path / "t.xlsx", "--lang", "en"])
    assert result.exit_code == 0
    assert load_workbook(tmp_path / "t.xlsx").sheetnames == ["说明 README", "energy", "sites", "_lists"]
    bad = cli(["template", "enrgy", "-o", tmp_path / "t2.xlsx"])
    assert bad.exit_code == 2
    assert "did you mean energy" in bad.stderr


def test_cli_init(cli, tmp_path):
    project = tmp_path / "proj"
    result = cli(["init", project, "--company", 'ACME "Parts" 有限公司', "--year", "2025", "--lang", "both"])
    assert result.exit_code == 0, result.stderr
    from zcf.config import load_config

    config = load_config(None, project)
    assert config.organization.company_name == 'ACME "Parts" 有限公司'
    assert config.organization.reporting_year == 2025
    assert (project / "data" / "inputs.xlsx").exists()
    again = cli(["init", project])
    assert again.exit_code == 2 and "--force" in again.stderr
