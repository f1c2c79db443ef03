"""The verification environment the testbenches share: the cocotb runner and simulator
choice (``sim``, ``simulators``), the testbench drivers of the chip, the core and the DMAs
(``chip_tb``, ``core_tb``, ``dma_tb``), the chip's host driver on the AXI4-Lite bus (``chip_host``),
memory images and models, descriptor chains, seeds, result records and the functional coverage
model."""
