# 城乡社区网格化治理: run the product, run the tests, bring the real stack up or down.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-unit test-integration test-faults test-e2e bench up down lint deps system-deps broker clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

deps: $(STAMP)

## make run: the embedded default (no servers to install, demo data), gateway on http://127.0.0.1:8000
run: $(STAMP)
	$(PY) -m shared.embedded

## What the tests need from the machine: Debian's chromium and promtool, and a running RabbitMQ.
system-deps:
	@command -v chromium >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 || \
	  { echo "installing chromium and prometheus (promtool) from Debian"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium prometheus >/dev/null; }

broker:
	@$(PY) -c "import socket; socket.create_connection(('127.0.0.1', 5672), 2)" 2>/dev/null || \
	  { echo "starting RabbitMQ"; rabbitmq-server -detached; \
	    for i in $$(seq 1 60); do $(PY) -c "import socket; socket.create_connection(('127.0.0.1', 5672), 2)" 2>/dev/null && break; sleep 1; done; }
	@rabbitmqctl await_startup >/dev/null 2>&1 || true

## make test: install what the tests need, start what must run, run every suite
test: $(STAMP) system-deps broker
	$(PY) -m pytest -q

test-unit: $(STAMP)
	$(PY) -m pytest -q -m "unit"

test-integration: $(STAMP) broker
	$(PY) -m pytest -q -m "integration"

test-faults: $(STAMP) broker
	$(PY) -m pytest -q -s -m "faults"

test-e2e: $(STAMP) system-deps broker
	$(PY) -m pytest -q -m "e2e"

## make bench: benchmarks that print figures and write docs/benchmarks.md (not run by make test)
bench: $(STAMP) broker
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(PY) -m tests.bench.run

up:
	docker compose up -d --build

down:
	docker compose down

lint: $(STAMP)
	$(PY) -m ruff check shared services gateway tests

clean:
	rm -rf .run .pytest_cache

## make backup: dump every service's database (MONGO_URL, else make run's store) to backups/<UTC timestamp>/
## (GZIP=1 compresses); make restore FROM=backups/<timestamp> into an empty server (DROP=1 replaces, FORCE=1 adds)
.PHONY: backup restore
backup: $(STAMP)
	$(PY) -m shared.backup dump $(if $(GZIP),--gzip)

restore: $(STAMP)
	@test -n "$(FROM)" || { echo "usage: make restore FROM=backups/<timestamp> [DROP=1 | FORCE=1]"; exit 2; }
	$(PY) -m shared.backup restore "$(FROM)" $(if $(DROP),--drop) $(if $(FORCE),--force)
