# The README's two commands are `make run` and `make test`.
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup setup-system run serve bench demo test test-fast lint format typecheck check-migrations ci screenshots

setup:
	scripts/setup

setup-system:
	scripts/setup --system

demo: setup
	mkdir -p var
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py loaddemo

run: demo
	@echo "Portal: http://$(HOST):$(PORT)/  (English: /en/, admin: /admin/ as demo-admin / demo-admin-password)"
	$(PY) scripts/run_with_worker.py -- $(PY) manage.py runserver $(HOST):$(PORT)

# The production server (gunicorn.conf.py) on $(HOST):$(PORT), configured by the environment
# alone: production sets DEBUG=false SECRET_KEY=... ALLOWED_HOSTS=... and the rest of
# .env.example. Without any environment it serves a fresh checkout with the embedded defaults
# (DEBUG on, SQLite under var/, the demo DNS zone). The demo service is loaded only while the
# DNS answers come from the demo zone and no service exists yet; never the demo admin account.
# scripts/run_with_worker.py runs the task worker for batch checks beside gunicorn, passes every
# signal on to gunicorn and stops the worker when gunicorn stops.
serve: setup
	mkdir -p var
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py collectstatic --noinput -v 0
	@case "$${MAILCHECK_DNS:-zone:mailcheck/demo/demo.zone}" in \
	  zone:mailcheck/demo/demo.zone) $(PY) manage.py loaddemo --no-admin ;; \
	esac
	@echo "Portal: http://$(HOST):$(PORT)/  (gunicorn, gunicorn.conf.py)"
	HOST=$(HOST) PORT=$(PORT) exec $(PY) scripts/run_with_worker.py --no-reload -- .venv/bin/gunicorn -c gunicorn.conf.py

# The serving benchmark (gunicorn as `make serve` runs it, loaded by wrk; needs Redis on
# 127.0.0.1:6379 or BENCH_REDIS_URL) and the core benchmark, then a 10,000-row batch through the
# task worker (benchmarks/bench_batch.py); both write docs/performance.md.
bench: setup-system
	$(PY) benchmarks/bench_serve.py --write docs/performance.md
	$(PY) benchmarks/bench_batch.py --write docs/performance.md

test: setup-system
	$(PY) -m pytest

test-fast: setup
	$(PY) -m pytest -m "not browser"

lint:
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format:
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

typecheck:
	$(PY) -m mypy .

check-migrations:
	$(PY) manage.py makemigrations --check --dry-run

ci:
	bash .ci/run
