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

.PHONY: bench-load
bench-load:  ## load benchmark: 10, 25, 50 concurrent candidates; figures into docs/performance.md
	.venv/bin/python bench/bench_load.py --write docs/performance.md
