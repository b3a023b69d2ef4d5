# The README's two commands are `make run` and `make test`.
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup setup-system run demo test test-fast lint format typecheck check-migrations ci screenshots

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
	$(PY) manage.py runserver $(HOST):$(PORT)

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
