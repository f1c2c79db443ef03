"""Descriptor chains in memory (docs/registers.md, "Chain descriptor in memory")."""

from __future__ import annotations

import numpy as np

from models.chip.regmap import REGMAP
from tb.env.chip_tb import GemmLayout
from tb.env.mem_image import MemImage

# chip_tb's descriptor keys -> register names
DESC_REGS = {
    "r_a_addr": "A_ADDR", "r_b_addr": "B_ADDR", "r_c_addr": "C_ADDR", "r_bias_addr": "BIAS_ADDR",
    "r_map_addr": "SPMAP_ADDR", "r_m": "M", "r_n": "N", "r_k": "K", "r_lda": "LDA", "r_ldb": "LDB",
    "r_ldc": "LDC", "r_scale": "SCALE", "r_shift": "SHIFT", "r_flags": "FLAGS",
}  # fmt: skip
_KEY_OF = {reg: key for key, reg in DESC_REGS.items()}


def descriptor_words(regs: dict, next_addr: int) -> np.ndarray:
    """The 16 little-endian words of one descriptor: word i is the register whose
    descriptor_word is i, NEXT in CHAIN_ADDR's place, the reserved last word 0."""
    words = np.zeros(16, dtype=np.uint32)
    for reg in REGMAP.descriptor_registers():
        if reg.name == "CHAIN_ADDR":
            words[reg.descriptor_word] = next_addr
        else:
            words[reg.descriptor_word] = int(regs[_KEY_OF[reg.name]]) & 0xFFFFFFFF
    return words


def chain_descriptors(mem: MemImage, layouts: list[GemmLayout]) -> list[int]:
    """Lay the GEMMs' descriptors in memory, each pointing at the next; return their addresses
    (the first goes into CHAIN_ADDR; all of them into the cycle model of the chain, whose
    descriptor reads go through the DRAM model's banks like any other read)."""
    addrs = [mem.alloc(64, align=64) for _ in layouts]
    for i, lay in enumerate(layouts):
        nxt = addrs[i + 1] if i + 1 < len(layouts) else 0
        mem.data[addrs[i] : addrs[i] + 64] = descriptor_words(lay.regs, nxt).view(np.uint8)
    return addrs


def write_chain(mem: MemImage, layouts: list[GemmLayout]) -> int:
    """``chain_descriptors``, returning the first descriptor's address only."""
    return chain_descriptors(mem, layouts)[0]
