# Trial Footprint: `make run` starts the app, `make test` runs the whole suite (`make test-fast`:
# all but the browser and load tests). Each creates .venv with the pinned requirements and the
# project installed editable first (Python 3.11, Debian/Ubuntu).

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run serve-team test test-fast setup setup-dev system-packages data bench lint load clean

run: setup
	$(BIN)/streamlit run app.py --server.address 0.0.0.0 --server.port 8501

# A team deployment on this machine (scripts/serve_team.py): two replicas behind nginx with
# sticky sessions, one PostgreSQL, all on 127.0.0.1, data in a temporary folder; Ctrl-C stops it.
TEAM_PORT ?= 8600
serve-team: setup system-packages
	$(BIN)/python scripts/serve_team.py run --port $(TEAM_PORT)

test: setup-dev system-packages
	$(BIN)/python -m pytest

test-fast: setup-dev
	$(BIN)/python -m pytest -m "not browser and not load"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: $(BIN)/python requirements.txt constraints.txt
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	touch $@

# The project itself, editable: `footprint` (the CLI) and `import footprint` from anywhere.
$(VENV)/.project: $(VENV)/.runtime pyproject.toml
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev: $(VENV)/.project requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $@

setup: $(VENV)/.project
setup-dev: $(VENV)/.dev

# What the tests need from Debian: Chromium for the browser tests (Playwright's own browser
# download needs the network) and PostgreSQL's server binaries, which the store tests start on
# 127.0.0.1 in a temporary folder (scripts/postgres.sh) and stop again; nginx for the team
# deployment (make serve-team) and its test.
system-packages:
	@{ [ -x $(CHROMIUM) ] && [ -x /usr/sbin/nginx ] && \
	   ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; } || \
	  { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install \
	    -y -qq chromium fonts-dejavu-core postgresql nginx; }

# Rebuild data/ from the raw, sourced files (not needed to run: data/ is committed).
RAW ?= ../shared/data-raw
data: setup-dev
	$(BIN)/python scripts/build_data.py $(RAW) data

bench: setup-dev system-packages
	$(BIN)/python -m bench

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/mypy

# 20 concurrent browser sessions for 60 s against one server; prints p50/p95 and peak memory.
load: setup-dev system-packages
	$(BIN)/python bench/load.py --sessions 20 --seconds 60

# Server capacity without browsers (bench/load_protocol.py): websocket sessions speaking
# Streamlit's protocol through nginx to the two replicas of `make serve-team`, stepped up.
.PHONY: load-protocol
load-protocol: setup-dev system-packages
	$(BIN)/python -m bench.load_protocol --steps 1 5 10 20 40 --seconds 60 --head

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis test-results \
	  data/.cache *.egg-info
