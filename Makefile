# loyalty-sync: the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.requirements-installed

.PHONY: demo test test-quick bench check browser clean conformance plugin

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

# Debian's Chromium for the admin panel's browser tests (playwright cannot
# download its own browser here); PostgreSQL's server binaries for the
# PostgreSQL half of the suite; php-cli for the WordPress plugin's tests.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  echo "installing PostgreSQL server binaries"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }
	@{ command -v php >/dev/null 2>&1 && php -m | grep -qx mbstring; } || { \
	  echo "installing Debian php-cli for the WordPress plugin's tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq php-cli php-mbstring >/dev/null; }

## Run the product: a seeded simulator store, the admin panel and the sync worker, on SQLite.
demo: $(STAMP)
	$(PY) -m flask --app wsgi demo

## Run the whole test suite (SQLite and a real PostgreSQL, headless Chromium).
## pytest's exit code 5 ("no tests collected") is not a failure of the product.
test: $(STAMP) browser
	$(PY) -m pytest -q -p no:cacheprovider; rc=$$?; if [ $$rc -eq 5 ]; then rc=0; fi; exit $$rc

test-quick: $(STAMP)
	LOYALTY_TEST_BACKENDS=sqlite $(PY) -m pytest -q -x --ignore=tests/reliability

bench: $(STAMP)
	$(PY) -m bench

## Against a real WooCommerce store (WC_URL, WC_CONSUMER_KEY, WC_CONSUMER_SECRET): the product's
## end-to-end scenarios (on woosim, then LOYALTY_REAL_STORE=1 on the store) and the woosim/store
## differential, with both figures; without a store it says how to get one and exits 0.
## Not part of `make test` or CI. `$(PY) -m conformance --only e2e` runs the scenarios alone.
conformance: $(STAMP)
	$(PY) -m conformance

## The checks CI runs before the tests: lint, formatting, the direction of imports (ARCHITECTURE.md)
## and the types of the engine, the WooCommerce client and the books.
check: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) -m mypy

## The WordPress companion plugin as an installable zip (Plugins > Add New > Upload Plugin):
## $(DIST)/loyalty-sync.zip, one folder loyalty-sync/ inside, without the plugin's tests.
DIST ?= dist
plugin:
	@mkdir -p $(DIST)
	@rm -f $(DIST)/loyalty-sync.zip
	cd wordpress-plugin && $(PYTHON) -m zipfile -c $(abspath $(DIST))/loyalty-sync.zip loyalty-sync
	@echo "built $(DIST)/loyalty-sync.zip"

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
