# unionqa: `make run` (set up, ingest corpus/, serve on 127.0.0.1:8000) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_OFFLINE := 1

.PHONY: install dev run test check lint eval bench browser clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .    # serving only: no torch
	touch $@

$(VENV)/.dev: $(VENV)/.installed
	# torch pinned first (the dev and st extras need it): the CPU build lies on this machine's
	# disk; plain `torch` pulls CUDA (GBs)
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed
dev: $(VENV)/.dev

# Debian's chromium + chromedriver drive the UI test headless; a CJK font makes the screenshots readable.
browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! fc-list 2>/dev/null | grep -qi "wqy\|noto sans cjk"; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium chromium-driver fonts-wqy-microhei; \
	fi

run: install
	$(BIN)/unionqa ingest corpus
	$(BIN)/unionqa serve --host $(HOST) --port $(PORT)

test: dev browser
	$(BIN)/pytest -q

lint: dev
	$(BIN)/ruff check src tests bench app_gradio.py
	$(BIN)/ruff format --check src tests bench app_gradio.py
	$(BIN)/mypy src

check: lint test

SHARED ?= ../shared
eval: dev
	$(BIN)/unionqa eval --ingest corpus --questions eval/questions.jsonl --out eval/out --compare eval/baseline.json
	@if [ -d $(SHARED)/corpora/laws ] && [ -d $(SHARED)/corpora/regs ]; then \
	  $(BIN)/unionqa eval --ingest corpus --ingest $(SHARED)/corpora/laws --ingest $(SHARED)/corpora/regs \
	    --questions eval/dev_workers.jsonl --out eval/out-dev --compare eval/dev_workers_baseline.json && \
	  $(BIN)/unionqa eval --ingest $(SHARED)/corpora/laws --questions $(SHARED)/eval-dev/real_questions.jsonl \
	    --out eval/out-real --compare eval/real_questions_baseline.json; \
	else echo "$(SHARED) is absent: the development set and real_questions are not evaluated"; fi

bench: dev
	$(BIN)/python bench/bench_ingest.py corpus laws
	$(BIN)/python bench/bench_search.py laws --data-dir /tmp/unionqa-bench/ingest-laws-e5-small
	$(BIN)/python bench/bench_api_load.py

clean:
	rm -rf .unionqa eval/out bench/out test-artifacts
