.PHONY: up down test lint check

up:  ## bring the service up with demo data
	scripts/up

down:  ## stop what `make up` started
	scripts/down

test:  ## the whole test suite, on PostgreSQL and Redis
	scripts/test

lint:  ## ruff and mypy
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy
