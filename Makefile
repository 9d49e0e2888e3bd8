# zPOS-BY: every target creates .venv on first use and installs the project into it.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint demo run bench screenshots clean mutation demo-sweep

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy $(BIN)/python -m pytest

demo: $(STAMP)
	$(BIN)/zpos demo --data demo-out/data --out demo-out

run: $(STAMP)
	$(BIN)/zpos run --sim --data data

# Mutation testing of fiscal/ (mutmut 3, configured in pyproject.toml); slow, so not part of `make test`.
mutation: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[test,mutation]'
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2 || true
	$(BIN)/python -m qa.mutation_score

# `zpos demo` over many seeds, two days each on one data dir (the short version runs in `make test`).
demo-sweep: $(STAMP)
	$(BIN)/python -m qa.demo_sweep --seeds 100 --receipts 25

bench: $(STAMP)
	SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy $(BIN)/python -m benchmarks

screenshots: $(STAMP)
	SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy $(BIN)/zpos screenshots --all --out out/screenshots

clean:
	rm -rf $(VENV) out demo-out mutants
