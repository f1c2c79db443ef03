"""Performance report: every model's GEMMs on the chip, beside the design note's figures.

    python -m models.report                      # every bundled model, default scenarios
    python -m models.report --model tinyllama-1.1b --scenario prefill --seq-len 256
    python -m models.report --model path/to/config.json --scenario decode --context-len 1024

Writes ``report.md``, ``report.json``, ``summary.csv``, ``gemms.csv`` and three PNG plots under
``--out`` and prints the summary. Every input is checked before anything is written: a bad
input prints one line on stderr and exits with status 2. Each file is written to a temporary
file in the same folder and renamed into place, so no file is ever half written.

Cycles come from a pluggable ``gemm_cycles(m, n, k, *, array_n, bus_w_bytes, mem_latency,
sparsity) -> CycleEstimate`` (default: ``models.cycle.cycle_model.gemm_cycles``, the engine model
validated against the chip RTL by ``make validate``, whose label gives the figures; a GEMM already
simulated on the chip with the same shape, flags, ARRAY_N, BUS_W and memory latency is taken from
build/results/ instead). Every GEMM says where its cycles come from (``source``: "measured",
"model" or "model (extrapolated)"). Non-GEMM work (norms, softmax, activations, rotary,
embeddings, residuals, partial sums, requantization) runs on the host, timed by the host model of
``--host`` (models/report/host.py); chip, host and end-to-end latency are reported, combined by
``--overlap`` (none by default). ``--add-non-gemm`` instead adds it to the chip's cycles on a
hypothetical vector unit. Every headline figure names its memory model (``--memory``), its clock
(models/report/clock.py: the recorded place-and-route Fmax, or an assumed clock) and its host.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NoReturn

from models.cycle import cycle_model
from models.cycle.cycle_model import GemmCycles
from models.cycle.dram_timing import DDR3_1600K, chip_params
from models.report.clock import RECORD, Clock, ClockError, report_clock
from models.report.host import DEFAULT_HOST, OVERLAPS, HostError, HostParams, host_share, load_host
from models.report.performance import ChipParams, ModelPerformance, evaluate
from models.report.report_data import Labels
from models.report.report_sweep import Sweep, parse_sweep
from models.transformer.workloads import (
    SCENARIO_KINDS,
    ModelSpec,
    Scenario,
    ScenarioKind,
    WorkloadError,
    bundled_models,
    parameter_count,
    resolve_model,
    validate_scenario,
)

DEFAULT_SEQ_LEN = 128
DEFAULT_CONTEXT_LEN = 128
DEFAULT_OUT = Path("build/report")
MEMORY_CHOICES = ("ideal", "dram")


def memory_label(memory: str, mem_latency: int, clock_mhz: float = 100.0) -> str:
    """What the cycles assume about the memory."""
    if memory == "ideal":
        return (
            f"ideal memory (tb/hdl/axi_mem_model.v: {mem_latency}-cycle latency, one beat per cycle, "
            "no row misses or refresh): the bound"
        )
    p = chip_params(chip_khz=round(clock_mhz * 1000))
    return (
        f"DRAM model (tb/hdl/dram_model.v: {DDR3_1600K.name}, 64-byte atoms, {p.banks} banks, refresh "
        f"every {p.refi} cycles, in-order controller; its figures converted to chip cycles at "
        f"{clock_mhz:g} MHz; each GEMM from an idle DRAM; docs/dram_model.md)"
    )


class OneLineParser(argparse.ArgumentParser):
    """argparse whose errors are one line on stderr and exit status 2 (no usage dump)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def _number(kind: Callable[[str], float], ok: Callable[[float], bool], what: str) -> Callable[[str], float]:
    """An argparse type: the text read as ``kind`` (int or float) and accepted when ``ok``, else one
    error line saying it must be ``what``."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}") from None
        if not ok(value):
            raise argparse.ArgumentTypeError(f"must be {what}, got {value}")
        return value

    return parse


_positive_int = _number(int, lambda v: v >= 1, "a positive integer")
_non_negative_int = _number(int, lambda v: v >= 0, "an integer >= 0")
_positive_float = _number(float, lambda v: 0 < v < float("inf"), "a positive number")


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number in [0, 1], got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be a number in [0, 1], got {text}")
    return value


def _bus_bits(text: str) -> int:
    value = _positive_int(text)
    if value % 8:
        raise argparse.ArgumentTypeError(f"must be a multiple of 8, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    names = ", ".join(bundled_models())
    p = OneLineParser(
        prog="python -m models.report",
        description="Latency, throughput and what binds, for transformer workloads on the chip, "
        "beside the design note's figures.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument(
        "--model",
        action="append",
        metavar="NAME|PATH",
        help=f"bundled model ({names}) or a path to a Hugging Face config.json; repeatable "
        "(default: every bundled model that fits --scenario)",
    )
    p.add_argument(
        "--scenario",
        choices=SCENARIO_KINDS,
        help="encoder: S tokens through an encoder; prefill: a decoder over an S-token prompt; "
        "decode: one token per sequence with context L (default: encoder for encoders, decode for decoders)",
    )
    p.add_argument(
        "--seq-len", type=_positive_int, help=f"S, tokens per sequence (default {DEFAULT_SEQ_LEN})"
    )
    p.add_argument(
        "--context-len",
        type=_positive_int,
        help=f"L, keys a decode step attends to (default {DEFAULT_CONTEXT_LEN})",
    )
    p.add_argument("--batch", type=_positive_int, default=1, help="B, sequences run together")
    p.add_argument(
        "--clock-mhz",
        type=_positive_float,
        help="an assumed clock for the latencies, labelled assumed (default: the recorded place-and-route "
        "Fmax of --clock-record, else an assumed 100 MHz)",
    )
    p.add_argument(
        "--clock-record", type=Path, default=RECORD, help="place-and-route timing record (make fpga)"
    )
    p.add_argument(
        "--memory",
        choices=MEMORY_CHOICES,
        default="dram",
        help="memory model behind the cycles (dram: the DDR3-1600K timing model, the default; "
        "ideal: one beat per cycle after --mem-latency, the bound)",
    )
    p.add_argument("--host", type=Path, default=DEFAULT_HOST, help="host model file for the non-GEMM work")
    p.add_argument(
        "--overlap",
        choices=OVERLAPS,
        default="none",
        help="chip and host: none (one waits for the other) or pipelined across layers (an optimistic bound)",
    )
    p.add_argument("--array-n", type=_positive_int, default=8, help="systolic array is N x N MACs")
    p.add_argument("--bus-bits", type=_bus_bits, default=64, help="memory bus width in bits")
    p.add_argument(
        "--mem-latency", type=_non_negative_int, default=20, help="memory latency per GEMM, cycles"
    )
    p.add_argument(
        "--sparsity",
        type=_fraction,
        default=0.9,
        help="fraction of N x N weight blocks that are zero, for the block-sparse column",
    )
    p.add_argument(
        "--add-non-gemm",
        action="store_true",
        help="HYPOTHETICAL: add non-GEMM work to the chip's cycles as if an N-lane vector unit ran it "
        "(default: it runs on the host, timed by --host)",
    )
    p.add_argument(
        "--sweep",
        metavar="KNOB=V1,V2,...",
        help="sweep one knob (context-len, seq-len, batch, array-n, bus-bits) and plot latency and "
        "throughput against it with the bound beside; writes sweep_<knob>.{md,json,csv,png}",
    )
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    p.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    return p


@dataclass(frozen=True)
class Request:
    """A validated run: which models, with which scenario each, on which chip."""

    runs: tuple[tuple[ModelSpec, Scenario], ...]
    chip: ChipParams
    out: Path
    plots: bool
    host: HostParams
    overlap: str
    clock: Clock
    memory_label: str
    sweep: Sweep | None = None


def _scenario_for(spec: ModelSpec, args: argparse.Namespace) -> Scenario:
    kind: ScenarioKind = args.scenario or ("encoder" if spec.family == "encoder" else "decode")
    if kind == "decode":
        if args.scenario == "decode" and args.seq_len is not None:
            raise WorkloadError(
                "--seq-len does not apply to decode (one token per step); use --context-len", "seq-len"
            )
        return Scenario.decode(args.context_len or DEFAULT_CONTEXT_LEN, args.batch)
    if args.scenario is not None and args.context_len is not None:
        raise WorkloadError(
            f"--context-len applies to decode only, not to {kind} (use --seq-len)", "context-len"
        )
    seq_len = args.seq_len or DEFAULT_SEQ_LEN
    return Scenario(kind, seq_len, seq_len, args.batch)


def make_request(args: argparse.Namespace) -> Request:
    """Check every input; raises ``WorkloadError`` (with the field) on the first problem."""
    if args.model:
        specs = [resolve_model(name) for name in args.model]
    else:
        specs = sorted((resolve_model(name) for name in bundled_models()), key=parameter_count)
        if args.scenario is not None:
            wanted = "encoder" if args.scenario == "encoder" else "decoder"
            specs = [s for s in specs if s.family == wanted]
    if not specs:
        raise WorkloadError(f"no bundled model fits scenario '{args.scenario}'", "scenario")
    runs = []
    for spec in specs:
        scenario = _scenario_for(spec, args)
        validate_scenario(spec, scenario)
        runs.append((spec, scenario))
    if args.out.exists() and not args.out.is_dir():
        raise WorkloadError(f"--out {args.out} exists and is not a folder", "out")
    try:
        host = load_host(args.host)
        clock = report_clock(args.clock_mhz, args.clock_record)
    except (HostError, ClockError) as exc:
        raise WorkloadError(str(exc), exc.field) from None
    mem = memory_label(args.memory, args.mem_latency, clock.mhz)
    chip = ChipParams(
        array_n=args.array_n,
        bus_bits=args.bus_bits,
        mem_latency=args.mem_latency,
        clock_mhz=clock.mhz,
        sparsity=args.sparsity,
        add_non_gemm=args.add_non_gemm,
        memory=args.memory,
    )
    sweep = parse_sweep(args.sweep) if args.sweep else None
    request = Request(tuple(runs), chip, args.out, not args.no_plots, host, args.overlap, clock, mem, sweep)
    if sweep is not None:  # every point's scenario is checked before anything runs
        from models.report.report_sweep import point_inputs

        point_inputs(request.runs, chip, sweep)
    return request


def run(request: Request, gemm_cycles: GemmCycles | None = None) -> list[ModelPerformance]:
    """Every requested model through the cycle model. By default (``gemm_cycles`` None) that is
    ``cycle_model.gemm_cycles`` with the GEMMs measured on the chip (build/results/) substituted
    (``source`` "measured"); a given ``gemm_cycles`` is used as it is (pure)."""
    if gemm_cycles is None:
        from models.cycle.cycle_measured import measured_index, with_measurements

        gemm_cycles = with_measurements(cycle_model.gemm_cycles, measured_index())
    results = [evaluate(spec, scenario, request.chip, gemm_cycles) for spec, scenario in request.runs]
    if request.chip.memory != "ideal":  # the ideal memory's figures beside, as the bound
        ideal = replace(request.chip, memory="ideal")
        results = [
            replace(p, ideal_cycles=evaluate(spec, scenario, ideal, gemm_cycles).gemm_cycles)
            for p, (spec, scenario) in zip(results, request.runs, strict=True)
        ]
    if request.chip.add_non_gemm:  # on the hypothetical vector unit, inside the chip's cycles
        return results
    return [replace(p, host=host_share(p.vector_ops, request.host, request.overlap)) for p in results]


def report_label() -> str:
    """The default model's label, and where measured GEMMs replace it."""
    return (
        getattr(cycle_model, "MODEL_LABEL", "unlabelled cycle model")
        + "; a GEMM already simulated on the chip (build/results/: same shape, flags, ARRAY_N, BUS_W, "
        "memory latency) is reported as measured (column source)"
    )


def report_labels(request: Request) -> Labels:
    """Which cycle model, memory, clock and host every figure of this run assumes."""
    return Labels(
        cycle_model=report_label(),
        memory=request.chip.memory,
        memory_label=request.memory_label,
        clock=request.clock,
        host=None if request.chip.add_non_gemm else request.host,
        overlap=request.overlap,
    )


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, then rename over ``path``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; outputs are ordinary readable files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def render_outputs(results: list[ModelPerformance], request: Request) -> dict[str, bytes]:
    """Every output file's content, by file name (nothing written yet)."""
    from models.report import report_data, report_render

    labels = report_labels(request)
    files = {
        "report.md": report_render.markdown(results, labels).encode(),
        "report.json": report_data.json_text(results, labels).encode(),
        "summary.csv": report_data.summary_csv(results, labels).encode(),
        "gemms.csv": report_data.gemms_csv(results, labels).encode(),
    }
    if request.plots:
        from models.report import report_plots

        files |= report_plots.all_plots(results, labels)
    return files


def main(argv: Sequence[str] | None = None) -> int:
    t0, cpu0 = time.perf_counter(), time.process_time()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        request = make_request(args)
    except WorkloadError as exc:
        parser.error(str(exc))
    if request.sweep is not None:
        return _main_sweep(parser, request)
    results = run(request)
    files = render_outputs(results, request)
    try:
        request.out.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            write_atomically(request.out / name, data)
    except OSError as exc:
        parser.error(f"--out {request.out}: cannot write ({exc.strerror or exc})")
    from models.report.report_render import console_summary

    print(console_summary(results, report_labels(request)))
    print(f"\nwrote {', '.join(files)} to {request.out}/")
    # the target is the whole report for every bundled model in under 5 s: a recorded
    # figure, printed on every run, not a test assertion
    print(
        f"report: {len(results)} model(s) in {time.perf_counter() - t0:.2f} s wall, "
        f"{time.process_time() - cpu0:.2f} s CPU"
    )
    return 0


def _write_all(parser: argparse.ArgumentParser, out: Path, files: dict[str, bytes]) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            write_atomically(out / name, data)
    except OSError as exc:
        parser.error(f"--out {out}: cannot write ({exc.strerror or exc})")


def _main_sweep(parser: argparse.ArgumentParser, request: Request) -> int:
    """``--sweep``: every point through the same cycle model as the report, then its files."""
    from models.cycle.cycle_measured import measured_index, with_measurements
    from models.report import report_sweep

    assert request.sweep is not None
    gemm_cycles = with_measurements(cycle_model.gemm_cycles, measured_index())
    results = report_sweep.points(
        request.runs,
        request.chip,
        request.sweep,
        lambda spec, sc, chip: evaluate(spec, sc, chip, gemm_cycles),
    )
    table = report_sweep.rows(results, request.sweep)
    labels = report_labels(request)
    label = (
        f"{labels.cycle_model}. Chip time only (GEMMs; the host's share is in the full report). "
        f"Memory: {labels.memory_label}. Clock: {labels.clock.label}"
    )
    files = report_sweep.outputs(table, request.sweep, label, request.chip.clock_mhz, request.plots)
    _write_all(parser, request.out, files)
    print(report_sweep.markdown(table, request.sweep, label, request.chip.clock_mhz))
    print(f"wrote {', '.join(files)} to {request.out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
