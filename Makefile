# Neural Networks from First Principles — two commands: `make lab` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
LAB_ARGS ?=
CELL_TIMEOUT ?= 900
CHROMIUM ?= $(shell command -v chromium 2>/dev/null)
NPM ?= $(shell command -v npm 2>/dev/null)
BROWSER_STAMP := $(VENV)/.browser-stamp
NPM_STAMP := book/node_modules/.installed-stamp
# The oldest supported versions (constraints/oldest.txt pins every floor pyproject.toml declares).
VENV_OLDEST := .venv-oldest
OLDEST_STAMP := $(VENV_OLDEST)/.installed-stamp
# nbgrader lives in a venv of its own (its pins must not move the course's): `make test-teacher`.
VENV_TEACHER := .venv-teacher
TEACHER_STAMP := $(VENV_TEACHER)/.installed-stamp
# One pytest run for the unit tests and every notebook; the notebooks are marked `notebooks` (tests/conftest.py).
# pytest-xdist runs JOBS files at once (one per core; each notebook's cells stay together in one kernel).
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
PYTEST_ALL = -m pytest -n $(JOBS) --dist loadfile tests --nbval-lax --nbval-cell-timeout=$(CELL_TIMEOUT) notebooks
FAST_TIER := not slow and not network and not notebooks and not browser
CHECK_PYTHON := 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else \
	"Python >= 3.10 is needed, found " + sys.version.split()[0] + ": run make PYTHON=python3.12 ...")'
# Under CI (CI=true) a missing Chromium or npm fails `make test`; elsewhere the browser part is skipped.
ON_CI := $(filter true True TRUE 1 yes,$(CI))
# One BLAS thread: steadier and usually faster for the course's small matrices (benchmarks/ measure both).
OPENBLAS_NUM_THREADS ?= 1
export OPENBLAS_NUM_THREADS

.PHONY: lab test test-fast test-oldest test-teacher test-threads train train-cnn train-lm student setup data lint clean browser-test book

lab: data  ## set up, fetch MNIST once, and open the course in JupyterLab
	$(BIN)/jupyter lab $(ROOT_FLAG) --ServerApp.root_dir="$(CURDIR)" $(LAB_ARGS) notebooks/00_start_here.ipynb

test: data lint  ## set up, then ruff, the unit tests and every notebook under nbval, then the browser part
	$(BIN)/python $(PYTEST_ALL)
ifneq ($(and $(CHROMIUM),$(NPM)),)
	$(MAKE) --no-print-directory browser-test book
else ifneq ($(ON_CI),)
	@echo "CI=$(CI): the browser test and the site must run in CI, but this is missing:$(if $(CHROMIUM),, chromium)$(if \
		$(NPM),, npm). Install it (apt-get install chromium npm; .ci/run does) and run make test again." >&2
	@exit 1
else
	@echo "Browser test and site skipped: they need chromium and npm (apt-get install chromium npm)."
endif

test-fast: data lint  ## while editing: ruff and the unit tests that are quick and offline (no notebooks), < 30 s
	$(BIN)/python -m pytest tests -q -m "$(FAST_TIER)"

test-oldest: $(OLDEST_STAMP)  ## ruff, the unit tests and every notebook with the oldest supported versions
	$(VENV_OLDEST)/bin/python -m course_lib.data fetch
	$(VENV_OLDEST)/bin/ruff check .
	$(VENV_OLDEST)/bin/python $(PYTEST_ALL)

test-teacher: data $(TEACHER_STAMP)  ## nbgrader round trip: generate two assignments, autograde three submissions
	$(VENV_TEACHER)/bin/python tools/nbgrader_roundtrip.py

test-threads: data  ## the nbval pass with two BLAS threads (for machines without Chromium)
	OPENBLAS_NUM_THREADS=2 $(BIN)/python -m pytest tests -m notebooks --nbval-lax \
		--nbval-cell-timeout=$(CELL_TIMEOUT) notebooks

train: data  ## train notebook 07's final recipe; e.g. make train ARGS="--seed 1" or ARGS="--recipe fast"
	$(BIN)/python -m course_lib.course.train_mnist $(ARGS)

train-cnn: data  ## train notebook 09's CNN on all 60,000 images past 99%; e.g. make train-cnn ARGS="--seed 1"
	$(BIN)/python -m course_lib.course.train_cnn $(ARGS)

train-lm: setup  ## train notebook 10's language model on the surnames (seeds 0, 1, 2); e.g. make train-lm ARGS="--epochs 10"
	$(BIN)/python -m course_lib.course.train_lm $(ARGS)

student: setup  ## write the student edition (solutions replaced by placeholders) into student/
	$(BIN)/python -m course_lib.course.student --out student

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c $(CHECK_PYTHON)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --editable '.[dev]'
	touch $(STAMP)

$(OLDEST_STAMP): pyproject.toml constraints/oldest.txt
	@$(PYTHON) -c $(CHECK_PYTHON)
	test -x $(VENV_OLDEST)/bin/python || $(PYTHON) -m venv $(VENV_OLDEST)
	$(VENV_OLDEST)/bin/python -m pip install --quiet --editable '.[dev]' --constraint constraints/oldest.txt
	touch $@

$(TEACHER_STAMP): pyproject.toml
	@$(PYTHON) -c $(CHECK_PYTHON)
	test -x $(VENV_TEACHER)/bin/python || $(PYTHON) -m venv $(VENV_TEACHER)
	$(VENV_TEACHER)/bin/python -m pip install --quiet --editable '.[teacher]'
	touch $@

data: setup  ## download and verify MNIST into ~/.cache/course_lib (once)
	$(BIN)/python -m course_lib.data fetch

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) $(VENV_OLDEST) $(VENV_TEACHER) build student runs

# The browser test runs every notebook with two BLAS threads: with the nbval pass (one thread) before it,
# `make test` executes every notebook both ways, and an assert that holds for one thread count only fails.
# (Notebook 07 sets one BLAS thread per network itself and trains its networks side by side.)
browser-test: data $(BROWSER_STAMP)  ## every notebook run in JupyterLab in headless Chromium, 2 BLAS threads
	OPENBLAS_NUM_THREADS=2 CHROMIUM="$(CHROMIUM)" $(BIN)/python tools/browser_test.py

book: data $(BROWSER_STAMP) $(NPM_STAMP)  ## the executed course as an offline static site in build/site/
	$(BIN)/python tools/build_book.py
	$(if $(CHROMIUM),CHROMIUM="$(CHROMIUM)" $(BIN)/python tools/browser_test.py --site)

$(BROWSER_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --editable '.[dev,browser]'
	touch $@

$(NPM_STAMP): book/package.json book/package-lock.json
	cd book && npm ci --no-audit --no-fund
	touch $@
