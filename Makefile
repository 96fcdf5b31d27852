# Neural Networks from First Principles — two commands: `make lab` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
LAB_ARGS ?=
CELL_TIMEOUT ?= 300
CHROMIUM ?= $(shell command -v chromium 2>/dev/null)
NPM ?= $(shell command -v npm 2>/dev/null)
BROWSER_STAMP := $(VENV)/.browser-stamp
NPM_STAMP := book/node_modules/.installed-stamp
# One BLAS thread: steadier and usually faster for the course's small matrices (benchmarks/ measure both).
OPENBLAS_NUM_THREADS ?= 1
export OPENBLAS_NUM_THREADS

.PHONY: lab test train student setup data lint clean browser-test book

lab: data  ## set up, fetch MNIST once, and open the course in JupyterLab
	$(BIN)/jupyter lab $(ROOT_FLAG) --ServerApp.root_dir="$(CURDIR)" $(LAB_ARGS) notebooks/00_start_here.ipynb

test: data lint  ## set up, then ruff, the unit tests and every notebook under nbval
	$(BIN)/python -m pytest tests --nbval-lax --nbval-cell-timeout=$(CELL_TIMEOUT) notebooks
	$(if $(and $(CHROMIUM),$(NPM)),$(MAKE) --no-print-directory browser-test book,\
		@echo "Browser test and site skipped: they need chromium and npm (apt-get install chromium npm).")

train: data  ## train the best MLP from the terminal; e.g. make train ARGS="--epochs 5 --seed 1"
	$(BIN)/python -m course_lib.course.train_mnist $(ARGS)

student: setup  ## write the student edition (solutions replaced by placeholders) into student/
	$(BIN)/python -m course_lib.course.student --out student

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else \
		"Python >= 3.10 is needed, found " + sys.version.split()[0] + ": run make PYTHON=python3.12 ...")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --editable '.[dev]'
	touch $(STAMP)

data: setup  ## download and verify MNIST into ~/.cache/course_lib (once)
	$(BIN)/python -m course_lib.data fetch

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) build student runs

browser-test: data $(BROWSER_STAMP)  ## every notebook run in JupyterLab in headless Chromium; build/screenshots/
	CHROMIUM="$(CHROMIUM)" $(BIN)/python tools/browser_test.py

book: data $(BROWSER_STAMP) $(NPM_STAMP)  ## the executed course as an offline static site in build/site/
	$(BIN)/python tools/build_book.py
	$(if $(CHROMIUM),CHROMIUM="$(CHROMIUM)" $(BIN)/python tools/browser_test.py --site)

$(BROWSER_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --editable '.[dev,browser]'
	touch $@

$(NPM_STAMP): book/package.json book/package-lock.json
	cd book && npm ci --no-audit --no-fund
	touch $@
