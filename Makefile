# Two-command set-up: `make demo` and `make test` both install what they need
# (Debian packages, a local .venv with zcf and its dependencies) and are fast
# when everything is already in place.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.zcf-installed
BENCH_STAMP := $(VENV)/.zcf-bench-installed
DEMO_OUT ?= out/demo

.PHONY: setup system-deps demo test fuzz bench bench-large docs dist clean

setup: system-deps $(STAMP)

# Checks with dpkg-query and installs only what is missing (fast when present).
system-deps:
	@./scripts/system-deps.sh

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

demo: setup
	$(BIN)/zcf --config sample_data/zcf.toml run sample_data/zh/示例汽车集团_2025.xlsx -o $(DEMO_OUT)
	@echo "Outputs are in $(DEMO_OUT)/"

# one worker per core (pytest-xdist); PYTEST_WORKERS=0 runs in one process
PYTEST_WORKERS ?= auto
test: setup
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS)

# Many more generated hostile inputs than `make test` runs (tests/test_fuzz.py), randomized,
# with the crafted corpus of tests/hostile.py. FUZZ=<factor> scales the number of examples
# (default 20: ~10,000 generated inputs); failing examples are kept in .hypothesis/ and
# replayed first next time.
FUZZ ?= 20
fuzz: setup
	ZCF_FUZZ=$(FUZZ) $(BIN)/python -m pytest -q tests/test_fuzz.py tests/test_hostile_inputs.py

# Stages (ingest, calc, check, report) timed as whole processes against reference tools
# (calamine, pyarrow, DuckDB) on generated automaker data: sizes S and M, and the
# 30,000-purchase-line report (R30K). Inputs are cached in bench/data/. Results:
# bench/results.md and bench/results.json. BENCH_ARGS passes options to bench/run.py
# (e.g. BENCH_ARGS="--stages ingest,calc --timeout 600"); see `python bench/run.py --help`.
BENCH_ARGS ?=
$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	@touch $@

bench: setup $(BENCH_STAMP)
	$(BIN)/python bench/run.py --sizes S,M,R30K $(BENCH_ARGS)

# Size L: 10M purchase lines, 3.5M energy rows (no xlsx: over Excel's row limit), one run each.
# Each child is limited to BENCH_MEMORY_MB of data (a run over it is reported as failed): calc's peak
# at L is about 12.5 GB on this design (20.6M lines held in memory), over the 4 GB target.
BENCH_MEMORY_MB ?= 20000
bench-large: setup $(BENCH_STAMP)
	$(BIN)/python bench/run.py --sizes L --memory-limit-mb $(BENCH_MEMORY_MB) --results bench/results-large.json $(BENCH_ARGS)

# A wheel for installing zcf elsewhere (CI runners): dist/zcf-<version>-py3-none-any.whl
dist: setup
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir dist .
	@ls dist/*.whl

docs: setup
	$(BIN)/python scripts/gen_cli_docs.py > docs/cli.md
	$(BIN)/python scripts/gen_activities_doc.py > docs/activities.md

clean:
	rm -rf $(VENV) out .pytest_cache build dist *.egg-info
