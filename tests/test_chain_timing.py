"""models/cycle/chain_timing.py: the chain on one memory timeline.

On the ideal memory it must equal ``cycle_model.chain_cycles`` (validated on the RTL: the chain
tests of tb/test_chip.py and tb/test_chip_edges.py, the staged MiniLM demo); on the DRAM model the
same RTL tests compare it with the chip (MEM=dram)."""

from __future__ import annotations

import itertools

import pytest

from models.cycle.chain_timing import chain_engine_cycles, fetch_end
from models.cycle.cycle_engine import F_BIAS, F_INT8, F_PERCH, engine_cycles
from models.cycle.cycle_model import chain_cycles, descriptor_fetch_cycles
from models.cycle.dram_timing import chip_params
from models.cycle.mem_timing import DramMemory, IdealMemory

GEMMS = [
    dict(m=17, n=11, k=24, flags=F_INT8 | F_BIAS),
    dict(m=5, n=16, k=17, flags=F_BIAS),
    dict(m=9, n=8, k=40, flags=F_INT8 | F_PERCH),
    dict(m=1, n=1, k=1, flags=F_INT8),
]


@pytest.mark.parametrize(
    ("w", "lat", "bursts"), list(itertools.product((8, 16, 32), (1, 3, 20, 37), (True, False)))
)
def test_equals_chain_cycles_on_the_ideal_memory(w: int, lat: int, bursts: bool) -> None:
    totals = [
        engine_cycles(
            g["m"], g["n"], g["k"], flags=g["flags"], bus_w_bytes=w, read_latency=lat, write_latency=lat,
            read_bursts=bursts,
        )["total"]
        for g in GEMMS
    ]  # fmt: skip
    gemms = [dict(g, read_latency=lat, write_latency=lat) for g in GEMMS]
    descs = [0x80000 + 64 * i for i in range(len(GEMMS))]
    got = chain_engine_cycles(gemms, descs, IdealMemory(lat, lat), bus_w_bytes=w, read_bursts=bursts)
    assert got["total"] == chain_cycles(totals, bus_w_bytes=w, read_latency=lat)
    assert fetch_end(IdealMemory(lat, lat), 100, 0x40, w, bursts) - 100 == descriptor_fetch_cycles(w, lat)


def test_counters_add_up_with_the_descriptor_bytes() -> None:
    got = chain_engine_cycles(GEMMS, [64 * i for i in range(4)], IdealMemory(20, 20), bus_w_bytes=8)
    one = [engine_cycles(g["m"], g["n"], g["k"], flags=g["flags"]) for g in GEMMS]
    assert got["bytes_rd"] == sum(o["bytes_rd"] for o in one) + 4 * 64
    assert got["tiles"] == sum(o["tiles"] for o in one)


def test_dram_chain_shares_one_timeline() -> None:
    """On the DRAM model the GEMMs of a chain do not each start on an idle DRAM: the chain is
    not the sum of its GEMMs run alone (why chain_cycles cannot serve there)."""
    p = chip_params(bus_bytes=8)
    gemms = [dict(g, read_latency=20, write_latency=20) for g in GEMMS]
    got = chain_engine_cycles(gemms, [0x80000 + 64 * i for i in range(4)], DramMemory(p), bus_w_bytes=8)
    alone = [
        engine_cycles(g["m"], g["n"], g["k"], flags=g["flags"], mem=DramMemory(p))["total"] for g in GEMMS
    ]
    assert got["total"] > sum(t - 1 for t in alone)  # the descriptor reads cost DRAM time too
    assert got["total"] != chain_cycles(alone, bus_w_bytes=8, read_latency=20)


def test_refuses_a_chain_without_descriptors() -> None:
    with pytest.raises(ValueError, match="one descriptor address per GEMM"):
        chain_engine_cycles(GEMMS, [0], IdealMemory(20, 20), bus_w_bytes=8)
