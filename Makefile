# The two commands: `make run` and `make test`. Everything else is a helper of theirs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: install run serve worker test bench lint format clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Migrate, load the demo, then serve the site and a Celery worker (beat embedded) as one
# service (bin/run_site.py): SITE_URL follows HOST and PORT unless set; one Ctrl-C, or a
# SIGTERM, stops both and everything they started. Started without -Q, the worker reads
# every queue: the housekeeping one and the emails' and webhooks' (README, "Running at
# scale", for workers per queue).
run: install
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py seed_demo
	@echo "Admin: make a user with: $(PY) manage.py createsuperuser"
	@$(PY) bin/run_site.py --host $(HOST) --port $(PORT)

test: install
	$(PY) -m pytest

bench: install
	@set -e; for script in tests/benchmarks/bench_*.py; do \
		echo "== $$script"; $(PY) $$script; done

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf var/celery var/mail var/artifacts
