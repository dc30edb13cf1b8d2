# codegouv — the commands a newcomer, an operator and CI use. `make help` lists them.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed-dev

# The quick start runs like production (DEBUG off, static files through whitenoise) but over
# plain HTTP on this machine; each value can be overridden from the environment.
QUICKSTART_ENV = DJANGO_DEBUG=$${DJANGO_DEBUG:-false} \
	DJANGO_HTTPS=$${DJANGO_HTTPS:-false} \
	DJANGO_ALLOWED_HOSTS=$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost} \
	DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-$$(cat .secret_key)}
# Tests run with DEBUG off and plain HTTP; the key is only ever used by the test run.
TEST_ENV = DJANGO_DEBUG=false DJANGO_HTTPS=false \
	DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-test-only-secret-key-$$(date +%s)}
# Runs a command with DATABASE_URL when it is set, else with an embedded PostgreSQL (data in
# var/postgres, Unix socket only) that lives as long as the command (ADR 11).
WITH_DATABASE = $(PY) scripts/with_database.py
# Settings require DATABASE_URL; commands that read no database get one that answers nothing.
NO_DATABASE = DATABASE_URL=postgres://no-database@127.0.0.1:1/none

.PHONY: help install run dev manage worker beat test lint fmt bench bench-harvest bench-archive hostile check-deploy messages lock clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements/main.txt requirements/dev.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps \
		-r requirements/dev.txt
	touch $@

install: $(STAMP) ## Create .venv and install the locked dependencies

.secret_key:
	@$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	@chmod 600 $@

# whitenoise's manifest, rebuilt only when our static files or the locked packages change.
STATIC_MANIFEST := staticfiles/staticfiles.json
$(STATIC_MANIFEST): $(STAMP) $(shell find static -type f 2>/dev/null)
	$(NO_DATABASE) DJANGO_SECRET_KEY=collectstatic-only \
		$(PY) manage.py collectstatic --noinput --verbosity 0

run: $(STAMP) .secret_key $(STATIC_MANIFEST) ## Migrate, load the demo data and serve on http://127.0.0.1:$(PORT)
	$(WITH_DATABASE) $(SHELL) $(.SHELLFLAGS) '\
		$(QUICKSTART_ENV) $(PY) manage.py migrate --noinput; \
		$(QUICKSTART_ENV) $(PY) manage.py load_demo; \
		echo "Serving on http://127.0.0.1:$(PORT)/ (Ctrl+C to stop)"; \
		$(QUICKSTART_ENV) GUNICORN_BIND=127.0.0.1:$(PORT) GUNICORN_WORKERS=$${GUNICORN_WORKERS:-2} \
			exec $(VENV)/bin/gunicorn -c gunicorn.conf.py codegouv.wsgi'

dev: $(STAMP) ## Development server with DEBUG on and autoreload
	$(WITH_DATABASE) $(SHELL) $(.SHELLFLAGS) '\
		DJANGO_DEBUG=true $(PY) manage.py migrate --noinput; \
		DJANGO_DEBUG=true exec $(PY) manage.py runserver 127.0.0.1:$(PORT)'

# Any manage.py command with the quick start's settings and database, e.g.
# make manage ARGS="createsuperuser"; shares the embedded PostgreSQL of a running make run.
manage: $(STAMP) .secret_key ## Run manage.py $(ARGS) with the quick start's settings and database
	$(WITH_DATABASE) $(SHELL) $(.SHELLFLAGS) '$(QUICKSTART_ENV) exec $(PY) manage.py $(ARGS)'

worker: $(STAMP) ## Celery worker (needs REDIS_URL)
	$(WITH_DATABASE) $(VENV)/bin/celery -A codegouv worker --loglevel=INFO \
		--concurrency=$${CELERY_CONCURRENCY:-2}

beat: $(STAMP) ## Celery beat scheduler (needs REDIS_URL)
	$(WITH_DATABASE) $(VENV)/bin/celery -A codegouv beat --loglevel=INFO \
		--schedule=$${CELERY_BEAT_SCHEDULE_FILE:-/tmp/codegouv-celerybeat}

# makemigrations --check compares the models with the migration files; its extra check of
# the applied history cannot reach NO_DATABASE, which it reports as a warning: silenced.
lint: $(STAMP) ## ruff check, ruff format --check, makemigrations --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(NO_DATABASE) $(TEST_ENV) $(PY) \
		-W "ignore:Got an error checking a consistent migration history:RuntimeWarning" \
		manage.py makemigrations --check --dry-run --verbosity 1

fmt: $(STAMP) ## Fix what ruff can fix and format the code
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# pytest-xdist runs the suite on every core (one test database per worker); PYTEST_WORKERS=0
# runs it in this process, e.g. to use a debugger.
test: lint $(STATIC_MANIFEST) ## Lint, then the test suite (on DATABASE_URL, else an embedded PostgreSQL)
	$(TEST_ENV) $(WITH_DATABASE) $(PY) -m pytest -n $${PYTEST_WORKERS:-auto} $(PYTEST_ARGS)

bench: $(STAMP) ## Serve 100,000 synthetic repositories with gunicorn and measure the pages
	$(PY) scripts/bench_site.py $(BENCH_ARGS)

bench-harvest: $(STAMP) ## Harvest a fake forge of 20,000 repositories and print figures
	$(PY) scripts/bench_harvest.py $(BENCH_ARGS)

bench-archive: $(STAMP) ## Check the 2021 catalogue against a fake Software Heritage and print figures
	$(PY) scripts/bench_archive.py $(BENCH_ARGS)

hostile: $(STAMP) ## Serve the demo data plus hostile rows with gunicorn, send 5,000 hostile requests, fail on any 5xx
	$(PY) scripts/hostile_run.py $(HOSTILE_ARGS)

check-deploy: $(STAMP) ## manage.py check --deploy with the current environment
	$(PY) manage.py check --deploy --fail-level WARNING

messages: $(STAMP) ## Update the English catalogue (needs GNU gettext), then compile it
	$(NO_DATABASE) DJANGO_DEBUG=true $(PY) manage.py makemessages --locale en --no-obsolete \
		--ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'tests/*'
	$(NO_DATABASE) DJANGO_DEBUG=true $(PY) manage.py compilemessages --locale en --ignore '.venv/*'

lock: | $(PY) ## Re-pin requirements/*.txt from pyproject.toml (with hashes)
	$(PY) -m pip install --quiet pip-tools
	$(VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras --no-emit-index-url \
		--no-emit-find-links -o requirements/main.txt pyproject.toml
	$(VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras --no-emit-index-url \
		--no-emit-find-links --extra dev -c requirements/main.txt -o requirements/dev.txt pyproject.toml

clean: ## Remove the virtual environment, collected static files and caches
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
