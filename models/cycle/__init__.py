"""The cycle model: the engine that steps the RTL's control state, the memory timing (ideal or
DRAM) it plugs in, measured cycles, and the per-GEMM and per-chain estimates the report uses."""
