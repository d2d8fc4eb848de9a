# Dune — the two commands that matter are `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The embedded default: development settings, SQLite file in var/, eager Celery,
# emails to the console.
RUN_ENV := DEBUG=1

.PHONY: run setup test e2e lint format chromium node debian-packages oidc-demo clean bench messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Stamps: reinstall when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python debian-packages
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml tests/providers/oidc/package-lock.json | $(BIN)/python node debian-packages
	$(BIN)/pip install --quiet -e ".[test]"
	cd tests/providers/oidc && npm ci --no-audit --no-fund --loglevel=error
	touch $(VENV)/.installed $@

# A local OpenID Connect provider for the demo (npm's oidc-provider, as in the tests):
# prints the variables that make run needs to show the académie's button.
oidc-demo: $(VENV)/.installed-test
	$(BIN)/python -m tests.providers.oidc_provider http://$(HOST):$(PORT)

# From Debian's packages when missing: Pango and a font (WeasyPrint lays out the PDF
# documents with them), GNU gettext (the translation catalogue, checked by the tests).
debian-packages:
	@{ ldconfig -p | grep -q libpangoft2-1.0 && command -v xgettext >/dev/null; } || { \
	  echo "Installing Debian's Pango and gettext…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core gettext >/dev/null; }

# Node.js and npm (the OpenID Connect provider the sign-in tests start), from Debian's
# packages when missing.
node:
	@command -v npm >/dev/null || { \
	  echo "Installing Debian's nodejs and npm…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }

setup: $(VENV)/.installed
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py load_reference_data
	$(RUN_ENV) $(BIN)/python manage.py seed_demo

run: setup
	@echo "Dune : http://$(HOST):$(PORT)/  (Ctrl-C pour arrêter)"
	@echo "Connexion OpenID Connect : 'make oidc-demo' dans un autre terminal démarre un fournisseur"
	@echo "  de test et affiche les variables (OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET) à donner à make run."
	$(RUN_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The whole suite but the browser journeys (make e2e). pytest exits 5 when no test
# ran, which make treats as the failure it is.
test: $(VENV)/.installed-test
	$(BIN)/pytest -m "not e2e" $(PYTEST_ARGS)

# Debian's chromium (the browser Playwright drives), installed when missing.
chromium:
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian's chromium…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

e2e: $(VENV)/.installed-test chromium
	$(BIN)/pytest -m e2e tests/e2e $(PYTEST_ARGS)

# Enrolment, then reads of a 1,000,000-row hours ledger, under load: the real app under
# gunicorn on a scratch PostgreSQL database (DATABASE_URL, default
# postgres://postgres@127.0.0.1:5432/dune_bench, dune_bench_hours for the second; created,
# then dropped). Prints requests/s, latencies and the ratio to /healthz
# (bench/enrolment.py, bench/hours.py). Then the audit reports at scale (bench/audit.py,
# dune_bench_audit): an académie's hours by school against hand-written SQL, and the
# national export's peak memory (AUDIT_ARGS=--skip-national for the académie only).
# Then a 100,000-line staff import against PostgreSQL's COPY of the same rows
# (bench/imports.py, dune_bench_imports): lines/s, ratio to COPY, peak memory.
bench: $(VENV)/.installed-test
	$(BIN)/python bench/enrolment.py $(BENCH_ARGS) && $(BIN)/python bench/hours.py \
	  && $(BIN)/python bench/audit.py $(AUDIT_ARGS) && $(BIN)/python bench/imports.py

# The English catalogue: extract the texts again, then compile it (edit locale/en in
# between; tests/test_translations.py fails on a text left without English).
messages: $(VENV)/.installed
	$(RUN_ENV) $(BIN)/python manage.py makemessages -l en --no-obsolete \
	  --ignore "tests/*" --ignore "bench/*" --ignore "var/*"
	$(RUN_ENV) $(BIN)/python manage.py compilemessages -l en --ignore ".venv" --ignore "tests"

# ruff, then the house plan: layers per app, training never importing referents, no
# import cycle (contracts in pyproject.toml, [tool.importlinter]).
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var
