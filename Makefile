# Faktencheck – developer commands. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# Use DATABASE_URL when given, otherwise the project-local cluster (config/localdb.sh).
ifeq ($(strip $(DATABASE_URL)),)
  DATABASE_URL := $(shell config/localdb.sh url)
  LOCAL_DB := 1
endif
export DATABASE_URL
export DJANGO_SETTINGS_MODULE := config.settings

# Development defaults; production sets these in its environment.
DEV_ENV := DJANGO_DEBUG=true
TEST_ENV := DJANGO_DEBUG=false DJANGO_SECRET_KEY=test-only-secret-key-not-for-production-0123456789abcdef \
	DJANGO_ALLOWED_HOSTS=testserver,localhost,127.0.0.1 DJANGO_SECURE_SSL_REDIRECT=false SOURCE_FETCH_ALLOW_PRIVATE=false
PROD_CHECK_ENV := DJANGO_DEBUG=false DJANGO_SECRET_KEY=$$(openssl rand -hex 40 2>/dev/null || echo check-deploy-$$RANDOM$$RANDOM$$RANDOM-secret-key-with-enough-length) \
	DJANGO_ALLOWED_HOSTS=faktencheck.example.org

.PHONY: help venv constraints db bootstrap run test lint format bench stress backup restore clean-db

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $@

venv: $(VENV)/.installed ## Create the virtualenv with the pinned dependencies

# Not through `venv`: after a pin changed in requirements*.txt the old constraints contradict it and pip refuses.
constraints: ## Install requirements*.txt as pinned and write constraints.txt from them (after changing them; then make test)
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	{ sed -n '1,3p' constraints.txt; $(VENV)/bin/pip freeze --exclude pip --exclude setuptools; } > constraints.txt.new
	mv constraints.txt.new constraints.txt
	touch $(VENV)/.installed

db: ## Start the project-local PostgreSQL (skipped when DATABASE_URL is set)
ifdef LOCAL_DB
	@config/localdb.sh start
else
	@echo "Using DATABASE_URL from the environment."
endif

bootstrap: venv db ## venv + database + migrations + seed data
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py load_seeds

run: bootstrap ## Set everything up and serve the site on http://127.0.0.1:8000
	$(DEV_ENV) $(PY) manage.py create_demo_user --site http://$(HOST):$(PORT)
	$(DEV_ENV) SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(PY) manage.py runserver $(HOST):$(PORT)

test: bootstrap ## Set everything up and run the whole test suite on PostgreSQL
	$(TEST_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

lint: venv ## ruff check + format check, migrations check, deploy check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(PROD_CHECK_ENV) $(PY) manage.py check --deploy --fail-level WARNING

format: venv ## Apply ruff fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: venv db ## Load benchmark data, drive gunicorn with wrk, print the table (bench/README.md)
	$(TEST_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(TEST_ENV) $(PY) -m bench.run

stress: bootstrap ## gunicorn under mixed load ≥ 5 min, editors writing, PostgreSQL restarted midway (STRESS_SECONDS)
	$(TEST_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) bench/stress.py

backup: db ## Dump the database (pg_dump custom format) to backups/ or BACKUP=file
	config/backup.sh backup $(BACKUP)

restore: db ## Restore BACKUP=file into the database (replaces its contents)
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=backups/….dump"; exit 2; }
	config/backup.sh restore $(BACKUP)

clean-db: ## Stop the project-local PostgreSQL
	@config/localdb.sh stop
