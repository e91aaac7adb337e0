# One entry point for every chore. `make crawl` and `make test` set themselves up.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SEEDS  ?= seeds
DB     ?= data/archive.db
WARC_DIR ?=
EVAL_DIR ?= ../shared/eval
DATASET  ?=

.PHONY: install crawl test test-long lint fmt eval bench demo demo-health clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

crawl: install
	@mkdir -p $(dir $(DB))
	$(BIN)/scraper crawl --seeds $(SEEDS) --db $(DB) $(if $(WARC_DIR),--warc-dir $(WARC_DIR))

# Three workers on two cores, a test file each at a time (module fixtures are built once):
# most of the suite's time is crawls waiting on deadlines and servers, so a third worker
# fills the waits (quiet machine: 2 min 48 s against 3 min 20 s on two). The throughput
# measurements (marked serial) run alone afterwards, with no other test beside them.
test: install
	$(BIN)/python -m pytest -m "not long and not serial" -q -n 3 --dist loadfile
	$(BIN)/python -m pytest -m "serial and not long" -q

test-long: install
	$(BIN)/python -m pytest -q --hypothesis-profile=long

LINTED := scraper archive tests bench

lint: install
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/mypy

fmt: install
	$(BIN)/ruff format $(LINTED)
	$(BIN)/ruff check --fix $(LINTED)

eval: install
	@if [ -n "$(DATASET)" ]; then \
	  $(BIN)/scraper eval $(EVAL_DIR)/$(DATASET); \
	else \
	  for d in fundus trafilatura wcxb-dev; do $(BIN)/scraper eval $(EVAL_DIR)/$$d || exit $$?; done; \
	fi

# The bench runs in its own environment: the peers (Scrapy) are never runtime dependencies.
BENCH_VENV  := build/venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed

$(BENCH_STAMP): pyproject.toml
	@test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -e '.[bench]'
	@touch $(BENCH_STAMP)

bench: install $(BENCH_STAMP)
	$(BENCH_VENV)/bin/python -m bench $(BENCH_ARGS)

demo: install
	$(BIN)/python -m tests.simulator.demo

# Several simulated nights; two publishers break on the last: `scraper health`'s table.
demo-health: install
	$(BIN)/python -m tests.simulator.demo --health

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
