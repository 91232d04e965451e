# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint bench targets clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dask]'
	touch $(STAMP)

## Build every brief in briefs/ into out/ (PDF, DOCX, PPTX).
run: $(STAMP)
	@$(BIN)/python -m compileall -q reportgen  # as a wheel install does; ~0.1 s a command
	$(BIN)/reportgen build briefs --out out

## Lint and run the whole test suite.
test: $(STAMP)
	$(BIN)/ruff check reportgen tests bench
	$(BIN)/pytest -q -p no:cacheprovider

bench: $(STAMP)
	$(BIN)/python bench/build_bench.py

## Every target of issue 15 with its figure and PASS/FAIL, in one run (~2 minutes).
targets: $(STAMP)
	$(BIN)/python bench/build_targets.py
	$(BIN)/python bench/startup.py

clean:
	rm -rf $(VENV) out/*.pdf out/*.docx out/*.pptx out/index.html out/.reportgen*
