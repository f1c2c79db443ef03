"""Python models of the chip, by job (README "Layout"):

- ``models.chip``: the chip's contract in software: the golden arithmetic (bit-exact), the
  register map, the operand layout a host driver writes;
- ``models.cycle``: the cycle model (the cycle-stepped engine and the memory timing it plugs in,
  ideal or DRAM) and its validation record;
- ``models.transformer``: model configs (``configs/``) read into GEMM workloads, per architecture;
- ``models.report``: per-model timings from cycles, clock, memory and host (``python -m models.report``);
- ``models.demo``: the MiniLM sentence-embedding demo (``python -m models.demo``).

Nothing here imports from ``tb/``: the demo's chip runner is handed in by ``tb.flows``.
Data stays at this level: ``configs/``, ``hosts/``, the two committed records.
"""
