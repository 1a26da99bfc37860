# Two commands on a fresh machine with Python 3.11+:
#   make brief   builds content/korea-japan-2021.yaml into output/korea-japan-2021.pdf
#   make test    runs the test suite
#   make bench   measures speed side by side with bare WeasyPrint; updates docs/performance.md
# Each creates .venv and installs the project first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: brief test bench system-check clean

brief: $(STAMP) system-check
	$(BIN)/briefing build content/korea-japan-2021.yaml

test: $(STAMP) system-check
	$(BIN)/python -m pytest -q

bench: $(STAMP) system-check
	$(BIN)/python bench/run.py --write docs/performance.md

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "briefing needs Python 3.11 or newer ($(PYTHON) is older); try: make PYTHON=python3.12"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

# WeasyPrint needs Pango; it is three times faster at writing PDFs with HarfBuzz's subsetter.
system-check:
	@sh scripts/system-check.sh

clean:
	rm -rf $(VENV) output
