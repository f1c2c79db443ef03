"""A workload's GEMMs put through a pluggable cycle model: cycles, latency, what binds.

Pure: ``evaluate`` takes a ``ModelSpec``, a ``Scenario``, the chip parameters and a
``GemmCycles`` function and returns a ``ModelPerformance``; nothing is read or written.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from models.cycle.cycle_model import CycleEstimate, GemmCycles
from models.report.host import PRE, HostShare, end_to_end_s
from models.transformer.accounting import Gemm, VectorOp, model_gemms, model_vector_ops, vector_op_cycles
from models.transformer.workloads import ModelSpec, Scenario, parameter_count


@dataclass(frozen=True)
class ChipParams:
    """The chip as the report models it (command-line knobs of ``python -m models.report``)."""

    array_n: int = 8
    bus_bits: int = 64
    mem_latency: int = 20
    clock_mhz: float = 100.0
    sparsity: float = 0.9  # fraction of array_n x array_n weight blocks that are zero
    add_non_gemm: bool = False  # add non-GEMM work as if an array_n-lane vector unit ran it
    memory: str = "ideal"  # the memory model behind the cycles (models/report/cli.py MEMORY_MODELS)

    @property
    def bus_w_bytes(self) -> int:
        return self.bus_bits // 8

    @property
    def dram_khz(self) -> int:
        """The chip clock the DRAM model's figures are converted at (0: the ideal memory)."""
        return round(self.clock_mhz * 1000) if self.memory == "dram" else 0

    @property
    def peak_macs_per_cycle(self) -> int:
        return self.array_n * self.array_n


@dataclass(frozen=True)
class GemmCost:
    """One ``Gemm`` entry with the estimate of one instance, dense and block-sparse."""

    gemm: Gemm
    dense: CycleEstimate
    sparse: CycleEstimate

    @property
    def cycles(self) -> int:
        return self.dense.cycles * self.gemm.count

    @property
    def sparse_cycles(self) -> int:
        return self.sparse.cycles * self.gemm.count

    @property
    def bytes_moved(self) -> int:
        return (self.dense.bytes_read + self.dense.bytes_written) * self.gemm.count


@dataclass(frozen=True)
class Binding:
    """Cycles of all GEMMs of one name (summed over layers) and the bound most of them hit."""

    name: str
    cycles: int
    share: float
    bound: str


@dataclass(frozen=True)
class ModelPerformance:
    spec: ModelSpec
    scenario: Scenario
    chip: ChipParams
    params: int
    gemms: tuple[GemmCost, ...]
    vector_ops: tuple[VectorOp, ...]
    non_gemm_cycles: int  # on the hypothetical vector unit; in the totals only if chip.add_non_gemm
    bindings: tuple[Binding, ...] = field(default=())
    # the non-GEMM work timed on the host (models/report/host.py); None: not timed
    host: HostShare | None = None
    ideal_cycles: int | None = (
        None  # on the DRAM model: the dense GEMM cycles on the ideal memory (the bound)
    )

    @property
    def ideal_latency_s(self) -> float | None:
        """The dense chip time on the ideal memory (the bound beside a DRAM figure), or None."""
        return None if self.ideal_cycles is None else self.seconds(self.ideal_cycles)

    @property
    def host_s(self) -> float:
        """Seconds the host spends on the non-GEMM work (0 when it is not timed or is added to the
        chip's cycles on the hypothetical vector unit)."""
        return self.host.seconds if self.host is not None else 0.0

    def _end_to_end(self, sparse: bool) -> float:
        chip_cycles: dict[int | None, int] = defaultdict(int)
        for c in self.gemms:
            chip_cycles[c.gemm.layer] += c.sparse_cycles if sparse else c.cycles
        chip_total = self.sparse_latency_s if sparse else self.latency_s
        if self.host is None:
            return chip_total
        host = self.host.by_stage()
        keys: list[int | None] = [*range(self.spec.layers), None]
        stages = [(self.seconds(chip_cycles[k]), host.get(k, 0.0)) for k in keys]
        return end_to_end_s(host.get(PRE, 0.0), stages, self.host.overlap)

    @property
    def end_to_end_s(self) -> float:
        """Chip and host seconds of one run, by the host's overlap rule (models/report/host.py)."""
        return self._end_to_end(sparse=False)

    @property
    def sparse_end_to_end_s(self) -> float:
        return self._end_to_end(sparse=True)

    @property
    def end_to_end_throughput(self) -> float:
        return self.items_per_run / self.end_to_end_s

    @property
    def macs(self) -> int:
        return sum(c.gemm.macs for c in self.gemms)

    @property
    def non_gemm_ops(self) -> int:
        return sum(op.ops for op in self.vector_ops)

    @property
    def non_gemm_bytes(self) -> int:
        return sum(op.bytes_read + op.bytes_written for op in self.vector_ops)

    @property
    def bytes_moved(self) -> int:
        return sum(c.bytes_moved for c in self.gemms)

    @property
    def _added(self) -> int:
        return self.non_gemm_cycles if self.chip.add_non_gemm else 0

    @property
    def gemm_cycles(self) -> int:
        return sum(c.cycles for c in self.gemms)

    @property
    def cycles(self) -> int:
        return self.gemm_cycles + self._added

    @property
    def sparse_cycles(self) -> int:
        return sum(c.sparse_cycles for c in self.gemms) + self._added

    def seconds(self, cycles: int) -> float:
        return cycles / (self.chip.clock_mhz * 1e6)

    @property
    def latency_s(self) -> float:
        return self.seconds(self.cycles)

    @property
    def sparse_latency_s(self) -> float:
        return self.seconds(self.sparse_cycles)

    @property
    def items_per_run(self) -> int:
        s = self.scenario
        return s.batch * s.seq_len if s.kind == "prefill" else s.batch

    @property
    def throughput_unit(self) -> str:
        return "inferences/s" if self.scenario.kind == "encoder" else "tokens/s"

    @property
    def throughput(self) -> float:
        return self.items_per_run / self.latency_s

    @property
    def sparse_throughput(self) -> float:
        return self.items_per_run / self.sparse_latency_s

    @property
    def utilization(self) -> float:
        """MACs done / (peak MACs per cycle x all cycles the chip spends)."""
        return self.macs / (self.chip.peak_macs_per_cycle * self.cycles)

    @property
    def memory_bound_share(self) -> float:
        """Fraction of GEMM cycles spent in memory-bound GEMMs."""
        memory = sum(c.cycles for c in self.gemms if c.dense.bound == "memory")
        return memory / self.gemm_cycles

    @property
    def bound(self) -> str:
        return "memory" if self.memory_bound_share >= 0.5 else "compute"


def bindings_by_name(costs: tuple[GemmCost, ...]) -> tuple[Binding, ...]:
    """GEMM names by total cycles, largest first."""
    cycles: dict[str, int] = defaultdict(int)
    memory_cycles: dict[str, int] = defaultdict(int)
    for c in costs:
        cycles[c.gemm.name] += c.cycles
        if c.dense.bound == "memory":
            memory_cycles[c.gemm.name] += c.cycles
    total = sum(cycles.values())
    ranked = sorted(cycles, key=lambda name: -cycles[name])
    return tuple(
        Binding(
            name,
            cycles[name],
            cycles[name] / total,
            "memory" if memory_cycles[name] * 2 >= cycles[name] else "compute",
        )
        for name in ranked
    )


def evaluate(
    spec: ModelSpec,
    scenario: Scenario,
    chip: ChipParams,
    gemm_cycles: GemmCycles,
) -> ModelPerformance:
    """Every GEMM of the scenario through ``gemm_cycles``, dense and at ``chip.sparsity``."""
    cache: dict[tuple[int, int, int, float], CycleEstimate] = {}

    def estimate(g: Gemm, sparsity: float) -> CycleEstimate:
        key = (g.m, g.n, g.k, sparsity)
        if key not in cache:
            cache[key] = gemm_cycles(
                g.m,
                g.n,
                g.k,
                array_n=chip.array_n,
                bus_w_bytes=chip.bus_w_bytes,
                mem_latency=chip.mem_latency,
                sparsity=sparsity,
                **({"dram_khz": chip.dram_khz} if chip.dram_khz else {}),  # plugged ideal-only models
            )
        return cache[key]

    costs = tuple(
        GemmCost(g, estimate(g, 0.0), estimate(g, chip.sparsity if g.has_weight else 0.0))
        for g in model_gemms(spec, scenario)
    )
    ops = tuple(model_vector_ops(spec, scenario))
    non_gemm = sum(vector_op_cycles(op, lanes=chip.array_n, bus_w_bytes=chip.bus_w_bytes) for op in ops)
    return ModelPerformance(
        spec=spec,
        scenario=scenario,
        chip=chip,
        params=parameter_count(spec),
        gemms=costs,
        vector_ops=ops,
        non_gemm_cycles=non_gemm,
        bindings=bindings_by_name(costs),
    )
