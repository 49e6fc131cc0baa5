# Two entry points for a new user: `make demo` and `make test`. Everything installs into .venv, at the
# exact versions in constraints.txt (the lock; `make lock` refreshes it from pyproject.toml's ranges).
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
LOCK   := constraints.txt

.PHONY: demo test test-fast test-lowest lint typecheck bench clean install dev lock models

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "newsledger needs Python 3.11+"'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml $(LOCK) | $(BIN)/python
	$(PIP) install --quiet -c $(LOCK) -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml $(LOCK) $(VENV)/.installed
	$(PIP) install --quiet -c $(LOCK) -e '.[dev]'
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
	$(BIN)/ruff check src tests bench training
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 -q

## test-fast: the suite without the slow dev-set quality gates
test-fast: $(VENV)/.dev-installed
	$(BIN)/python -m pytest -n 2 -q -m "not slow"

## models: refit the shipped models from the train splits in ../shared/eval, in the order a document
## meets them, each fitted on what the ones before it produce: the quote boundary model
## (src/newsledger/extract/quotes/boundary.json; parses PolNeAR train and dev once, ~3 minutes, then ~1
## minute), the quote source and keep models (source.json, keep.json beside it, ~4 and ~2 minutes), then
## the event model (src/newsledger/extract/events/model.json, with the coded articles in
## training/events/gold; prints the dev figures and a 5-fold cross-validation on the PLOVER train
## sentences). Deterministic and CPU-only: a rerun writes the same bytes.
models: $(VENV)/.dev-installed
	$(BIN)/python training/quotes/boundary.py
	$(BIN)/python training/quotes/source.py
	$(BIN)/python training/quotes/keep.py
	$(BIN)/python training/events/train.py --cv

## lock: re-resolve constraints.txt after a change to pyproject.toml (keeps the other pins; UPGRADE=1
## moves every pin to the newest release the ranges allow). uv resolves for every platform at once.
lock: | $(BIN)/python
	$(PIP) install --quiet 'uv>=0.5'
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra ray --universal --python-version 3.11 \
	  --quiet $(if $(UPGRADE),--upgrade) -o $(LOCK)

## test-lowest: the suite with every direct dependency at the lowest version pyproject.toml allows
## (in .venv-lowest), which is what keeps those lower bounds honest; run it after changing a bound
test-lowest: $(VENV)/.dev-installed
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --resolution lowest-direct \
	  --quiet -o .venv-lowest.txt
	rm -rf .venv-lowest && $(BIN)/uv venv --quiet --python $(PYTHON) .venv-lowest
	VIRTUAL_ENV=.venv-lowest $(BIN)/uv pip install --quiet -r .venv-lowest.txt
	VIRTUAL_ENV=.venv-lowest $(BIN)/uv pip install --quiet --no-deps -e .
	.venv-lowest/bin/python -m pytest -n 2 -q --deselect tests/test_install.py

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check src tests bench training

typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy

## bench: speed and memory figures (see bench/README.md); not part of the test suite
bench: $(VENV)/.dev-installed
	$(BIN)/python bench/speed.py
	$(BIN)/python bench/memory.py

clean:
	rm -rf $(VENV) .venv-lowest .venv-lowest.txt build dist src/*.egg-info .pytest_cache .ruff_cache .mypy_cache
