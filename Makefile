# Routine jobs. Each is one line so it can be copied into a shell as it is.
.PHONY: install test fast lint format typecheck cov demo bench ci

install:            ## install gongkai with its test extras, editable
	pip install -e '.[test]'

test:               ## the whole F-tier suite, as CI runs it
	pytest

fast:               ## the fast loop: everything but browser, kill and slow tests (< 60 s)
	pytest -n 2 -m "not browser and not kill and not slow" -q

lint:               ## ruff lint and format check
	ruff check . && ruff format --check .

format:             ## apply ruff's fixes and formatting
	ruff check --fix . && ruff format .

typecheck:          ## mypy over archive, crawler, index, web, gongkai
	mypy

cov:                ## tests with the coverage report, weakest modules first
	pytest --cov --cov-report=term

demo:               ## crawl, index and serve the built-in demo site
	gongkai demo

bench:              ## the search benchmark against the stock jieba+Whoosh setup
	python bench/search_bench.py

ci:                 ## what .ci/run does after installing
	$(MAKE) lint typecheck && pytest --cov --cov-fail-under=$$(cat .ci/coverage-floor)
