# Certwright: `make run` serves the platform with demo data; `make test` checks it all.
# Both work from a fresh clone and are safe to run again.

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CERTWRIGHT := $(BIN)/certwright
# Reinstall only when the dependencies change.
STAMP := $(VENV)/.certwright-installed

HOST ?= 127.0.0.1
PORT ?= 8000
ADMIN_USER ?= admin
# Everyone signs in with an e-mail address, the admin too.
ADMIN_EMAIL ?= admin@example.com
ADMIN_PASSWORD ?= certwright-admin

.DEFAULT_GOAL := help
.PHONY: help install run migrate test lint imports format typecheck pytest bench bench-quick clean distclean

help:
	@echo "make run        set up, load the program and demo data, serve http://$(HOST):$(PORT)"
	@echo "make test       lint, check the import layers, type-check, run the tests (SQLite)"
	@echo "make lint       ruff check + ruff format --check"
	@echo "make imports    import-linter: the layers of docs/architecture.md, no cycles"
	@echo "make format     ruff format + ruff check --fix"
	@echo "make typecheck  mypy"
	@echo "make bench      recompute benchmark, 300k technicians, SQLite + PostgreSQL (~40 min)"
	@echo "make bench-quick  the same on 20k technicians, SQLite only (< 1 min)"
	@echo "make clean      remove caches and build output (keeps .venv and the database)"
	@echo "make distclean  also remove .venv and the local SQLite database"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	@echo "Installing certwright and its dev tools into $(VENV) ..."
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

# The outside verifier the signed-credential tests run (tools/vc-verify): its locked
# npm packages, reinstalled only when the lock file changes. Skipped without npm (the
# tests that need it then skip, saying node is missing).
VC_VERIFY := tools/vc-verify
VC_VERIFY_STAMP := $(VC_VERIFY)/node_modules/.installed

$(VC_VERIFY_STAMP): $(VC_VERIFY)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		echo "Installing the credential verifier's npm packages ..."; \
		(cd $(VC_VERIFY) && npm ci --no-audit --no-fund --loglevel=error) && touch $@; \
	else echo "(npm not found: skipping $(VC_VERIFY))"; fi

install: $(STAMP) $(VC_VERIFY_STAMP)

# --- run ---------------------------------------------------------------------------

# The demo runs in debug mode on the embedded SQLite database, with tasks inline
# so a recompute enqueued after a commit has happened by the time the page reloads.
run: export CERTWRIGHT_DEBUG ?= 1
run: export CERTWRIGHT_TASKS ?= immediate
run: export CERTWRIGHT_EMAIL_BACKEND ?= console
# Two-factor sign-in for staff is on everywhere else; the local demo skips it.
run: export CERTWRIGHT_STAFF_MFA ?= 0
# Links in e-mails, calendar files and score reports point where this server listens.
run: export CERTWRIGHT_SITE_URL ?= http://$(HOST):$(PORT)
# The demo's signing key is encrypted with this development passphrase (never use it
# for a real issuer: docs/configuration.md).
run: export CERTWRIGHT_SIGNING_PASSPHRASE ?= certwright-dev-signing
run: export DJANGO_SUPERUSER_PASSWORD = $(ADMIN_PASSWORD)
run: install
	$(CERTWRIGHT) migrate --noinput
	$(CERTWRIGHT) program load
	@if $(CERTWRIGHT) help demo >/dev/null 2>&1; then \
		$(CERTWRIGHT) demo load; \
	else \
		echo "(no 'certwright demo' command yet: skipping demo data)"; \
	fi
	$(CERTWRIGHT) ensure_superuser --username $(ADMIN_USER) --email $(ADMIN_EMAIL)
	@echo
	@echo "  Certwright is starting at http://$(HOST):$(PORT)/"
	@echo "  Admin:  http://$(HOST):$(PORT)/admin/   e-mail: $(ADMIN_EMAIL)   password: $(ADMIN_PASSWORD)"
	@echo "  API:    http://$(HOST):$(PORT)/api/docs"
	@echo "  Portal: http://$(HOST):$(PORT)/accounts/login/  (demo accounts above; e-mails print here)"
	@echo "  Two-factor sign-in for staff is off in this demo (CERTWRIGHT_STAFF_MFA=0)."
	@echo
	$(CERTWRIGHT) runserver $(HOST):$(PORT)

migrate: install
	$(CERTWRIGHT) migrate --noinput

# --- checks ------------------------------------------------------------------------

test: lint imports typecheck pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The contracts are in pyproject.toml ([tool.importlinter]).
imports: install
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: install
	$(BIN)/mypy

# pytest exits 5 when it collects nothing; that is a failure too, said plainly.
pytest: install
	@$(BIN)/pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; fi; \
	exit $$status

# --- benchmarks (results and how to read them: BENCHMARKS.md) -----------------------

bench: install
	$(BIN)/python bench/recompute.py --json bench/.data/last.json

bench-quick: install
	$(BIN)/python bench/recompute.py --quick --database sqlite

# --- housekeeping ------------------------------------------------------------------

clean:
	rm -rf build dist *.egg-info .mypy_cache .ruff_cache .pytest_cache .hypothesis .import_linter_cache static
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) $(VC_VERIFY)/node_modules certwright.sqlite3 certwright.sqlite3-wal certwright.sqlite3-shm
