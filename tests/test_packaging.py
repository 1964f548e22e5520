"""`pip install .` must give a working zcf: templates and data files ship inside the wheel."""

import subprocess
import sys
import zipfile

from conftest import ROOT

SHIPPED = [
    "zcf/templates/report/report.html.j2",
    "zcf/templates/report/report.css",
    "zcf/templates/report/labels.toml",
    "zcf/templates/zcf.toml",
    "zcf/schema/tables.toml",
    "zcf/schema/enums.toml",
    "zcf/schema/provinces.csv",
    "zcf/units/aliases.csv",
    "zcf/units/definitions.txt",
    "zcf/problems.toml",
    "zcf/factors/data/electricity_heat_cn.csv",
    "zcf/factors/packs/2026.11.csv",
    "zcf/factors/changes.csv",
    "zcf/factors/versions.toml",
    "zcf/factors/sets.toml",
    "zcf/factors/confidence.toml",
    "zcf/factors/instruments.toml",
    "zcf/checks/packs/cn-zcf.toml",
]


def test_wheel_contains_templates_and_data(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
                   check=True, capture_output=True)
    (wheel,) = tmp_path.glob("zcf-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [name for name in SHIPPED if name not in names]
    assert not missing, missing
    assert not any(name.startswith(("tests/", "sample_data/")) for name in names)
