# Kaoping — the two commands of the README's quick start, and a few helpers.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install migrate demo worker lint messages bench clean

$(VENV)/.installed: requirements/base.txt requirements/production.txt requirements/local.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/local.txt
	touch $@

install: $(VENV)/.installed

## Install, migrate, load the demo plant, and start the web app with a Celery worker beside it.
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@mkdir -p var
	@echo "Kaoping: http://$(HOST):$(PORT)/admin/  (logins: see README)"
	$(VENV)/bin/celery -A config worker --loglevel=INFO --concurrency=1 --queues=celery,pdf --beat --schedule=var/celerybeat-schedule & \
	  worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver $(HOST):$(PORT)

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
	rm -rf $(VENV) db.sqlite3 var media staticfiles
