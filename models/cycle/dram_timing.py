"""The DRAM timing memory model's parameters and its exact timing twin (docs/dram_model.md).

One place for every DRAM figure: ``DDR3_1600K`` (a named public speed grade, each value with its
source), converted to chip clock cycles by ``chip_params`` at a stated chip clock. The HDL model
``tb/hdl/dram_model.v`` takes the converted integers as Verilog parameters (``hdl_parameters``);
it has no figure of its own.

The timing rules (all in chip cycles, integers) are in ``DramScheduler.schedule_atom``; the HDL
applies the same rules in the same order, so ``models.cycle.dram_axi.DramController`` (the queue and
the AXI side) predicts every R beat and every B response of the HDL model to the cycle
(``tb/test_dram_model.py`` checks it); it is also the hook for models/cycle/cycle_engine.py
(docs/dram_model.md).
Pure maths: no simulator, no tb import.
"""

from __future__ import annotations

from dataclasses import dataclass


class DramConfigError(ValueError):
    """A DRAM parameter that makes no sense; the message names it."""


@dataclass(frozen=True)
class DramGrade:
    """A DRAM speed grade and organisation, in the units of its datasheet (ps, clocks nCK)."""

    name: str
    source: str
    tck_ps: int  # clock period tCK(avg)
    cl_nck: int  # CAS (read) latency CL
    cwl_nck: int  # CAS write latency CWL
    trcd_ps: int  # ACT to READ/WRITE
    trp_ps: int  # PRE to ACT
    tras_ps: int  # ACT to PRE
    trtp_ps: int  # READ to PRE (the larger of its nCK and ns figures)
    twtr_ps: int  # end of write data to READ
    twr_ps: int  # end of write data to PRE (write recovery)
    tccd_nck: int  # CAS to CAS
    trtw_nck: int  # READ to WRITE command spacing
    trfc_ps: int  # REFRESH to next command
    trefi_ps: int  # average refresh interval
    burst_length: int  # data transfers per column command (BL8)
    dq_bits: int  # data bus width of the rank
    banks: int  # banks per rank
    row_bytes: int  # bytes of one row (page) across the rank


# DDR3-1600K (11-11-11), 4 Gb x16 devices, four of them side by side as one 64-bit rank.
# Figures: Alliance Memory AS4C256M16D3B-12BCN datasheet Rev. 1.1 (April 2017): DDR3-1600 speed
# bin (p. 32: tCK(avg) 1.25 ns at CL 11 / CWL 8, tAA = tRCD = tRP = 13.75 ns, tRAS 35 ns, tRC
# 48.75 ns) and AC timing (p. 35: tWR 15 ns, tWTR and tRTP max(4 nCK, 7.5 ns), tRFC 260 ns,
# tREFI 7.8 us at 0-85 C); the same values as the JEDEC JESD79-3 DDR3-1600K bin. tCCD = 4 nCK
# (JESD79-3). Read-to-write command spacing RL + tCCD + 2 nCK - WL = 11 + 4 + 2 - 8 = 9 nCK
# (JESD79-3, BL8). x16 organisation: 8 banks, 1 K columns x 16 bits = 2 KB page per device, so
# 8 KB per 64-bit rank row.
DDR3_1600K = DramGrade(
    name="DDR3-1600K 11-11-11, 4Gb x16 (x4 devices = 64-bit rank)",
    source="Alliance Memory AS4C256M16D3B-12BCN datasheet rev 1.1 (2017) pp. 32, 35; JEDEC JESD79-3",
    tck_ps=1250,
    cl_nck=11,
    cwl_nck=8,
    trcd_ps=13750,
    trp_ps=13750,
    tras_ps=35000,
    trtp_ps=7500,  # max(4 x 1.25 ns, 7.5 ns)
    twtr_ps=7500,  # max(4 x 1.25 ns, 7.5 ns)
    twr_ps=15000,
    tccd_nck=4,
    trtw_nck=9,
    trfc_ps=260_000,
    trefi_ps=7_800_000,
    burst_length=8,
    dq_bits=64,
    banks=8,
    row_bytes=8192,
)

CHIP_KHZ_ASSUMED = 100_000  # 100 MHz: assumed (no measured Fmax yet; docs/dram_model.md)
# Controller + PHY pipeline added to every read's data and every write's response: ASSUMED (no
# datasheet gives it; a DDR3 controller's port-to-port read latency is tens of ns beyond CL).
CTRL_PS_ASSUMED = 30_000
QUEUE_DEPTH = 64  # controller command queue (reads + writes); a controller choice, not JEDEC


@dataclass(frozen=True)
class DramParams:
    """The model's parameters in chip clock cycles (what tb/hdl/dram_model.v takes)."""

    cl: int  # READ command to its data on the DRAM bus
    cwl: int  # WRITE command to its data
    rcd: int
    rp: int
    ras: int
    rtp: int
    wtr: int
    wr: int
    ccd: int
    rtw: int
    burst: int  # one atom on the DRAM data bus (BL/2 clocks)
    ctrl: int  # controller + PHY pipeline on each read's data / write's response (assumed)
    rfc: int
    refi: int
    banks: int
    row_bytes: int
    atom_bytes: int  # one burst (BL x DQ bits)
    bus_bytes: int  # AXI data bus (the chip's BUS_W / 8)
    queue_depth: int
    chip_khz: int = CHIP_KHZ_ASSUMED
    grade: str = ""

    def __post_init__(self) -> None:
        check_params(self)

    def hdl_parameters(self, prefix: str = "") -> dict[str, int]:
        """Verilog parameters of dram_model.v (``prefix`` for a harness's pass-through names)."""
        names = ("cl", "cwl", "rcd", "rp", "ras", "rtp", "wtr", "wr", "ccd", "rtw", "burst", "ctrl")
        out = {f"{prefix}T_{n.upper()}": getattr(self, n) for n in (*names, "rfc", "refi")}
        out.update(
            {
                f"{prefix}BANKS": self.banks,
                f"{prefix}ROW_BYTES": self.row_bytes,
                f"{prefix}ATOM_BYTES": self.atom_bytes,
                f"{prefix}QUEUE_DEPTH": self.queue_depth,
            }
        )
        return out

    def label(self) -> str:
        return f"{self.grade or 'DRAM'} at {self.chip_khz / 1000:g} MHz chip clock"


def check_params(p: DramParams) -> None:
    """Refuse parameters that make no sense, naming the parameter."""
    for name in ("cl", "cwl", "rcd", "rp", "ras", "rtp", "wtr", "wr", "ccd", "rtw", "burst", "rfc", "refi"):
        if getattr(p, name) < 1:
            raise DramConfigError(f"DRAM parameter {name} = {getattr(p, name)}: must be >= 1 cycle")
    if p.ctrl < 0:
        raise DramConfigError(f"DRAM parameter ctrl = {p.ctrl}: must be >= 0 cycles")
    for name in ("banks", "row_bytes", "atom_bytes", "bus_bytes", "queue_depth", "chip_khz"):
        if getattr(p, name) < 1:
            raise DramConfigError(f"DRAM parameter {name} = {getattr(p, name)}: must be >= 1")
    if p.atom_bytes % p.bus_bytes:
        raise DramConfigError(
            f"DRAM parameter atom_bytes = {p.atom_bytes}: not a multiple of the bus width "
            f"({p.bus_bytes} bytes)"
        )
    if p.row_bytes % p.atom_bytes:
        raise DramConfigError(
            f"DRAM parameter row_bytes = {p.row_bytes}: not a multiple of atom_bytes ({p.atom_bytes})"
        )
    if p.refi <= p.rfc:
        raise DramConfigError(
            f"DRAM parameter refi = {p.refi}: the refresh interval must be longer than the refresh "
            f"itself (rfc = {p.rfc})"
        )
    if p.queue_depth > 256:
        raise DramConfigError(f"DRAM parameter queue_depth = {p.queue_depth}: at most 256")


def ps_to_cycles(ps: int, chip_khz: int) -> int:
    """ceil(ps x f): the whole chip cycles that cover ``ps`` picoseconds (at least 1)."""
    return max(1, -(-ps * chip_khz // 1_000_000_000))


def chip_params(
    grade: DramGrade = DDR3_1600K,
    chip_khz: int = CHIP_KHZ_ASSUMED,
    bus_bytes: int = 8,
    queue_depth: int = QUEUE_DEPTH,
    ctrl_ps: int = CTRL_PS_ASSUMED,
) -> DramParams:
    """Convert ``grade`` to chip cycles at ``chip_khz``: every figure rounded up to whole cycles
    on its own (a controller in the chip's clock domain cannot act between its edges)."""
    for name in ("tck_ps", "burst_length", "dq_bits", "banks", "row_bytes"):
        if getattr(grade, name) < 1:
            raise DramConfigError(f"DRAM grade {name} = {getattr(grade, name)}: must be >= 1")
    if chip_khz < 1:
        raise DramConfigError(f"DRAM parameter chip_khz = {chip_khz}: must be >= 1")
    if (grade.burst_length * grade.dq_bits) % 8:
        raise DramConfigError(
            f"DRAM grade burst_length x dq_bits = {grade.burst_length * grade.dq_bits}: not whole bytes"
        )
    nck = grade.tck_ps

    def c(ps: int) -> int:
        return ps_to_cycles(ps, chip_khz)

    return DramParams(
        cl=c(grade.cl_nck * nck),
        cwl=c(grade.cwl_nck * nck),
        rcd=c(grade.trcd_ps),
        rp=c(grade.trp_ps),
        ras=c(grade.tras_ps),
        rtp=c(grade.trtp_ps),
        wtr=c(grade.twtr_ps),
        wr=c(grade.twr_ps),
        ccd=c(grade.tccd_nck * nck),
        rtw=c(grade.trtw_nck * nck),
        burst=c(grade.burst_length // 2 * nck),
        ctrl=-(-ctrl_ps * chip_khz // 1_000_000_000) if ctrl_ps > 0 else 0,
        rfc=c(grade.trfc_ps),
        refi=grade.trefi_ps * chip_khz // 1_000_000_000,  # rounded down: refresh no less often
        banks=grade.banks,
        row_bytes=grade.row_bytes,
        atom_bytes=grade.burst_length * grade.dq_bits // 8,
        bus_bytes=bus_bytes,
        queue_depth=queue_depth,
        chip_khz=chip_khz,
        grade=grade.name,
    )


def sustained_read_bytes_per_cycle(p: DramParams) -> float:
    """The model's sustained read bandwidth in bytes per chip cycle: a long stream of whole-atom
    reads, every one a row hit, refresh included. The DRAM side moves one atom per
    max(ccd, burst) cycles except for rfc cycles in every refi; the AXI R channel moves at most
    bus_bytes per cycle. The smaller of the two."""
    dram = p.atom_bytes / max(p.ccd, p.burst) * (p.refi - p.rfc) / p.refi
    return min(float(p.bus_bytes), dram)


def address_map(p: DramParams, addr: int) -> tuple[int, int, int]:
    """(row, bank, atom column) of a byte address: row:bank:column, column lowest."""
    col = (addr % p.row_bytes) // p.atom_bytes
    bank = (addr // p.row_bytes) % p.banks
    return addr // (p.row_bytes * p.banks), bank, col


@dataclass
class DramStats:
    hits: int = 0  # atom to the bank's open row
    misses: int = 0  # atom to a bank with no open row (ACT + CAS)
    conflicts: int = 0  # atom to another row (PRE + ACT + CAS)
    refreshes: int = 0
    rd_atoms: int = 0
    wr_atoms: int = 0


class DramScheduler:
    """Banks, refresh and the data bus: the time of each atom's commands, in request order."""

    def __init__(self, p: DramParams) -> None:
        self.p = p
        nb = p.banks
        self.open_row = [-1] * nb
        self.t_act_ok = [0] * nb  # earliest ACT (tRP after PRE, tRFC after REF)
        self.t_cas_ok = [0] * nb  # ACT + tRCD
        self.t_pre_ok = [0] * nb  # tRAS after ACT, tRTP after READ, write recovery
        self.last_cas = 0
        self.last_kind = 0  # 0 none, 1 read, 2 write
        # The refresh timer starts at the first request accepted (``start_refresh``): from an
        # idle DRAM (reset, or a bulk load by the test bench) the model is the same whatever cycle
        # that request comes, so a GEMM's cycles do not depend on the idle time before it.
        self.next_ref = -1
        self.stats = DramStats()

    def start_refresh(self, t: int) -> None:
        """A request is accepted at cycle ``t``: the first REFRESH of an idle DRAM is due at
        ``t + refi``, every later one ``refi`` after the one before."""
        if self.next_ref < 0:
            self.next_ref = t + self.p.refi

    def _plan(self, t0: int, bank: int, row: int, write: bool) -> tuple[int, int, int]:
        """(first command, ACT or -1, CAS) of an atom whose commands may start at t0."""
        p = self.p
        if self.open_row[bank] == row:
            act, first, cas = -1, -1, max(t0, self.t_cas_ok[bank])
        else:
            if self.open_row[bank] >= 0:
                first = max(t0, self.t_pre_ok[bank])  # PRE
                act = max(first + p.rp, self.t_act_ok[bank])
            else:
                act = max(t0, self.t_act_ok[bank])
                first = act
            cas = act + p.rcd
        if self.last_kind == 1:
            cas = max(cas, self.last_cas + (p.rtw if write else p.ccd))
        elif self.last_kind == 2:
            cas = max(cas, self.last_cas + (p.ccd if write else p.cwl + p.burst + p.wtr))
        return (cas if first < 0 else first), act, cas

    def _refresh(self) -> None:
        """All banks precharged, one REFRESH (tRFC), every row closed. The refresh is due at
        ``next_ref`` whether or not a request is waiting: one that fell due while the DRAM was idle
        happened then (``t0`` does not delay it), so idle time does not pile up refreshes."""
        p = self.p
        start = max(self.next_ref, *self.t_act_ok)
        open_pre = [self.t_pre_ok[b] for b in range(p.banks) if self.open_row[b] >= 0]
        if open_pre:
            start = max(start, max(max(open_pre), self.next_ref) + p.rp)
        end = start + p.rfc
        self.open_row = [-1] * p.banks
        self.t_act_ok = [end] * p.banks
        self.next_ref += p.refi
        self.stats.refreshes += 1

    def schedule_atom(self, t_ready: int, addr: int, write: bool) -> int:
        """Issue the commands of the atom holding ``addr`` (not before cycle ``t_ready``); return
        the cycle its data is complete: read data available to the R channel (CAS + CL + burst +
        ctrl), or write data in the DRAM and its response due (CAS + CWL + burst + ctrl)."""
        p = self.p
        row, bank, _ = address_map(p, addr)
        if self.next_ref < 0:
            raise RuntimeError("DramScheduler: start_refresh() was not called before the first atom")
        while True:
            t0 = t_ready  # row commands may go ahead of earlier atoms' (other banks); CAS in order
            first, act, cas = self._plan(t0, bank, row, write)
            if first < self.next_ref:
                break
            self._refresh()  # a refresh is due before this atom's first command
        st = self.stats
        if act < 0:
            st.hits += 1
        elif self.open_row[bank] >= 0:
            st.conflicts += 1
        else:
            st.misses += 1
        if act >= 0:
            self.open_row[bank] = row
            self.t_cas_ok[bank] = act + p.rcd
            self.t_pre_ok[bank] = act + p.ras
        if write:
            self.t_pre_ok[bank] = max(self.t_pre_ok[bank], cas + p.cwl + p.burst + p.wr)
            st.wr_atoms += 1
        else:
            self.t_pre_ok[bank] = max(self.t_pre_ok[bank], cas + p.rtp)
            st.rd_atoms += 1
        self.last_cas, self.last_kind = cas, 2 if write else 1
        return cas + (p.cwl if write else p.cl) + p.burst + p.ctrl

    def schedule(self, t_ready: int, addr: int, beats: int, write: bool) -> list[int]:
        """Every atom the request touches, in address order; per BEAT, the cycle its atom is
        complete. A request shorter than an atom costs the whole atom; one that straddles an
        atom boundary costs every atom it touches."""
        p = self.p
        a0 = addr // p.atom_bytes
        a1 = (addr + beats * p.bus_bytes - 1) // p.atom_bytes
        done = [self.schedule_atom(t_ready, a * p.atom_bytes, write) for a in range(a0, a1 + 1)]
        return [done[(addr + j * p.bus_bytes) // p.atom_bytes - a0] for j in range(beats)]
