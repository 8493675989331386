# Two commands set up a fresh machine: `make demo` and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PRESET ?= ci
SEED   ?= 7
export DO_NOT_TRACK := 1
export YOLO_OFFLINE := 1

.PHONY: install demo test test-fast bench serve clean weights

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

demo: install
	$(BIN)/civic simulate --preset $(PRESET) --seed $(SEED)
	$(BIN)/civic pipeline run
	$(BIN)/civic bylaw import-legacy
	$(BIN)/civic routes plan
	$(BIN)/civic report council --period latest --format pdf --format xlsx --format csv
	$(BIN)/civic serve

serve: install
	$(BIN)/civic serve

test: install
	$(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest -m "not slow"

BENCH_YEAR ?= /tmp/civic-bench-city

bench: install
	$(BIN)/python bench/run_pipeline_bench.py --preset ci --repeat 3
	$(BIN)/python bench/run_pipeline_bench.py --preset city --keep $(BENCH_YEAR)
	$(BIN)/python bench/incremental_day_bench.py --year $(BENCH_YEAR) --repeat 3

# Rebuild the ALPR engine's shipped weights and model cards (vision/weights/) from the
# project's own renders and the real train-split photos in ../shared/data/alpr_benchmark.
weights: install
	$(BIN)/civic alpr train-detector
	$(BIN)/civic alpr train-reader

clean:
	rm -rf data dbt_project/target dbt_project/logs
