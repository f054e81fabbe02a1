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
DEMO_CAPTURE := examples/002_583555913b494f65.txt
NEWSDESK := $(BIN)/newsdesk

# A short tour: each step says what it shows and which command shows it.
demo: $(STAMP)
	@echo "== 1. extract: a saved mirror page becomes a clean article (extract $(DEMO_CAPTURE) --format markdown)"
	@# Through a file, not a pipe: make sees only the last command of a pipe fail.
	@$(NEWSDESK) extract $(DEMO_CAPTURE) --format markdown > $(DEMO_DB).md
	@head -n 11 $(DEMO_DB).md
	@rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	@echo
	@echo "== 2. ingest: the five example captures go into an archive (ingest examples/)"
	@$(NEWSDESK) ingest examples/ --db $(DEMO_DB)
	@echo
	@echo "== 3. list: the archive's articles, oldest first, a page at a time (list --limit 2)"
	@$(NEWSDESK) list --limit 2 --db $(DEMO_DB)
	@echo
	@echo "== 4. search: traditional script finds simplified text, and other names (search 拉夫羅夫 --limit 2)"
	@$(NEWSDESK) search 拉夫羅夫 --limit 2 --db $(DEMO_DB)
	@echo
	@echo "== 5. stories: reports of the same event from different outlets, grouped (stories)"
	@$(NEWSDESK) stories --db $(DEMO_DB)
	@echo
	@echo "== 6. entity: one person under all their names, roles, mentions (entity \"Sergey Lavrov\")"
	@$(NEWSDESK) entity "Sergey Lavrov" --db $(DEMO_DB)
	@echo
	@echo "== 7. serve: the same archive as web pages and a JSON API (not started here: it runs until Ctrl-C)"
	@echo "   $(NEWSDESK) serve --db $(DEMO_DB)"
	@echo "   then open http://127.0.0.1:8000/  (search, articles, stories, entities, outlets; JSON under /api/)"

test: $(STAMP)
	$(BIN)/ruff check .
	# pytest exits 5 when it collected nothing: make that an explicit failure.
	$(BIN)/pytest; rc=$$?; if [ $$rc -eq 5 ]; then echo 'pytest collected no tests' >&2; fi; exit $$rc

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/extraction.py

# Rewrites src/newsdesk/data/region_model.json, outlet_model.json and quote_model.json from the training labels, byte for
# byte the same each run.
train: $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,train]'
	OMP_NUM_THREADS=1 $(BIN)/python bench/train_region.py
	OMP_NUM_THREADS=1 $(BIN)/python bench/train_outlet.py
	$(BIN)/python bench/quote_model.py

clean:
	rm -rf $(VENV) build src/*.egg-info
