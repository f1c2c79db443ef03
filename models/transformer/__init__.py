"""Transformer workloads: published model configs read per architecture into GEMM lists,
parameter counts and the non-GEMM work of each scenario."""
