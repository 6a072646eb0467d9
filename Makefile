# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast lint browser venv bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/xxgk demo

# CI (.ci/run) runs exactly this: lint, then the whole suite.
test: lint browser
	$(BIN)/python -m pytest -q

# The quick loop while working: everything but the end-to-end runs marked slow.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

# The report site's browser test (tests/integration/test_warehouse_demo_report.py) runs headless Chromium,
# a Debian package: installed here when missing and running as root (with a CJK font for the screenshot);
# otherwise that one test is skipped with the reason.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-microhei; } || \
	  echo "chromium is missing and cannot be installed here: the browser test will be skipped"

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python benchmarks/warehouse_bench.py
	$(BIN)/python benchmarks/nightly_bench.py

clean:
	rm -rf $(VENV) data/raw data/warehouse data/exports
