# Ayuda: the two set-up commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.13 2>/dev/null || echo python3)
VENV := .venv
PY := $(VENV)/bin/python
export DJANGO_SETTINGS_MODULE ?= ayuda.config.settings.base
# What ruff checks (only the paths that exist, so a fresh clone without bench/ still works).
RUFF_PATHS := $(wildcard src tests bench conftest.py)

.PHONY: run test lint install migrate demo messages bench clean servers

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 13), "Ayuda needs Python 3.13"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --silent
	touch $@

install: $(VENV)/.installed node_modules/.installed

migrate: install
	@mkdir -p data
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable

demo: migrate
	$(PY) manage.py load_demo

# scripts/run.sh prints the demo log-ins once the web app answers: load_demo does not here.
run: migrate
	$(PY) manage.py load_demo --no-logins
	@# The demo's first health scan, so its monitoring incidents are there at once (the worker's
	@# beat then scans every minute).
	$(PY) manage.py scan_devices
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules >/dev/null
	bash scripts/run.sh

# The real servers some tests talk to: Debian's chromium and a private Dovecot on a loopback
# port. Installing them may ask for sudo; where that fails the tests that need them are
# skipped with "missing server: …" (a failure when CI=true).
servers:
	-@bash scripts/chromium.sh
	-@bash scripts/dovecot.sh start

test: install servers
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules >/dev/null
	$(VENV)/bin/ruff check $(RUFF_PATHS)
	$(VENV)/bin/ruff format --check $(RUFF_PATHS)
	@# pytest-django lets DJANGO_SETTINGS_MODULE (exported above) beat pyproject.toml: name the
	@# test settings here.
	DJANGO_SETTINGS_MODULE=ayuda.config.settings.test $(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check --fix $(RUFF_PATHS)
	$(VENV)/bin/ruff format $(RUFF_PATHS)

messages: install
	cd src/ayuda && ../../$(PY) ../../manage.py makemessages -l es -l it -l en --ignore=tests
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules

clean:
	rm -rf $(VENV) node_modules data
