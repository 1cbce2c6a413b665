# `make test` and `make demo` set everything up on a fresh machine: a virtual
# environment in .venv with the project and its dev extra, the Graphviz `dot`
# program and, for the explorer page's browser tests, Chromium (each installed
# with apt-get when missing and running as root on Debian). `make test` runs
# `make lint` (ruff check, ruff format --check, mypy) first, so CI enforces it.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup system-deps browser lint test bench demo images mutation clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --disable-pip-version-check -e ".[dev]"
	touch $@

system-deps:
	bash scripts/ensure-system-deps.sh

browser:
	bash scripts/ensure-system-deps.sh --browser

setup: $(STAMP) system-deps

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint browser
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m benchmarks

demo: setup
	$(BIN)/python -m demos.xor --method both --graph out/xor_graph.svg --plot out/xor_loss.png

images: setup browser
	$(BIN)/python scripts/make_images.py

# Mutation testing (not part of `make test`: about 10 minutes): mutmut mutates autograd/ and nn/ (see
# [tool.mutmut] in pyproject.toml), then the score of each package is printed; it fails under the bars.
# One worker, as the machine is shared. Always from scratch: mutmut does not retest a survivor against new
# tests. Afterwards `.venv/bin/mutmut results` lists the survivors and `mutmut show NAME` shows one.
# MUTATION_JOBS: test processes at once (default: one per core). ONLY: mutant name patterns to run, such as
# ONLY='autograd.dot.*' (a few minutes), scored on their own and without the bars.
MUTATION_JOBS ?= $(shell nproc 2>/dev/null || echo 2)
ONLY ?=
mutation: setup system-deps
	rm -rf mutants && mkdir mutants
	start=$$(date +%s); HYPOTHESIS_PROFILE=ci $(BIN)/mutmut run --max-children $(MUTATION_JOBS) \
		$(foreach p,$(ONLY),'$(p)') > mutants/run.log 2>&1 || (tail -c 2000 mutants/run.log; exit 1); \
		echo "mutmut run: $$(( $$(date +%s) - start )) s with $(MUTATION_JOBS) test processes"
	$(BIN)/python scripts/mutation_score.py $(if $(ONLY),$(foreach p,$(ONLY),--only '$(p)'),--min autograd=90 --min nn=85)

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis build *.egg-info mutants
