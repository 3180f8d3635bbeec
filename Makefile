# clipq_edu: one entry point for learners, instructors and maintainers.
#   make lab        create .venv (first time only), install the pinned stack, open the course
#   make test       the whole test suite: unit tests, notebooks (nbval), browser, Binder replay
#   make notebooks  re-execute every notebook and store its outputs (after editing one)
#   make bench      measure speed and memory into benchmarks/results.json and RESULTS.md
#   make book       build the static course site into _build/site
#   make student    write a copy of the notebooks without solutions into _build/student
#   make lint       ruff
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8888
# First Python 3.10-3.12 found on PATH (TensorFlow Quantum has wheels only for those).
PYTHON ?= $(shell for p in python3.11 python3.12 python3.10 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(not (3,10) <= sys.version_info[:2] <= (3,12))' 2>/dev/null && { echo $$p; break; }; done)
PIP_FLAGS ?= --disable-pip-version-check --no-input

.PHONY: help lab test test-fast notebooks bench book student lint doctor browser-deps clean

help:
	@sed -n '2,9p' Makefile | sed 's/^# \{0,1\}//'

$(VENV)/.runtime-installed: requirements.txt pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "error: need Python 3.10, 3.11 or 3.12 on PATH (TensorFlow Quantum has no wheels for others). On Mac, Windows or ARM use the Binder link in README.md." >&2; exit 1; fi
	@[ -x $(PY) ] || { echo "creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install $(PIP_FLAGS) -q --upgrade pip
	$(PY) -m pip install $(PIP_FLAGS) -r requirements.txt
	$(PY) -m pip install $(PIP_FLAGS) --no-deps -e .
	@touch $@

$(VENV)/.test-installed: $(VENV)/.runtime-installed requirements-test.txt
	$(PY) -m pip install $(PIP_FLAGS) -r requirements-test.txt
	@touch $@

# PORT=8889 for another port, NO_BROWSER=1 on a machine without a browser (copy the printed URL).
lab: $(VENV)/.runtime-installed
	@PORT=$(PORT) tools/start_lab.sh $(PY)

doctor: $(VENV)/.runtime-installed
	$(PY) -m clipq_edu doctor

# Debian's Chromium for the real-browser tests; installed when missing and we are root.
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "installing Debian's chromium for the browser tests"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else echo "note: chromium is missing and cannot be installed here (not root); browser tests will say so"; fi; \
	fi

# Exit code 5 means pytest collected nothing: a broken set-up, never a pass.
test: $(VENV)/.test-installed browser-deps
	@$(PY) -m pytest -p no:cacheprovider $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "error: pytest collected no tests" >&2; exit 1; fi; exit $$rc

test-fast: $(VENV)/.test-installed
	$(PY) -m pytest -p no:cacheprovider -m "not slow" tests

notebooks: $(VENV)/.test-installed
	$(PY) tools/run_notebooks.py $(NB)

bench: $(VENV)/.test-installed
	$(PY) -m benchmarks $(BENCH_ARGS)

book: $(VENV)/.runtime-installed
	$(PY) tools/build_site.py

student: $(VENV)/.test-installed
	$(PY) tools/make_student_copy.py

lint: $(VENV)/.test-installed
	$(PY) -m ruff check clipq_edu tests tools benchmarks

clean:
	rm -rf _build test-artifacts .pytest_cache
