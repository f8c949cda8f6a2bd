# Trợ lý — the commands a developer and CI use. `make demo` and `make test` work on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
STAMP_ST := $(VENV)/.installed-st
export TROLY_TEST_PG_URL ?= postgresql+psycopg://troly:troly@127.0.0.1:5432/postgres

.PHONY: demo test check bench install install-st postgres clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Optional sentence-transformers backend (the CPU torch pinned in constraints.txt, never a CUDA build).
# The tests use it too, so `make test` installs it; `make demo` does not need it.
$(STAMP_ST): $(STAMP)
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[test,st]'
	touch $(STAMP_ST)

install-st: $(STAMP_ST)

postgres:
	bash scripts/postgres.sh

# Two workers: while one embeds an index (both cores, in its own worker processes), the other runs the tests
# that wait on servers, timers and child processes. 10 min 30 s in one process, 7 min 33 s in two (one machine, one day).
TEST_WORKERS ?= 2

test: $(STAMP_ST) postgres
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile --durations=15

check: $(STAMP)
	$(BIN)/ruff check bot retrieval ingestion db tests bench
	$(BIN)/ruff format --check bot retrieval ingestion db tests bench
	$(BIN)/mypy bot retrieval ingestion db

bench: $(STAMP) postgres
	$(BIN)/python -m bench

# Demo data, the document index, then a chat: Telegram when TELEGRAM_BOT_TOKEN is set, else the console.
demo: $(STAMP)
	$(BIN)/troly demo

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
