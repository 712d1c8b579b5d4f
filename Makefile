# The README's commands. `make run` serves the product on the embedded default
# (SQLite, Celery eager); `make test` runs every check against PostgreSQL.
PY := .venv/bin/python
export PYTEST_DISABLE_PLUGIN_AUTOLOAD := 1
export DJANGO_ALLOW_ASYNC_UNSAFE := true

.PHONY: setup run test lint format pytest bench run-prod clean

setup:
	scripts/bootstrap

run: export TECHNOLOGY_CONTROL_PLAN_REFERENCE ?= TCP-DEMO-2026-01
run: setup
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run -v1
	.venv/bin/lint-imports
	DATABASE_URL=sqlite:///$(CURDIR)/var/mypy.sqlite3 .venv/bin/mypy licensing

format: setup
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

# PYTEST_ARGS passes options through, e.g. make test PYTEST_ARGS="--reuse-db -k decision"
test: setup lint
	WITH_BROWSER=1 WITH_GATEWAY=1 scripts/bootstrap
	scripts/with-postgres $(PY) -m pytest $(PYTEST_ARGS)

pytest: setup
	scripts/with-postgres $(PY) -m pytest $(PYTEST_ARGS)

clean:
	rm -rf var/exportdesk.sqlite3 var/private tests/artifacts

# Production configuration on this machine (PostgreSQL and Redis must be running).
run-prod: setup
	scripts/run-prod

bench: setup
	WITH_BENCH=1 scripts/bootstrap
	scripts/with-postgres $(PY) bench/run.py
