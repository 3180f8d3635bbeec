# clipq_edu: one entry point for learners, instructors and maintainers.
#   make lab        create .venv (first time only), install the pinned stack, open the course
#                   (make lab LANG=zh opens the Chinese edition, 中文版; IP=0.0.0.0 in a container)
#                   without make (Windows): python -m clipq_edu lab, python -m clipq_edu doctor
#   make test       the whole test suite: unit tests, notebooks (nbval), browser, Binder replay
#   make notebooks  re-execute every notebook and store its outputs (after editing one)
#   make zh         regenerate the Chinese edition (notebooks/zh) from translations/zh
#   make bench      measure speed and memory into benchmarks/results.json and RESULTS.md
#   make book       build the static course site into _build/site
#   make student    write a copy of the notebooks without solutions into _build/student
#   make collect    grade submitted notebooks into a gradebook (SUBMISSIONS=folder GRADES=file.csv,
#                   COLLECT_ARGS="--jobs 2 --points grading/points.toml --manual grading/manual.csv")
#   make answer-key the instructors' answer key into _build/answer_key.md (never published)
#   make wheelhouse download every pinned wheel into wheelhouse/ once; make lab then needs no network
#   make lock       regenerate requirements.txt and binder/requirements.txt from requirements.in
#   make lock-check re-resolve against the live package index; say what would change (maintainers)
#   make lint       ruff (library, tests, tools, benchmarks, notebooks)
#   make test-lite  the TFQ-free route for real: a CPython 3.13 venv from requirements-lite.txt runs
#                   every chapter (both editions); figures into benchmarks/results_lite.json
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8888
# First Python 3.11.5-3.13 found on PATH, 3.11 and 3.12 first (TensorFlow Quantum has wheels for
# 3.10-3.12 only; the pinned stacks need 3.11.5 or newer; TensorFlow 2.21 goes up to 3.13).
PYTHON ?= $(shell for p in python3.11 python3.12 python3.13 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(not (3,11,5) <= sys.version_info[:3] < (3,14))' 2>/dev/null && { echo $$p; break; }; done)
PIP_FLAGS ?= --disable-pip-version-check --no-input
# The lock for this platform and Python, from clipq_edu/_preflight.py (standard library only):
# requirements.txt (TensorFlow Quantum: Linux x86_64, Python 3.11/3.12) or requirements-lite.txt
# (the library's own simulator: macOS arm64, Windows, Linux, up to 3.13).
REQUIREMENTS ?= $(or $(shell $(or $(wildcard $(PY)),$(PYTHON),python3) clipq_edu/_preflight.py --requirements 2>/dev/null),requirements.txt)
# Address make lab listens on: 127.0.0.1 (this machine only); 0.0.0.0 inside a container.
IP ?= 127.0.0.1
# A folder of wheels (make wheelhouse). When it holds wheels, the install step uses it and no
# network; point several clones at one copy with WHEELHOUSE=/shared/drive/wheelhouse.
WHEELHOUSE ?= wheelhouse
# Extra pip download options, e.g. --platform manylinux2014_x86_64 --python-version 3.11
WHEELHOUSE_FLAGS ?=
SUBMISSIONS ?= submissions
GRADES ?= _build/grades.csv

.PHONY: help lab test test-fast test-lite notebooks zh bench book student collect answer-key wheelhouse lock lock-check lint doctor browser-deps clean

help:
	@awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' Makefile

# The runtime install (make lab's install step): from $(WHEELHOUSE) with no network when it
# holds wheels, else from the package index.
$(VENV)/.runtime-installed: $(REQUIREMENTS) pyproject.toml
	@if [ ! -x $(PY) ] && [ -z "$(PYTHON)" ]; then echo "error: need Python 3.11.5-3.13 on PATH (3.12 is a good choice; the pinned stacks need 3.11.5+, TensorFlow has no wheels beyond 3.13). README.md, 'Which way should I run this?'" >&2; python3 clipq_edu/_preflight.py >&2 || true; exit 1; fi
	@$(if $(wildcard $(PY)),$(PY),$(PYTHON)) clipq_edu/_preflight.py || { echo "error: no local route on this machine (above: what to do instead); nothing was downloaded" >&2; exit 1; }
	@[ -x $(PY) ] || { echo "creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	@if ls $(WHEELHOUSE)/*.whl >/dev/null 2>&1; then \
		echo "installing from $(WHEELHOUSE) (no network: --no-index)"; set -ex; \
		$(PY) -m pip install $(PIP_FLAGS) --no-index --find-links $(WHEELHOUSE) -r $(REQUIREMENTS); \
		$(PY) -m pip install $(PIP_FLAGS) --no-index --find-links $(WHEELHOUSE) --no-deps -e .; \
	else \
		set -ex; \
		$(PY) -m pip install $(PIP_FLAGS) -q --upgrade pip; \
		$(PY) -m pip install $(PIP_FLAGS) -r $(REQUIREMENTS); \
		$(PY) -m pip install $(PIP_FLAGS) --no-deps -e .; \
	fi
	@touch $@

# Every pinned wheel, plus the build tools `pip install -e .` needs, into $(WHEELHOUSE) (once;
# again after `make lock` changes a pin: pip only fetches what is missing).
wheelhouse:
	@if [ -z "$(PYTHON)" ] && [ ! -x $(PY) ]; then echo "error: need Python 3.11 (3.11.5 or newer) or 3.12 on PATH" >&2; exit 1; fi
	@mkdir -p $(WHEELHOUSE)
	$(if $(wildcard $(PY)),$(PY),$(PYTHON)) -m pip download $(PIP_FLAGS) --only-binary=:all: \
		$(WHEELHOUSE_FLAGS) -d $(WHEELHOUSE) -r $(REQUIREMENTS) "setuptools>=68" wheel
	@echo "$$(ls $(WHEELHOUSE)/*.whl | wc -l) wheels, $$(du -sh $(WHEELHOUSE) | cut -f1), in $(WHEELHOUSE): make lab installs from there with no network"

$(VENV)/.test-installed: $(VENV)/.runtime-installed requirements-test.txt
	$(PY) -m pip install $(PIP_FLAGS) -r requirements-test.txt
	@touch $@

# PORT=8889 for another port, NO_BROWSER=1 on a machine without a browser (copy the printed URL).
# make lab LANG=zh (or EDITION=zh) opens the Chinese edition, notebooks/zh/; a zh_* locale in
# LANG does too, and EDITION=en overrides it. A bare LANG=zh is no locale: the server gets C.UTF-8.
EDITION ?= $(if $(filter zh%,$(LANG)),zh,en)
lab: $(VENV)/.runtime-installed
	@PORT=$(PORT) EDITION=$(EDITION) $(if $(filter zh,$(LANG)),LANG=C.UTF-8) tools/start_lab.sh $(PY) --ip $(IP)

doctor: $(VENV)/.runtime-installed
	$(PY) -m clipq_edu doctor

# Debian's Chromium and a Chinese font (the zh edition's browser test draws its headings; a
# machine without a CJK font shows boxes), each installed when missing and we are root.
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "installing Debian's chromium for the browser tests"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else echo "note: chromium is missing and cannot be installed here (not root); browser tests will say so"; fi; \
	fi
	@if ! fc-list :lang=zh 2>/dev/null | grep -q .; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "installing Debian's fonts-noto-cjk (the Chinese edition's browser test)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null; \
		else echo "note: no Chinese font and not root: the zh browser test skips its glyph check"; fi; \
	fi

# The wheels of the tests that install packages (Binder replay, offline install), fetched here in
# the install step (tools/test_wheels.py) so that no test reads the package index: the suite
# gives the same verdict online and offline, today and on any later day.
# (order-only on the venv: reinstalling the venv must not fetch the wheels again, only a change
# of the pins or of the list does)
$(VENV)/.test-wheels: $(REQUIREMENTS) requirements-test.txt tools/test_wheels.py | $(VENV)/.test-installed
	$(PY) tools/test_wheels.py $(WHEELHOUSE)
	@touch $@

# Exit code 5 means pytest collected nothing: a broken set-up, never a pass.
test: $(VENV)/.test-installed $(VENV)/.test-wheels browser-deps
	@CLIPQ_TEST_WHEELS="$(abspath $(WHEELHOUSE))" $(PY) -m pytest -p no:cacheprovider $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "error: pytest collected no tests" >&2; exit 1; fi; exit $$rc

# The TFQ-free route in a real environment (what macOS, Windows and Python 3.13 get): CPython 3.13
# (python3.13 on PATH, or the newest pyenv 3.13; PYTHON_LITE=... to choose), requirements-lite.txt,
# every chapter of both editions run top to bottom (tools/run_chapters.py).
PYTHON_LITE ?= $(shell for p in python3.13 "$$(pyenv prefix $$(pyenv versions --bare 2>/dev/null | grep -E '^3\.13(\.[0-9]+)?$$' | tail -1) 2>/dev/null)/bin/python3.13"; do \
	"$$p" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' 2>/dev/null && { command -v "$$p"; break; }; done)
VENV_LITE ?= .venv-lite
$(VENV_LITE)/.installed: requirements-lite.txt pyproject.toml
	@[ -n "$(PYTHON_LITE)" ] || { echo "error: make test-lite needs CPython 3.13 (python3.13 on PATH or in pyenv, or PYTHON_LITE=/path/to/python3.13)" >&2; exit 1; }
	@[ -x $(VENV_LITE)/bin/python ] || { echo "creating $(VENV_LITE) with $(PYTHON_LITE)"; $(PYTHON_LITE) -m venv $(VENV_LITE); }
	$(VENV_LITE)/bin/python -m pip install $(PIP_FLAGS) -q -r requirements-lite.txt
	$(VENV_LITE)/bin/python -m pip install $(PIP_FLAGS) -q --no-deps -e .
	@touch $@

test-lite: $(VENV_LITE)/.installed
	$(VENV_LITE)/bin/python tools/run_chapters.py --json benchmarks/results_lite.json

test-fast: $(VENV)/.test-installed
	$(PY) -m pytest -p no:cacheprovider -m "not slow" tests

# NB=02 runs only matching notebooks; the Chinese edition is regenerated and re-run after them.
notebooks: $(VENV)/.runtime-installed
	$(PY) tools/run_notebooks.py $(NB)
	$(PY) tools/zh.py build --execute $(NB)

# The Chinese edition: notebooks/zh/*.ipynb from the English notebooks and translations/zh/*.md
# (tools/zh.py status lists entries to translate; runs the notebooks whose code changed).
zh: $(VENV)/.runtime-installed
	$(PY) tools/zh.py build

bench: $(VENV)/.test-installed
	$(PY) -m benchmarks $(BENCH_ARGS)

book: $(VENV)/.runtime-installed
	$(PY) tools/build_site.py

student: $(VENV)/.runtime-installed
	$(PY) tools/make_student_copy.py

collect: $(VENV)/.runtime-installed
	$(PY) tools/collect.py $(SUBMISSIONS) --out $(GRADES) $(COLLECT_ARGS)

answer-key: $(VENV)/.runtime-installed
	$(PY) tools/answer_key.py

lock: $(VENV)/.test-installed
	$(PY) tools/lock.py

# Maintainers, when moving the stack: does a fresh resolve today still give the committed pins?
# Reads the live package index, so it is not part of make test (docs/maintainers.md).
lock-check: $(VENV)/.test-installed
	$(PY) tools/lock.py --check

lint: $(VENV)/.test-installed
	$(PY) -m ruff check clipq_edu tests tools benchmarks notebooks

clean:
	rm -rf _build test-artifacts .pytest_cache
