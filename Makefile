# The single entry point of the book. GNU make; everything runs in ./.venv (created on demand).
#
#   make help      this list (the default target)
#   make venv      create .venv with the pinned requirements and ./lib (the others do it on demand)
#   make vendor    copy the offline assets (MathJax, widgets) from node_modules into _vendor/
#   make book      build the HTML book into _build/html (strict: any warning fails)
#   make pdf       the book, then the whole book as one PDF: _build/html/downloads/landscape-book.pdf
#   make test      library tests, notebook lint, nbval, strict build, browser checks
#   make lab       JupyterLab on book/ with the .venv kernel (installs JupyterLab on first use)
#   make lab-env   install JupyterLab and jupyterlab-myst into .venv (make test does, for test_lab)
#   make execute   re-execute every notebook and store outputs + widget state
#                  (make execute NB=book/shallow/theorem2.ipynb for one notebook)
#   make nbval     nbval against the committed outputs (NB=... for some notebooks)
#   make nbval-perturbed   the same on an emulated other machine (LANDSCAPE_PERTURB=1)
#   make bench     run every bench/*.py
#   make clean     remove _build and _vendor
#
# Every step runs under timeout(1) (scripts/stage.sh), so a hung kernel cannot hang CI.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
STAGE  := scripts/stage.sh
NB     ?=
LAB_ARGS ?=             # e.g. make lab LAB_ARGS="--no-browser --port 8899"

# Time limits (timeout(1) durations). Generous: a normal run is far below them.
T_INSTALL ?= 20m
T_VENDOR  ?= 10m
T_BUILD   ?= 20m
T_LIBTEST ?= 20m
T_LINT    ?= 2m
T_NBVAL   ?= 30m
T_BROWSER ?= 15m
T_EXECUTE ?= 30m
T_BENCH   ?= 30m
T_LAB     ?= 24h

# Kernels and tools take the venv's Jupyter data (its python3 kernelspec) before any
# user-level or system-wide one. jupyter_client launches a kernelspec whose argv starts
# with "python" with the running interpreter, i.e. .venv/bin/python.
export JUPYTER_PREFER_ENV_PATH := 1
export JUPYTER_PATH := $(CURDIR)/$(VENV)/share/jupyter
export PYDEVD_DISABLE_FILE_VALIDATION := 1
# Deterministic outputs when testing and executing notebooks: fixed hash seed, one BLAS
# thread. (`make bench` keeps the caller's environment.)
test execute: export PYTHONHASHSEED := 0
test execute: export OMP_NUM_THREADS := 1
test execute: export OPENBLAS_NUM_THREADS := 1
test execute: export MKL_NUM_THREADS := 1

# Test processes (pytest-xdist): the library tests and nbval run on WORKERS processes;
# WORKERS=0 runs them in this process. nbval keeps one notebook per worker (--dist
# loadscope keeps a notebook's cells in one kernel, in order).
WORKERS ?= 2
XDIST = $(if $(filter 0,$(WORKERS)),,-n $(WORKERS))
NBVAL = $(PY) -m pytest --nbval --nbval-current-env --nbval-sanitize-with nbval_sanitize.cfg \
  -p no:cacheprovider -q $(if $(XDIST),$(XDIST) --dist loadscope)
# The perturbed mode (lib/landscape/_perturb.py): another machine emulated on this one.
PERTURBED = LANDSCAPE_PERTURB=1

NOTEBOOKS = $(shell find book -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' | sort)
LIB_TESTS = $(wildcard lib/tests/test_*.py)
BENCHES   = $(filter-out bench/_%,$(wildcard bench/*.py))

.PHONY: help venv .venv book pdf vendor test lab lab-env execute nbval nbval-perturbed bench clean

help:
	@awk '/^#   make /{p=1} p && /^#$$/{exit} p{sub(/^# ?/, ""); print}' $(firstword $(MAKEFILE_LIST))

# ---------------------------------------------------------------- environment
venv .venv: $(STAMP)

$(STAMP): requirements.txt lib/pyproject.toml
	@test -x $(PY) || $(STAGE) create-venv $(T_INSTALL) python3 -m venv $(VENV)
	@$(STAGE) install $(T_INSTALL) $(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	@$(STAGE) pip-check $(T_LINT) $(PY) -m pip check
	@touch $(STAMP)

# ---------------------------------------------------------------- the book
vendor:
	@$(STAGE) vendor $(T_VENDOR) bash scripts/vendor_assets.sh

# A full, clean build every time (no stale pages, no warning hidden by an incremental build).
# -W: warnings are errors, -n: nitpicky references, --keep-going: report all of them.
# The log is kept in _build/build.log; any line in it that looks like a warning (also one
# that does not go through Sphinx, e.g. a Python warning) fails the target.
book: venv vendor
	@rm -rf _build && mkdir -p _build
	@$(STAGE) build $(T_BUILD) $(VENV)/bin/jupyter-book build . -W -n --keep-going --all 2>&1 | tee _build/build.log
	@if grep -nE 'WARNING|Warning:|warnings? (emitted|reported)' _build/build.log; then \
	  echo "make book: the build log has warnings (above, full log in _build/build.log)" >&2; exit 1; fi
	@echo "The book is at $(CURDIR)/_build/html/index.html"

# The whole book as one PDF, offline: Jupyter Book's single-page HTML build (strict, like
# `make book`), printed by the Debian Chromium (scripts/build_pdf.py, which fails on anything
# wider than the printed column and on an unexpected page count). The HTML site links the
# PDF from its intro page, so `make pdf` runs `make book` first and copies the PDF into it.
PDF := _build/html/downloads/landscape-book.pdf
pdf: book
	@rm -rf _build/pdf && mkdir -p _build/pdf
	@$(STAGE) pdf-html $(T_BUILD) $(VENV)/bin/jupyter-book build . --builder singlehtml \
	  --path-output _build/pdf -W -n --keep-going 2>&1 | tee _build/pdf/build.log
	@if grep -nE 'WARNING|Warning:|warnings? (emitted|reported)' _build/pdf/build.log; then \
	  echo "make pdf: the build log has warnings (above, full log in _build/pdf/build.log)" >&2; exit 1; fi
	@$(STAGE) pdf-print $(T_BUILD) $(PY) scripts/build_pdf.py _build/pdf/_build/singlehtml $(PDF)

# ---------------------------------------------------------------- tests
# Stops at the first failing stage. MPLBACKEND=Agg for the Python tests; nbval's kernels run
# without it so that ipykernel selects the inline backend the notebooks were executed with
# (with Agg, plt.show() would display nothing and the stored figures would not match).
test: export MPLBACKEND := Agg
test: venv
	@start=$$(date +%s); \
	if [ -n "$(LIB_TESTS)" ]; then \
	  $(STAGE) lib-tests $(T_LIBTEST) $(PY) -m pytest lib/tests -q -p no:cacheprovider $(XDIST); \
	else echo "--- [lib-tests] skipped: no lib/tests/test_*.py yet"; fi; \
	$(STAGE) notebook-lint $(T_LINT) $(PY) scripts/check_notebooks.py book; \
	test -n "$(NOTEBOOKS)" || { echo "make test: no notebook under book/" >&2; exit 1; }; \
	$(STAGE) nbval $(T_NBVAL) env -u MPLBACKEND $(NBVAL) $(NOTEBOOKS); \
	$(STAGE) nbval-perturbed $(T_NBVAL) env -u MPLBACKEND $(PERTURBED) $(NBVAL) $(NOTEBOOKS); \
	$(MAKE) --no-print-directory book; \
	$(MAKE) --no-print-directory lab-env; \
	$(STAGE) browser-and-tooling-tests $(T_BROWSER) $(PY) -m pytest tests -q -p no:cacheprovider -rs $(XDIST); \
	echo "=== make test: all stages passed in $$(( $$(date +%s) - start )) s"

# ---------------------------------------------------------------- working on notebooks
# JupyterLab and jupyterlab-myst (requirements-lab.txt) in .venv: for `make lab`, and for
# tests/test_lab.py in `make test` (a chapter opened in a headless JupyterLab must show
# no raw MyST).
lab-env: venv
	@$(PY) -c "import jupyterlab, jupyterlab_myst" 2>/dev/null || \
	  $(STAGE) install-lab $(T_INSTALL) $(PY) -m pip install --disable-pip-version-check -q -r requirements-lab.txt

lab: lab-env
	@$(PY) -m jupyter kernelspec list
	timeout --foreground $(T_LAB) $(VENV)/bin/jupyter lab $(LAB_ARGS) \
	  $$( [ "$$(id -u)" = 0 ] && echo --allow-root ) book/

# nbval (plain and perturbed) on the notebooks given with NB=..., or on all of them.
nbval nbval-perturbed: export PYTHONHASHSEED := 0
nbval nbval-perturbed: export OMP_NUM_THREADS := 1
nbval nbval-perturbed: export OPENBLAS_NUM_THREADS := 1
nbval nbval-perturbed: export MKL_NUM_THREADS := 1
nbval: venv
	@$(STAGE) nbval $(T_NBVAL) env -u MPLBACKEND $(NBVAL) $(or $(NB),$(NOTEBOOKS))
nbval-perturbed: venv
	@$(STAGE) nbval-perturbed $(T_NBVAL) env -u MPLBACKEND $(PERTURBED) $(NBVAL) $(or $(NB),$(NOTEBOOKS))

execute: venv
	@$(STAGE) execute $(T_EXECUTE) $(PY) scripts/execute_notebooks.py $(NB)

bench: venv
	@if [ -z "$(BENCHES)" ]; then echo "bench: no bench/*.py, nothing to run"; fi
	@for f in $(BENCHES); do $(STAGE) "bench $$f" $(T_BENCH) $(PY) "$$f"; done

clean:
	rm -rf _build _vendor
