# The two commands of README.md. Both set up what is missing (a .venv from the lock file with hashes, Debian
# packages that `dpkg -s` says are missing), so they work on a fresh Debian machine with Python 3.11.
#
#   make run    the portal on http://localhost:$(PORT) with a worker and beat, SQLite under var/, demo data
#   make test   the whole suite (browser tests included) on PostgreSQL: $$DATABASE_URL, or one it starts

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PORT ?= 8000
# Extra pytest arguments, e.g. make test PYTEST_ARGS="-k healthz -x"
PYTEST_ARGS ?=
RUN_DEBS := gettext fonts-wqy-microhei libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0
TEST_DEBS := chromium fonts-wqy-microhei libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 poppler-utils gettext
LIB := . .ci/lib.sh

.PHONY: help run test

help:
	@echo "make run    set up and run the portal on http://localhost:$(PORT) (demo data, worker, beat)"
	@echo "make test   run the whole test suite on PostgreSQL"

run:
	@$(LIB); ensure_venv requirements.lock; ensure_debs $(RUN_DEBS); compile_messages
	@exec .venv/bin/python manage.py serve --port $(PORT)

test:
	@$(LIB); ensure_venv requirements-test.lock; ensure_debs $(TEST_DEBS); compile_messages; \
	ensure_database_url; ensure_broker_url; \
	say "Tests on PostgreSQL at $${DATABASE_URL##*@}, real-worker tests on $$CELERY_BROKER_URL"; \
	exec .venv/bin/python -m pytest --create-db -ra $(PYTEST_ARGS)
