# The front door. `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
YEAR ?= 2025
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help run test lab lint samples expectations lock clean-build publish explain bench bench-check check mutants

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

run: $(STAMP) ## run the suite for YEAR (default 2025); FAIL_ON=mismatch,... sets what exits 1 (default: see README)
	$(BIN)/lawreport run --year $(YEAR) $(if $(FAIL_ON),--fail-on $(FAIL_ON))

test: $(STAMP) ## install the same way and run lint, the format check and all tests
	$(BIN)/ruff check src tests tools
	$(BIN)/ruff format --check src tests tools
	$(BIN)/python -m pytest -q

lab: $(STAMP) ## open JupyterLab on the notebooks with the project's environment
	$(BIN)/jupyter lab notebooks/ $$([ "$$(id -u)" = 0 ] && echo --allow-root)

lint: $(STAMP) ## ruff lint and format check
	$(BIN)/ruff check src tests tools
	$(BIN)/ruff format --check src tests tools

samples: $(STAMP) ## regenerate the synthetic sample ledgers under data/raw/
	$(BIN)/python -m lawreport.sample.generator --out data/raw

expectations: $(STAMP) ## regenerate expectations/*.json from the ledger specs
	$(BIN)/python -m lawreport.suites --write expectations/

lock: $(STAMP) ## refresh requirements.lock from the installed environment
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^lawreport' > requirements.lock.new
	mv requirements.lock.new requirements.lock

clean-build: ## remove build/ and data/clean/ (generated)
	rm -rf build data/clean

publish: ## after review, make build/YEAR/figures.json the released baseline published/YEAR/figures.json
	@test -f build/$(YEAR)/figures.json || { echo "先运行 make run YEAR=$(YEAR)"; exit 2; }
	mkdir -p published/$(YEAR) && cp build/$(YEAR)/figures.json published/$(YEAR)/figures.json

explain: $(STAMP) ## where does a figure come from: make explain ID=dispute_resolution_rate [YEAR=2025]
	$(BIN)/lawreport explain $(ID) --year $(YEAR)

bench: $(STAMP) ## benchmark (not a test): cold run, unchanged rerun, one ledger changed, bare computation
	$(BIN)/python -m lawreport.bench --year $(YEAR)

mutants: $(STAMP) ## mutation check: every mutant of a metric filter must fail a unit test (exit 1 if one survives)
	$(BIN)/python tools/mutate_metrics.py

check: $(STAMP) ## check the arithmetic of any reports, no ledgers: make check PATHS="a.docx reports/" [JSON=out.json HTML=out.html]
	$(BIN)/lawreport check $(PATHS) $(if $(JSON),--json $(JSON)) $(if $(HTML),--html $(HTML))

bench-check: $(STAMP) ## benchmark (not a test): lawreport check on 1,000 full-length reports, time and peak memory
	$(BIN)/python -m lawreport.bench_check
