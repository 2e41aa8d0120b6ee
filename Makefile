# Lotsa — the two commands of the README, and the pieces they are made of.
#   make run    set up (virtual environment, pinned dependencies, database, demo data) and serve
#               Lotsa at http://127.0.0.1:8000 on SQLite; needs no other service
#   make test   set up the same way and run the whole test suite (lint and types included)

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PIP := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: run test setup demo-setup prereqs lock messages help

help:
	@echo "make run   - set up and serve Lotsa with demo data at http://$(HOST):$(PORT)"
	@echo "make test  - set up and run the whole test suite"

prereqs:
	@$(PYTHON) scripts/check_prereqs.py

# The stamp files record that the lock file was installed; a changed lock file installs again.
$(VENV)/.base-installed: requirements/base.txt
	@$(PYTHON) scripts/check_prereqs.py
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing pinned dependencies into $(VENV) (first time: about a minute)..."
	@$(PIP) install -r requirements/base.txt
	@touch $@

$(VENV)/.dev-installed: requirements/dev.txt requirements/base.txt
	@$(PYTHON) scripts/check_prereqs.py
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing pinned development dependencies into $(VENV)..."
	@$(PIP) install -r requirements/dev.txt
	@touch $(VENV)/.base-installed $@

setup: prereqs $(VENV)/.base-installed

demo-setup: setup
	@DEBUG=$${DEBUG:-true} PYTHON=$(BIN)/python scripts/demo-setup

run: demo-setup
	@DEBUG=$${DEBUG:-true} PYTHON=$(BIN)/python HOST=$(HOST) PORT=$(PORT) scripts/serve-demo

test: prereqs $(VENV)/.dev-installed
	@VENV=$(VENV) scripts/test

# Maintainers: regenerate the lock files after changing pyproject.toml.
lock: $(VENV)/.dev-installed
	$(BIN)/pip-compile -q --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links -o requirements/base.txt pyproject.toml
	$(BIN)/pip-compile -q --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links --extra dev -o requirements/dev.txt pyproject.toml

# Maintainers: extract UI strings into locale/sv and list the ones without a translation.
messages: $(VENV)/.dev-installed
	$(BIN)/python scripts/i18n.py extract
