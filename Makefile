# caseledger: `make run` serves the API on the embedded SQLite store; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test lint typecheck layers unit fuzz bench bench-quick demo clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

run: $(STAMP)
	$(BIN)/caseledger db init
	$(BIN)/caseledger serve

demo: $(STAMP)
	$(BIN)/caseledger db init
	$(BIN)/caseledger demo load

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

layers: $(STAMP)
	$(BIN)/lint-imports

unit: $(STAMP)
	$(BIN)/pytest

fuzz: $(STAMP)
	BIN=$(BIN) bash tests/fuzz/run.sh

test: lint typecheck layers unit fuzz

# Benchmarks (not tests): each module in BENCHES runs in turn and writes bench/results/<name>.json.
BENCHES := bench.filing bench.audit_chain bench.verify bench.projections

bench: $(STAMP)
	@for module in $(BENCHES); do $(BIN)/python -m $$module || exit 1; done

bench-quick: $(STAMP)
	@for module in $(BENCHES); do $(BIN)/python -m $$module --quick || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
