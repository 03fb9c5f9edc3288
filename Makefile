# Trial Footprint: `make run` starts the app, `make test` runs the whole suite.
# Both create .venv with the pinned requirements first (Python 3.11, Debian/Ubuntu).

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test setup setup-dev chromium data bench lint load clean

run: setup
	$(BIN)/streamlit run app.py --server.address 0.0.0.0 --server.port 8501

test: setup-dev chromium
	$(BIN)/python -m pytest

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: $(BIN)/python requirements.txt constraints.txt
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $@

setup: $(VENV)/.runtime
setup-dev: $(VENV)/.dev

# Browser tests drive Debian's Chromium (Playwright's own browser download needs the network).
chromium:
	@[ -x $(CHROMIUM) ] || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-dejavu-core; }

# Rebuild data/ from the raw, sourced files (not needed to run: data/ is committed).
RAW ?= ../shared/data-raw
data: setup-dev
	$(BIN)/python scripts/build_data.py $(RAW) data

bench: setup-dev chromium
	$(BIN)/python -m bench

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/mypy

# 20 concurrent browser sessions for 60 s against one server; prints p50/p95 and peak memory.
load: setup-dev chromium
	$(BIN)/python bench/load.py --sessions 20 --seconds 60

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis test-results
