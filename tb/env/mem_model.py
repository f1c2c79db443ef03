"""Which memory model a harness is built with: ``MEM=ideal`` (tb/hdl/axi_mem_model.v, default)
or ``MEM=dram`` (tb/hdl/dram_model.v with the DDR3-1600K timing of models/cycle/dram_timing.py at
``DRAM_CHIP_MHZ``, default 100 MHz, assumed). One place for the knob, read by the chip and DMA
testbenches and benches; docs/dram_model.md."""

from __future__ import annotations

import os
import sys

from models.cycle.dram_timing import CHIP_KHZ_ASSUMED, DramConfigError, DramParams, chip_params

MODELS = ("ideal", "dram")


def mem_model() -> str:
    m = os.environ.get("MEM", "") or "ideal"
    if m not in MODELS:
        _refuse(f"MEM={m!r}: use one of {', '.join(MODELS)}")
    return m


def dram_params(bus_bytes: int = 8) -> DramParams:
    mhz = os.environ.get("DRAM_CHIP_MHZ", "")
    try:
        khz = round(float(mhz) * 1000) if mhz else CHIP_KHZ_ASSUMED
    except ValueError:
        _refuse(f"DRAM_CHIP_MHZ={mhz!r} is not a number")
    try:
        return chip_params(chip_khz=khz, bus_bytes=bus_bytes)
    except DramConfigError as e:
        _refuse(str(e))


def harness_parameters(bus_w: int = 64) -> dict[str, int]:
    """Extra harness parameters: none for the ideal model, MEM_DRAM and the DRAM_* timing."""
    if mem_model() == "ideal":
        return {}
    return {"MEM_DRAM": 1, **dram_params(bus_w // 8).hdl_parameters("DRAM_")}


def build_suffix() -> str:
    """Build-folder suffix, so each memory model (and chip clock) has its own build."""
    if mem_model() == "ideal":
        return ""
    return f"_dram{dram_params().chip_khz // 1000}"


def describe(bus_w: int = 64) -> str:
    """The memory a result was measured with, for the records and logs."""
    if mem_model() == "ideal":
        return "ideal (tb/hdl/axi_mem_model.v)"
    return f"dram_model: {dram_params(bus_w // 8).label()}"


def _refuse(msg: str):
    print(f"error: {msg}", file=sys.stderr)
    raise SystemExit(2)
