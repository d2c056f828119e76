# Works on a fresh machine with Python 3.11 and make: every target builds .venv itself.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck unit bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,bench]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/latebot console

lint: $(BIN)/.installed
	$(BIN)/ruff check bot commands adapters tests benchmarks

typecheck: $(BIN)/.installed
	$(BIN)/mypy bot commands adapters

unit: $(BIN)/.installed
	$(BIN)/pytest

test: lint typecheck unit

# `make bench` runs everything (about 10 minutes); `make bench BENCH=--quick` a smaller version,
# `make bench BENCH="--only slack"` one benchmark.
bench: $(BIN)/.installed
	$(BIN)/python -m benchmarks $(BENCH)

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
