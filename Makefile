# Dziennik: the two commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { command -v $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test setup lint messages lock demo bench clean system-packages

# WeasyPrint (the PDF printouts) needs Pango and HarfBuzz from the system. On Debian and
# Ubuntu `make` installs them when it runs as root; otherwise it says what to install.
PRINT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0

$(BIN)/.installed: requirements.lock pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "Dziennik needs Python 3.12 or newer (python3.12 was not found)." >&2; exit 1; fi
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	@touch $@

setup: $(BIN)/.installed messages system-packages

# Test-only servers in node (the SMPP centre of the SMS tests: package.json).
node_modules/.installed: package.json package-lock.json
	@if ! command -v npm >/dev/null 2>&1; then \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			echo "Installing node and npm for the SMS tests' SMPP centre"; \
			DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; \
		else \
			echo "ERROR: the SMS tests need node and npm (apt-get install nodejs npm)" >&2; exit 1; \
		fi; \
	fi
	npm ci --no-audit --no-fund --silent
	@touch $@

system-packages: $(BIN)/.installed
	@if ! $(BIN)/python -c 'import weasyprint' >/dev/null 2>&1; then \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			echo "Installing Pango for the PDF printouts: $(PRINT_PACKAGES)"; \
			DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PRINT_PACKAGES) >/dev/null; \
		fi; \
		$(BIN)/python -c 'import weasyprint' >/dev/null 2>&1 || { \
			echo "ERROR: the PDF printouts (WeasyPrint) need Pango. Debian/Ubuntu: apt-get install $(PRINT_PACKAGES); elsewhere see https://doc.courtbouillon.org/weasyprint/stable/first_steps.html" >&2; exit 1; }; \
	fi

messages: $(BIN)/.installed
	@$(BIN)/python scripts/compile_messages.py

# Starts the system on SQLite with the demo school at http://127.0.0.1:$(PORT), and beside
# it the background worker (warnings after marks change, notifications): tasks are queued
# in the database as in production, and the worker stops with the server.
RUN_TASKS := TASKS_BACKEND=django_tasks_db.DatabaseBackend
run: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo --if-empty
	$(BIN)/python manage.py demo_logins
	@$(RUN_TASKS) $(BIN)/python manage.py task_worker --interval 1 & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(RUN_TASKS) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Runs the whole test suite (lint, migrations check, unit, HTTP and browser tests).
test: setup node_modules/.installed
	@if [ ! -x "$(CHROMIUM)" ]; then \
		echo "ERROR: browser tests need Chromium at $(CHROMIUM). Install it (Debian: apt-get install chromium) or set CHROMIUM=/path." >&2; \
		exit 1; fi
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY=check-deploy-$$(head -c 32 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9') ALLOWED_HOSTS=dziennik.example.pl EMAIL_URL=smtp+tls://dziennik@localhost:587 CACHE_URL=redis://127.0.0.1:6379/1 \
		$(BIN)/python manage.py check --deploy --fail-level WARNING
	CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

lock: $(BIN)/.installed
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.12 -o requirements.lock

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
