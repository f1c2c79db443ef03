"""The host's share of an inference: every non-GEMM op of a scenario, timed on a host CPU model.

The chip runs the GEMMs; everything else (embeddings, norms, rotary, softmax, activations,
residual adds, the token pick, the partial sums of a GEMM with K > KMAX, and the dequantize /
requantize steps between the chip's stages) runs on the host, whose parameters are one JSON file
(default ``models/hosts/cortex_a53.json``; every figure there carries its source and whether it
is assumed). ``models/transformer/accounting.py`` counts each op exactly: its elements, its bytes, and its
SIMD lane operations by lane width.

Roofline rule, per op: ``time = max(compute, memory)`` with

    compute = (int8 lane ops / int8 ops per cycle + int32 lane ops / int32 ops per cycle
               + float32 and conversion lane ops / f32 ops per cycle) / (clock x cores used)
    memory  = (bytes read + bytes written) / sustained DRAM bandwidth

(compute and memory of one op overlap fully; ops run one after another; per-op call, cache and
synchronisation overheads are not modelled, so this is a lower bound of the host's time).

Overlap of chip and host (``OVERLAPS``):

* ``none`` (default): the host waits for the chip and the chip for the host, so end to end =
  host before layer 0 + sum over layers and head of (chip + host).
* ``pipelined``: an optimistic bound. The host's work on layer i runs while the chip already
  works on layer i + 1, as if the chip always had independent work (another sequence of a
  batch); one sequence's own dependencies forbid it. With c_i, h_i the chip and host seconds of
  stage i (layers, then the head): chip_end_i = chip_end_(i-1) + c_i,
  host_end_i = max(host_end_(i-1), chip_end_i) + h_i, both starting after the embedding;
  end to end = host_end of the last stage. Contention of chip and host for the DRAM is not
  modelled.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.transformer.accounting import VectorOp

DEFAULT_HOST = Path(__file__).resolve().parent.parent / "hosts" / "cortex_a53.json"
OVERLAPS = ("none", "pipelined")
FIELDS = (
    "clock_mhz",
    "cores_used",
    "int8_ops_per_cycle",
    "int32_ops_per_cycle",
    "f32_ops_per_cycle",
    "memory_gb_per_s",
)
PRE = "pre"  # stage key of the host work before layer 0 (the embeddings)


class HostError(ValueError):
    """A host model file that cannot be used; ``field`` names the offending field."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class HostParams:
    """A host CPU as the report models it (one JSON file)."""

    name: str
    board: str
    clock_mhz: float
    cores_used: int
    int8_ops_per_cycle: float
    int32_ops_per_cycle: float
    f32_ops_per_cycle: float
    memory_gb_per_s: float
    assumed: tuple[str, ...] = ()  # the fields the file labels assumed
    path: str = ""

    @property
    def short(self) -> str:
        return f"{self.cores_used}x {self.name} at {self.clock_mhz:g} MHz"

    def label(self) -> str:
        def f(field: str, text: str) -> str:
            return text + (" (assumed)" if field in self.assumed else "")

        return (
            f"{self.name} ({self.board}), {f('cores_used', f'{self.cores_used} core(s)')} "
            f"at {f('clock_mhz', f'{self.clock_mhz:g} MHz')}, SIMD "
            f"{f('int8_ops_per_cycle', f'{self.int8_ops_per_cycle:g} int8')} / "
            f"{f('int32_ops_per_cycle', f'{self.int32_ops_per_cycle:g} int32')} / "
            f"{f('f32_ops_per_cycle', f'{self.f32_ops_per_cycle:g} f32')} lane ops per cycle per core, "
            f"DRAM {f('memory_gb_per_s', f'{self.memory_gb_per_s:g} GB/s')} "
            f"({Path(self.path).name or 'built in'})"
        )


def parse_host(doc: Any, where: str) -> HostParams:
    """``HostParams`` from a parsed host file; raises ``HostError`` naming the first bad field."""
    if not isinstance(doc, dict):
        raise HostError(f"host file {where}: top level must be a JSON object")
    name = doc.get("name")
    if not isinstance(name, str) or not name.strip():
        raise HostError(f"host file {where}: field 'name' is missing or not a text", "name")
    board = doc.get("board", "")
    if not isinstance(board, str):
        raise HostError(f"host file {where}: field 'board' must be a text", "board")
    values: dict[str, float] = {}
    assumed = []
    for field in FIELDS:
        entry = doc.get(field)
        if entry is None:
            raise HostError(f"host file {where}: field '{field}' is missing", field)
        if not isinstance(entry, dict):
            raise HostError(
                f"host file {where}: field '{field}' must be an object with value, source, assumed", field
            )
        value = entry.get("value")
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < float("inf"):
            raise HostError(f"host file {where}: field '{field}.value' must be a positive number", field)
        if field == "cores_used" and not isinstance(value, int):
            raise HostError(f"host file {where}: field 'cores_used.value' must be an integer", field)
        source = entry.get("source")
        if not isinstance(source, str) or not source.strip():
            raise HostError(
                f"host file {where}: field '{field}.source' must say where the figure comes from", field
            )
        flag = entry.get("assumed")
        if not isinstance(flag, bool):
            raise HostError(f"host file {where}: field '{field}.assumed' must be true or false", field)
        values[field] = value
        if flag:
            assumed.append(field)
    return HostParams(
        name=name.strip(),
        board=board.strip() or "board not named",
        clock_mhz=float(values["clock_mhz"]),
        cores_used=int(values["cores_used"]),
        int8_ops_per_cycle=float(values["int8_ops_per_cycle"]),
        int32_ops_per_cycle=float(values["int32_ops_per_cycle"]),
        f32_ops_per_cycle=float(values["f32_ops_per_cycle"]),
        memory_gb_per_s=float(values["memory_gb_per_s"]),
        assumed=tuple(assumed),
        path=where,
    )


def load_host(path: Path = DEFAULT_HOST) -> HostParams:
    """Read and check one host file; every failure is a ``HostError`` (one line)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise HostError(f"host file {path}: not found", "host") from None
    except OSError as exc:
        raise HostError(f"host file {path}: cannot read ({exc.strerror})", "host") from None
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise HostError(f"host file {path}: not valid JSON ({exc})", "host") from None
    return parse_host(doc, str(path))


@dataclass(frozen=True)
class HostOpTime:
    """One non-GEMM op on the host: its compute and memory time and the larger of the two."""

    op: VectorOp
    compute_s: float
    memory_s: float

    @property
    def seconds(self) -> float:
        return max(self.compute_s, self.memory_s)

    @property
    def bound(self) -> str:
        return "compute" if self.compute_s >= self.memory_s else "memory"


def op_time(op: VectorOp, host: HostParams) -> HostOpTime:
    """The roofline rule of the module doc for one op."""
    lanes = op.lanes
    cycles = (
        lanes.int8 / host.int8_ops_per_cycle
        + lanes.int32 / host.int32_ops_per_cycle
        + (lanes.f32 + lanes.convert) / host.f32_ops_per_cycle
    )
    compute = cycles / (host.clock_mhz * 1e6 * host.cores_used)
    memory = (op.bytes_read + op.bytes_written) / (host.memory_gb_per_s * 1e9)
    return HostOpTime(op, compute, memory)


def stage_of(op: VectorOp) -> int | str | None:
    """Where an op runs in the chain: ``PRE`` (embeddings, before layer 0), its layer, or None
    (after the last layer: final norm, token pick)."""
    if op.layer is None and op.name.startswith("embedding"):
        return PRE
    return op.layer


@dataclass(frozen=True)
class HostShare:
    """Every non-GEMM op of a scenario timed on ``host``, and how chip and host overlap."""

    host: HostParams
    overlap: str
    times: tuple[HostOpTime, ...]

    @property
    def seconds(self) -> float:
        return sum(t.seconds for t in self.times)

    def by_stage(self) -> dict[int | str | None, float]:
        out: dict[int | str | None, float] = defaultdict(float)
        for t in self.times:
            out[stage_of(t.op)] += t.seconds
        return out


def host_share(ops: Sequence[VectorOp], host: HostParams, overlap: str = "none") -> HostShare:
    if overlap not in OVERLAPS:
        raise HostError(f"overlap must be one of {', '.join(OVERLAPS)}, got {overlap!r}", "overlap")
    return HostShare(host, overlap, tuple(op_time(op, host) for op in ops))


def end_to_end_s(pre_host_s: float, stages: Sequence[tuple[float, float]], overlap: str) -> float:
    """Chip + host seconds of one run: ``pre_host_s`` before the first stage, then (chip, host)
    seconds per stage, combined by the overlap rule of the module doc."""
    if overlap == "none":
        return pre_host_s + sum(c + h for c, h in stages)
    if overlap != "pipelined":
        raise HostError(f"overlap must be one of {', '.join(OVERLAPS)}, got {overlap!r}", "overlap")
    chip_end = host_end = pre_host_s
    for c, h in stages:
        chip_end += c
        host_end = max(host_end, chip_end) + h
    return host_end
