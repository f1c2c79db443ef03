"""The DRAM model's parameters (models/cycle/dram_timing.py): conversion to chip cycles, refusal of
parameters that make no sense (in Python and in the HDL at elaboration), the sustained read
bandwidth, and timing rules of the twin on small hand-checked cases."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path

import pytest

from models.cycle.dram_axi import DramController, IdealMemory, Request, simulate
from models.cycle.dram_timing import (
    DDR3_1600K,
    DramConfigError,
    DramParams,
    DramScheduler,
    address_map,
    chip_params,
    ps_to_cycles,
    sustained_read_bytes_per_cycle,
)

REPO = Path(__file__).resolve().parent.parent
P100 = chip_params()


def test_conversion_at_100mhz() -> None:
    """Each figure rounded up to whole 10 ns cycles (tREFI rounded down)."""
    p = P100
    assert (p.cl, p.cwl, p.rcd, p.rp, p.ras) == (2, 1, 2, 2, 4)  # 13.75, 10, 13.75, 13.75, 35 ns
    assert (p.rtp, p.wtr, p.wr, p.ccd, p.rtw, p.burst) == (1, 1, 2, 1, 2, 1)  # 7.5 7.5 15 5 11.25 5
    assert p.ctrl == 3  # 30 ns controller + PHY, assumed
    assert (p.rfc, p.refi) == (26, 780)  # 260 ns, 7.8 us
    assert (p.atom_bytes, p.banks, p.row_bytes) == (64, 8, 8192)
    assert ps_to_cycles(10_000, 100_000) == 1 and ps_to_cycles(10_001, 100_000) == 2
    fast = chip_params(chip_khz=1_000_000)
    assert (fast.cl, fast.burst, fast.rfc, fast.refi) == (14, 5, 260, 7800)


def test_sustained_read_bandwidth() -> None:
    # at 100 MHz the 64-bit DDR3-1600 rank (64 B per cycle less refresh) outruns the 8-byte bus
    assert sustained_read_bytes_per_cycle(P100) == 8.0
    fast = chip_params(chip_khz=1_000_000)  # 1 GHz: one atom per 5 cycles, refresh 260 of 7800
    assert sustained_read_bytes_per_cycle(fast) == 8.0  # 12.4 B/cycle from the DRAM, 8 on the bus
    wide = chip_params(chip_khz=1_000_000, bus_bytes=16)
    assert sustained_read_bytes_per_cycle(wide) == pytest.approx(64 / 5 * 7540 / 7800)


@pytest.mark.parametrize("bus_bytes", [8, 16])
def test_sustained_bandwidth_is_what_a_long_row_hit_stream_gets(bus_bytes: int) -> None:
    """The definition against the twin: whole-atom reads along the rows (every atom a hit but the
    first of each row), offered all at once, at 1 GHz; with a 16-byte bus the DRAM side binds."""
    p = chip_params(chip_khz=1_000_000, bus_bytes=bus_bytes)
    beats = 64 // bus_bytes
    reqs = [Request(1, False, i * 64, beats) for i in range(3000)]
    tr = simulate(p, reqs)
    got = 3000 * 64 / (tr.r[-1] - tr.r[0])
    assert got == pytest.approx(sustained_read_bytes_per_cycle(p), rel=0.03)


def test_one_beat_reads_pay_a_whole_atom() -> None:
    """At 1 GHz one 8-byte read per atom slot (5 cycles): a fifth of the bus."""
    p = chip_params(chip_khz=1_000_000)
    tr = simulate(p, [Request(1, False, i * 8, 1) for i in range(2000)])
    assert 2000 * 8 / (tr.r[-1] - tr.r[0]) == pytest.approx(8 / 5, rel=0.05)


def test_address_map_row_bank_column() -> None:
    assert address_map(P100, 0) == (0, 0, 0)
    assert address_map(P100, 8191) == (0, 0, 127)
    assert address_map(P100, 8192) == (0, 1, 0)
    assert address_map(P100, 8 * 8192) == (1, 0, 0)


def test_row_hit_miss_conflict_latencies() -> None:
    p = P100
    s = DramScheduler(p)
    s.start_refresh(0)
    assert s.schedule(10, 0, 1, False) == [10 + p.rcd + p.cl + p.burst + p.ctrl]  # closed bank: ACT + CAS
    t = s.schedule(30, 64, 1, False)[0]
    assert t == 30 + p.cl + p.burst + p.ctrl  # same row: CAS only
    t = s.schedule(50, 8 * 8192, 1, False)[0]  # bank 0, row 1: PRE + ACT + CAS
    assert t == 50 + p.rp + p.rcd + p.cl + p.burst + p.ctrl
    assert (s.stats.hits, s.stats.misses, s.stats.conflicts) == (1, 1, 1)


def test_one_beat_costs_an_atom_and_straddles_cost_two() -> None:
    p = chip_params(chip_khz=1_000_000)
    s = DramScheduler(p)
    s.start_refresh(0)
    s.schedule(1, 0, 1, False)
    assert s.stats.rd_atoms == 1
    s.schedule(100, 56, 2, False)  # bytes 56..71: two atoms
    assert s.stats.rd_atoms == 3


def test_refresh_delays_an_atom_due_after_it() -> None:
    p = P100
    s = DramScheduler(p)
    s.start_refresh(0)
    t = s.schedule(p.refi, 0, 1, False)[0]
    assert s.stats.refreshes == 1
    assert t == p.refi + p.rfc + p.rcd + p.cl + p.burst + p.ctrl


def test_refreshes_due_while_idle_cost_nothing_later() -> None:
    """A refresh falls due at its time whether a request waits or not: after ten refresh intervals
    of idle, the next atom is not delayed by ten tRFC (the model before this rule was)."""
    p = P100
    s = DramScheduler(p)
    s.start_refresh(0)
    t0 = 10 * p.refi + p.rfc + 5
    assert s.schedule(t0, 0, 1, False) == [t0 + p.rcd + p.cl + p.burst + p.ctrl]
    assert s.stats.refreshes == 10


def test_refresh_timer_starts_at_the_first_request() -> None:
    """From an idle DRAM, the same requests shifted by any number of cycles get the same times
    shifted by as many: the idle time before a GEMM does not change its cycles."""
    times = []
    for shift in (0, 12_345):
        s = DramScheduler(P100)
        s.start_refresh(shift)
        times.append([s.schedule(shift + t, a, 4, w)[0] - shift for t, a, w in TRAFFIC])
    assert times[0] == times[1]
    with pytest.raises(RuntimeError, match="start_refresh"):
        DramScheduler(P100).schedule(1, 0, 1, False)


TRAFFIC = [(1 + 37 * i, (i * 4160) % (1 << 20), i % 3 == 0) for i in range(60)]


def test_turnarounds() -> None:
    p = chip_params(chip_khz=1_000_000)
    s = DramScheduler(p)
    s.start_refresh(0)
    s.schedule(1, 0, 1, False)
    rd_cas = s.last_cas
    s.schedule(1, 64, 1, True)
    assert s.last_cas == rd_cas + p.rtw
    wr_cas = s.last_cas
    s.schedule(1, 128, 1, False)
    assert s.last_cas == wr_cas + p.cwl + p.burst + p.wtr


@pytest.mark.parametrize(
    ("field", "value", "word"),
    [
        ("banks", 0, "banks"),
        ("atom_bytes", 60, "atom_bytes"),
        ("refi", 20, "refi"),
        ("cl", 0, "cl"),
        ("queue_depth", 0, "queue_depth"),
        ("row_bytes", 100, "row_bytes"),
        ("ctrl", -1, "ctrl"),
        ("queue_depth", 300, "queue_depth"),
    ],
)
def test_bad_parameters_refused_naming_them(field: str, value: int, word: str) -> None:
    with pytest.raises(DramConfigError, match=rf"\b{word}\b"):
        dataclasses.replace(P100, **{field: value})


def test_bad_grade_refused() -> None:
    with pytest.raises(DramConfigError, match="banks"):
        chip_params(dataclasses.replace(DDR3_1600K, banks=0))
    with pytest.raises(DramConfigError, match="refi"):
        chip_params(dataclasses.replace(DDR3_1600K, trefi_ps=200_000))  # shorter than tRFC
    with pytest.raises(DramConfigError, match="chip_khz"):
        chip_params(chip_khz=0)


def _elaborate(tmp_path: Path, params: dict[str, int]) -> subprocess.CompletedProcess:
    exe = tmp_path / "m.vvp"
    args = [f"-Pdram_model.{k}={v}" for k, v in params.items()]
    subprocess.run(
        ["iverilog", "-g2005", "-s", "dram_model", "-o", str(exe), *args, str(REPO / "tb/hdl/dram_model.v")],
        check=True,
        capture_output=True,
    )
    return subprocess.run(["vvp", "-n", str(exe)], capture_output=True, text=True, timeout=60, cwd=tmp_path)


@pytest.mark.skipif(shutil.which("iverilog") is None, reason="needs Icarus Verilog")
@pytest.mark.parametrize(
    ("change", "word"),
    [
        ({"BANKS": 0}, "BANKS"),
        ({"ATOM_BYTES": 60}, "ATOM_BYTES"),
        ({"T_REFI": 20}, "T_REFI"),
        ({"T_CL": 0}, "T_CL"),
        ({"QUEUE_DEPTH": 0}, "QUEUE_DEPTH"),
        ({"T_CTRL": -1}, "T_CTRL"),
    ],
)
def test_hdl_refuses_bad_parameters(tmp_path: Path, change: dict[str, int], word: str) -> None:
    good = P100.hdl_parameters()
    ok = _elaborate(tmp_path, {**good, "MEM_BYTES": 4096})
    assert ok.returncode == 0 and "dram_model: parameter" not in ok.stdout + ok.stderr
    bad = _elaborate(tmp_path, {**good, "MEM_BYTES": 4096, **change})
    assert bad.returncode != 0, bad.stdout
    assert f"parameter {word} =" in bad.stdout + bad.stderr


def test_params_are_frozen_and_checked_on_construction() -> None:
    with pytest.raises(DramConfigError, match="bus_bytes"):
        DramParams(**{**dataclasses.asdict(P100), "bus_bytes": 0})


def test_ideal_memory_behind_the_same_interface() -> None:
    """The engine's fixed-latency rule (R beat at AR + latency, B at last W + latency) through the
    interface the DRAM controller offers, so the engine can take either."""
    m = IdealMemory(20, 7)
    m.ar(5, 0x100, 2)
    m.aw(6, 0x200, 1)
    m.wlast(7)
    m.tick(7)
    assert list(m.r_ready) == [25, 25] and list(m.b_ready) == [14]


def test_controller_schedules_in_acceptance_order() -> None:
    """A read accepted after a write whose data is not in waits for it (in-order queue)."""
    c = DramController(P100)
    c.aw(1, 0x1000, 4)
    c.ar(2, 0x40, 1)
    c.tick(2)
    assert not c.r_ready and not c.b_ready
    c.wlast(20)
    c.tick(20)
    assert len(c.b_ready) == 1 and len(c.r_ready) == 1
    assert c.r_ready[0] > c.b_ready[0] - P100.cwl  # the read's CAS after the write's (turnaround)


def test_dram_memory_refuses_a_queue_the_chip_can_overfill() -> None:
    from dataclasses import replace

    from models.cycle.mem_timing import DramMemory

    with pytest.raises(ValueError, match="queue_depth = 16"):
        DramMemory(replace(P100, queue_depth=16))


def test_engine_on_dram_follows_the_dram_not_the_ideal_latency() -> None:
    """GEMV 1x256x256 (memory-bound): B's column tiles are 8-byte pieces at stride LDB, one atom
    each. At a 1 GHz chip clock an atom slot is 5 cycles, so the DRAM, not the bus, sets the pace
    (about 5x the ideal memory's cycles); at 39 MHz an atom slot is one cycle and the DRAM costs
    only its latency. The same bytes move either way."""
    from models.cycle.cycle_engine import engine_cycles
    from models.cycle.mem_timing import DramMemory

    ideal = engine_cycles(1, 256, 256)
    fast = engine_cycles(1, 256, 256, mem=DramMemory(chip_params(chip_khz=1_000_000)))
    slow = engine_cycles(1, 256, 256, mem=DramMemory(chip_params(chip_khz=39_000)))
    assert fast["total"] > 4 * ideal["total"], (ideal, fast)
    assert abs(slow["total"] - ideal["total"]) < 0.1 * ideal["total"], (ideal, slow)
    assert fast["bytes_rd"] == slow["bytes_rd"] == ideal["bytes_rd"]
