# Each target creates .venv and installs newsdesk into it when needed, so both
# commands work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench train clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

DEMO_DB := .venv/demo.db

demo: $(STAMP)
	$(BIN)/newsdesk extract examples/ --format markdown
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN)/newsdesk ingest examples/ --db $(DEMO_DB)
	$(BIN)/newsdesk list --db $(DEMO_DB)
	$(BIN)/newsdesk search 拉夫羅夫 --db $(DEMO_DB)
	$(BIN)/newsdesk stories --db $(DEMO_DB)
	$(BIN)/newsdesk entity "Sergey Lavrov" --db $(DEMO_DB)

test: $(STAMP)
	$(BIN)/ruff check .
	# pytest exits 5 when it collected nothing: make that an explicit failure.
	$(BIN)/pytest; rc=$$?; if [ $$rc -eq 5 ]; then echo 'pytest collected no tests' >&2; fi; exit $$rc

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/extraction.py

# Rewrites src/newsdesk/data/region_model.json from the training gold, byte for byte the same each run.
train: $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,train]'
	OMP_NUM_THREADS=1 $(BIN)/python bench/train_region.py

clean:
	rm -rf $(VENV) build src/*.egg-info
