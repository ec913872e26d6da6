# Stationmaster: the two commands a newcomer needs are `make run` and `make test`.
PORT ?= 8000
# Links in reminder emails point at the port the demo is served on, unless told otherwise.
SITE_URL ?= http://127.0.0.1:$(PORT)
PY := .venv/bin/python

.PHONY: run test bench lint fmt venv worker clean

venv:
	@scripts/bootstrap

run: venv
	$(PY) manage.py migrate --no-input
	SITE_URL=$(SITE_URL) $(PY) manage.py seed_demo
	@echo "Serving Stationmaster on http://127.0.0.1:$(PORT)/ (Ctrl-C to stop)"
	SITE_URL=$(SITE_URL) $(PY) manage.py runserver 127.0.0.1:$(PORT)

test:
	@scripts/test

# Issues 5 and 12's figures on throwaway PostgreSQL + Redis, gunicorn and a real worker
# (~12 min, BENCH_ARGS=--growth ~20; see bench/README.md). The servers are always the
# bench's own: DATABASE_URL is ignored.
bench:
	@scripts/system-packages
	@scripts/bootstrap
	@env -u DATABASE_URL -u REDIS_URL scripts/with-services $(PY) -m bench $(BENCH_ARGS)

lint: venv
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy
	.venv/bin/lint-imports

fmt: venv
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

worker: venv
	.venv/bin/celery -A portfolio worker -l info

clean:
	rm -rf .venv stationmaster.sqlite3 staticfiles test-results
