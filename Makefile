# Two entry points for a new user: `make demo` and `make test`. Everything installs into .venv.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip

.PHONY: demo test test-fast lint typecheck bench eval clean install dev

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "newsledger needs Python 3.11+"'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml $(VENV)/.installed
	$(PIP) install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed
dev: $(VENV)/.dev-installed

## demo: install, analyse the bundled examples, ingest them into a ledger, print two timelines
demo: $(VENV)/.installed
	$(BIN)/newsledger analyze examples/*.txt examples/*.html --summary
	$(BIN)/newsledger ingest examples/ --db demo.db
	$(BIN)/newsledger timeline Carney --db demo.db
	$(BIN)/newsledger timeline Putin --db demo.db

## test: install dev dependencies, lint, type-check and run the whole suite (slow tests included)
test: $(VENV)/.dev-installed
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 -q

## test-fast: the suite without the slow dev-set quality gates
test-fast: $(VENV)/.dev-installed
	$(BIN)/python -m pytest -n 2 -q -m "not slow"

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check src tests bench

typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy

## bench: speed and memory figures (see bench/README.md); not part of the test suite
bench: $(VENV)/.dev-installed
	$(BIN)/python bench/speed.py
	$(BIN)/python bench/memory.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache .mypy_cache
