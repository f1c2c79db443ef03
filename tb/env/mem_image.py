"""A byte image of the chip's external memory, built in Python and handed to HDL in bulk.

Matrices are placed row-major with a row stride; the image is written as one hex word per line
for `$readmemh` and read back from `$writememh` output. Used by the whole-chip testbenches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from models.chip.host_layout import sparsity_map  # noqa: F401  (the map format lives in models/)


@dataclass
class MemImage:
    size: int  # bytes
    word_bytes: int  # BUS_W / 8
    data: np.ndarray = field(init=False)
    _next: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.data = np.zeros(self.size, dtype=np.uint8)
        self._next = 4096  # keep address 0 unused (0 means "no next descriptor")

    def alloc(self, nbytes: int, align: int | None = None) -> int:
        align = align or self.word_bytes
        addr = -(-self._next // align) * align
        if addr + nbytes > self.size:
            raise ValueError(f"memory image full: need {nbytes} bytes at {addr:#x}, size {self.size:#x}")
        self._next = addr + nbytes
        return addr

    def put_matrix(
        self, m: np.ndarray, elem_bytes: int = 1, align: int | None = None, pad_words: int = 0
    ) -> tuple[int, int]:
        """Place a 2-D int matrix row-major with a bus-aligned row stride (``pad_words`` spare bus
        words after each row); return (addr, stride)."""
        rows, cols = m.shape
        stride = (-(-cols * elem_bytes // self.word_bytes) + pad_words) * self.word_bytes
        addr = self.alloc(rows * stride, align)
        raw = np.asarray(m, dtype=np.int64).astype({1: np.int8, 4: np.int32}[elem_bytes]).view(np.uint8)
        raw = raw.reshape(rows, cols * elem_bytes)
        for r in range(rows):
            self.data[addr + r * stride : addr + r * stride + cols * elem_bytes] = raw[r]
        return addr, stride

    def put_bytes(self, raw: bytes | np.ndarray, align: int | None = None) -> int:
        raw = np.frombuffer(bytes(raw), dtype=np.uint8) if isinstance(raw, bytes) else raw.astype(np.uint8)
        addr = self.alloc(len(raw), align)
        self.data[addr : addr + len(raw)] = raw
        return addr

    def get_matrix(self, addr: int, rows: int, cols: int, stride: int, elem_bytes: int) -> np.ndarray:
        out = np.empty((rows, cols * elem_bytes), dtype=np.uint8)
        for r in range(rows):
            out[r] = self.data[addr + r * stride : addr + r * stride + cols * elem_bytes]
        return out.view({1: np.int8, 4: np.int32}[elem_bytes]).astype(np.int64)

    def write_hex(self, path: Path) -> None:
        """One hex word per line ($readmemh), most significant byte first; written whole under a
        temporary name, then renamed."""
        words = self.data.reshape(-1, self.word_bytes)[:, ::-1]  # little-endian bytes -> hex word
        digits = np.frombuffer(words.tobytes().hex().encode(), dtype=np.uint8).reshape(
            -1, 2 * self.word_bytes
        )
        lines = np.empty((digits.shape[0], digits.shape[1] + 1), dtype=np.uint8)
        lines[:, :-1], lines[:, -1] = digits, ord("\n")
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(lines.tobytes())
        tmp.replace(path)

    def read_hex(self, path: Path) -> None:
        text = path.read_text()
        if "/" in text:  # a simulator that writes address comments: the slow path, line by line
            text = "\n".join(ln for ln in text.splitlines() if not ln.strip().startswith("//"))
        words = text.split()
        if len(words) != self.size // self.word_bytes or any(
            len(w) != 2 * self.word_bytes for w in words[:1]
        ):
            raise ValueError(f"{path}: {len(words)} words, want {self.size // self.word_bytes}")
        buf = bytes.fromhex(text)  # whitespace between the words is skipped
        self.data = (
            np.frombuffer(buf, dtype=np.uint8).reshape(-1, self.word_bytes)[:, ::-1].reshape(-1).copy()
        )
