# saywho: the everyday commands. `make test` works from a fresh clone (it makes .venv).
#
# Installs are pinned and hash-checked (requirements/*.txt, from *.in by
# `uv pip compile --generate-hashes`). A stamp file in .venv records each install, so a
# second `make` installs nothing unless a requirements file or pyproject.toml changed.
# pip may print "Location ... is ignored" warnings from this machine's pip config: harmless.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 >/dev/null 2>&1 && echo python3.11 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
PYTEST_ARGS ?=
POLNEAR_DEV ?= ../shared/data/polnear/dev
EXAMPLE := examples/belarus-own-weapons

export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help demo test bench eval schema

help:
	@echo "make demo    install saywho in $(VENV) and analyse $(EXAMPLE).txt"
	@echo "make test    install the dev requirements in $(VENV), run the tests and the accuracy gate"
	@echo "make bench   words per second: bare spaCy against saywho, on PolNeAR dev"
	@echo "make eval    score against PolNeAR dev and the example's gold file"
	@echo "make schema  write the JSON schema of the output to schema/document.schema.json"

# The virtual environment itself: made once, never upgraded behind your back.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-main: requirements/main.txt pyproject.toml | $(BIN)/python
	$(PIP) install --require-hashes -r requirements/main.txt
	$(PIP) install --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.installed-dev: requirements/dev.txt pyproject.toml | $(BIN)/python
	$(PIP) install --require-hashes -r requirements/dev.txt
	$(PIP) install --no-deps --no-build-isolation -e .
	touch $@

demo: $(VENV)/.installed-main
	$(BIN)/saywho analyze $(EXAMPLE).txt

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	$(BIN)/python bench/accuracy_gate.py --dev $(POLNEAR_DEV)

bench: $(VENV)/.installed-main
	$(BIN)/python bench/bench.py

eval: $(VENV)/.installed-main
	$(BIN)/saywho eval polnear $(POLNEAR_DEV)
	$(BIN)/saywho eval gold $(EXAMPLE).gold.json

schema: $(VENV)/.installed-main
	@mkdir -p schema
	$(BIN)/saywho schema > schema/document.schema.json.tmp \
	  && mv schema/document.schema.json.tmp schema/document.schema.json \
	  || { rm -f schema/document.schema.json.tmp; exit 1; }
