# Veille — the two README commands are `make demo` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
DB     ?= examples.duckdb
STAMP  := $(VENV)/.installed

.PHONY: install system-packages demo test lint bench clean soak

install: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; Veille needs Python 3.11 (set PYTHON=...)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: install
	rm -f $(DB)
	$(BIN)/veille ingest examples --db $(DB)
	$(BIN)/veille events --db $(DB)
	@echo
	@echo "Database: $(abspath $(DB))   (try: $(BIN)/veille stats --db $(DB))"
	@echo "API:      $(BIN)/veille serve --db $(DB)   then open http://127.0.0.1:8000/docs"

# Debian packages for the PostgreSQL and browser tests (installed only when missing).
system-packages:
	bash scripts/system-packages.sh

test: install system-packages
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts

clean:
	rm -rf $(VENV) *.duckdb .pytest_cache build src/*.egg-info

# Throughput on a mixed corpus built from ../shared/corpus (BENCH_ARGS="--quick" for a smoke check).
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# The reliability tests run long: 200 SIGKILLs during ingest, 3,000 examples per property,
# 600 generated requests per API operation and mode; prints the figures of the README.
SOAK_REPORT := build/soak-report.jsonl
soak: install
	@mkdir -p build && rm -f $(SOAK_REPORT)
	VEILLE_SOAK=1 HYPOTHESIS_PROFILE=soak VEILLE_RELIABILITY_REPORT=$(SOAK_REPORT) \
		$(BIN)/python -m pytest -q -s -p no:cacheprovider -m reliability tests; \
		status=$$?; $(BIN)/python scripts/soak_summary.py $(SOAK_REPORT) $$status; exit $$status
