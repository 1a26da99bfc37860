# Two commands on a fresh machine with Python 3.11+:
#   make brief   builds content/korea-japan-2021.yaml into output/korea-japan-2021.pdf
#   make test    runs the test suite
#   make bench   measures speed side by side with bare WeasyPrint; updates docs/performance.md
# Each first checks the system packages it needs (scripts/system-check.sh): as root with apt-get
# it installs what is missing, otherwise it prints the `sudo apt-get install …` line and stops.
# Then it creates .venv and installs the project into it, once.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: brief test bench system-check system-check-test clean

brief: system-check $(STAMP)
	@$(BIN)/briefing build content/korea-japan-2021.yaml

test: system-check-test $(STAMP)
	$(BIN)/python -m pytest -q

bench: system-check $(STAMP)
	$(BIN)/python bench/run.py --write docs/performance.md

$(STAMP): pyproject.toml | system-check
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "briefing needs Python 3.11 or newer ($(PYTHON) is older); try: make PYTHON=python3.12"; exit 1; }
	@echo "make: installing briefing into $(VENV)"
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

# The brief's libraries and fonts (Pango, HarfBuzz's subsetter, Noto CJK), and for the tests the
# checkers they read PDFs with; installed as root, otherwise named with the line that installs them.
system-check:
	@PYTHON=$(PYTHON) sh scripts/system-check.sh brief

system-check-test:
	@PYTHON=$(PYTHON) sh scripts/system-check.sh test

clean:
	rm -rf $(VENV) output
