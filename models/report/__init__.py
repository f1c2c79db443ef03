"""The per-model timing report (``python -m models.report``): performance from cycles, the
clock and host shares, the seed note's figures beside ours, the README figures."""
