# Kaoping — the two commands of the README's quick start, and a few helpers.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run prerequisites test install migrate demo worker lint messages bench clean

$(VENV)/.installed: requirements/base.txt requirements/production.txt requirements/local.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/local.txt
	touch $@

install: $(VENV)/.installed

## Check the system's prerequisites (one line saying what to install when one is missing), then install, migrate,
## load the demo plant, and start the web app with a Celery worker beside it. DEBUG is off: friendly error pages,
## never Django's debug page (DJANGO_DEBUG=1 make run for a developer's).
run: export DJANGO_DEBUG ?= 0
run: prerequisites install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@mkdir -p var
	@echo "Kaoping: http://$(HOST):$(PORT)/ to fill ballots, http://$(HOST):$(PORT)/hr/ to run cycles (logins: see README)"
	$(VENV)/bin/celery -A config worker --loglevel=INFO --concurrency=1 --queues=celery,pdf --beat --schedule=var/celerybeat-schedule & \
	  worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver $(HOST):$(PORT)

## Python 3.11 with venv, the CJK fonts of the PDF reports: stops with what to install when one is missing.
prerequisites:
	@command -v python3 >/dev/null || { echo "Kaoping cannot start: missing Python 3.11. Install with: apt-get install python3.11 python3.11-venv fonts-noto-cjk" >&2; exit 1; }
	@PYTHON=$(PYTHON) VENV=$(VENV) python3 scripts/check_prerequisites.py

## The whole test suite (DATABASE_URL / REDIS_URL from the environment; SQLite and no Redis when unset).
test: install
	$(PY) -m pytest

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

worker: install
	$(VENV)/bin/celery -A config worker --loglevel=INFO --queues=celery,pdf

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

## Refresh the zh-hans catalogue from the code, then compile it.
messages: install
	$(PY) manage.py makemessages -l zh_Hans --no-location --no-obsolete --ignore=.venv --ignore=bench --ignore=tests
	$(PY) manage.py compilemessages -l zh_Hans --ignore=.venv

bench: install
	$(PY) bench/scoring.py --quick

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm var media staticfiles
