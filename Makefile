# 城乡社区网格化治理: run the product, run the tests, bring the real stack up or down.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Debian packages: as root directly, otherwise through sudo.
APT := $(if $(filter 0,$(shell id -u)),,sudo) env DEBIAN_FRONTEND=noninteractive apt-get
# rabbitmq-server and rabbitmqctl live in /usr/sbin, which a user's PATH may lack.
export PATH := $(PATH):/usr/sbin

.PHONY: run test test-unit test-integration test-faults test-e2e bench up down lint deps system-deps broker clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c "import ensurepip" 2>/dev/null || { echo "Debian's Python makes virtualenvs with python3-venv: installing it"; \
	  $(APT) update -qq && $(APT) install -y -qq python3-venv >/dev/null; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

deps: $(STAMP)

# make bench's extra: pika, the plain AMQP client the bus benchmark publishes with.
BENCH_STAMP := $(VENV)/.installed-bench
$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e ".[test,bench]"
	touch $(BENCH_STAMP)

## make run: the embedded default (nothing to install but Python packages, demo data), http://127.0.0.1:8000
## Data, secrets and log stay in .run/ (GRID_RUN_DIR) across runs. The recipe is one plain command, which make
## runs without a shell: a SIGTERM to make reaches the launcher, and Ctrl+C stops every process it started.
run: $(STAMP)
	$(PY) -m localrun

## What the tests need from the machine: Debian's chromium, promtool and RabbitMQ, and RabbitMQ running.
system-deps:
	@command -v chromium >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 && \
	  command -v rabbitmq-server >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q . || \
	  { echo "installing chromium, a Chinese font (screenshots), prometheus (promtool) and rabbitmq-server from Debian"; \
	    $(APT) update -qq && $(APT) install -y -qq chromium fonts-wqy-microhei prometheus rabbitmq-server >/dev/null; }

broker:
	@command -v rabbitmq-server >/dev/null 2>&1 || { echo "installing rabbitmq-server from Debian"; \
	  $(APT) update -qq && $(APT) install -y -qq rabbitmq-server >/dev/null; }
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

## make bench: benchmarks that print figures and write docs/benchmarks.md (not run by make test);
## make bench PART=bus (list, pages, bus, import, rollcall, scale) runs one part and rewrites only its section.
bench: $(BENCH_STAMP) broker
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(PY) -m tests.bench.run $(if $(PART),--only $(PART))

up:
	docker compose up -d --build

down:
	docker compose down

lint: $(STAMP)
	$(PY) -m ruff check shared services gateway localrun tests

## make catalog: the zh_CN catalog in step with the code (gateway/babel.cfg): extract the message ids to
## messages.pot, merge them into messages.po (new ones arrive untranslated: translate them), compile messages.mo.
## Commit all three: make run, the images and CI use the committed messages.mo.
.PHONY: catalog
catalog: $(STAMP)
	$(VENV)/bin/pybabel extract -F gateway/babel.cfg --no-location --sort-output --project=grid-governance \
	  -o gateway/translations/messages.pot .
	$(VENV)/bin/pybabel update -i gateway/translations/messages.pot -d gateway/translations -l zh_Hans_CN -N
	$(VENV)/bin/pybabel compile -d gateway/translations -l zh_Hans_CN --statistics

## make clean: start over: make run's data, secrets and log (.run/, or GRID_RUN_DIR) are deleted
clean:
	@! $(PYTHON) -c "import socket; socket.create_connection(('127.0.0.1', $${EMBEDDED_MONGO_PORT:-27117}), 1)" \
	  2>/dev/null || { echo "make run is running: stop it (Ctrl+C) first"; exit 1; }
	rm -rf "$${GRID_RUN_DIR:-.run}" .pytest_cache

## make backup: dump every service's database (MONGO_URL, else make run's store) to backups/<UTC timestamp>/
## (GZIP=1 compresses); make restore FROM=backups/<timestamp> into an empty server (DROP=1 replaces, FORCE=1 adds)
.PHONY: backup restore
backup: $(STAMP)
	$(PY) -m shared.backup dump $(if $(GZIP),--gzip)

restore: $(STAMP)
	@test -n "$(FROM)" || { echo "usage: make restore FROM=backups/<timestamp> [DROP=1 | FORCE=1]"; exit 2; }
	$(PY) -m shared.backup restore "$(FROM)" $(if $(DROP),--drop) $(if $(FORCE),--force)
