"""Flows built on the environment, each a make target: benches, the cycle-model validation
sweep, the seeded regression, simulator speed, the summary, the wave opener, the functional
coverage report, test selection, and the MiniLM demo on the chip (``chip_executor`` runs the
demo's GEMM chains on a simulated chip)."""
