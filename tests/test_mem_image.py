"""tb/env/mem_image.py: the bulk-load / dump files ($readmemh / $writememh format)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tb.env.mem_image import MemImage


def _image(word: int) -> MemImage:
    m = MemImage(size=4096, word_bytes=word)
    m.data[:] = np.random.default_rng(7).integers(0, 256, 4096, dtype=np.uint8)
    return m


@pytest.mark.parametrize("word", [4, 8, 16])
def test_write_hex_is_one_word_per_line_most_significant_byte_first(tmp_path: Path, word: int) -> None:
    m = _image(word)
    m.write_hex(tmp_path / "m.hex")
    lines = (tmp_path / "m.hex").read_text().splitlines()
    assert len(lines) == 4096 // word
    assert lines[1] == bytes(m.data[word : 2 * word][::-1]).hex()
    assert not list(tmp_path.glob("*.tmp"))


@pytest.mark.parametrize("comments", [False, True])
def test_read_hex_round_trips_with_or_without_address_comments(tmp_path: Path, comments: bool) -> None:
    m = _image(8)
    m.write_hex(tmp_path / "m.hex")
    if comments:  # as Icarus' $writememh writes it
        lines = (tmp_path / "m.hex").read_text().splitlines()
        (tmp_path / "m.hex").write_text("// 0x00000000\n" + "\n".join(lines[:100]) + "\n// 0x00000064\n"
                                        + "\n".join(lines[100:]) + "\n")  # fmt: skip
    back = MemImage(size=4096, word_bytes=8)
    back.read_hex(tmp_path / "m.hex")
    assert np.array_equal(back.data, m.data)


def test_read_hex_refuses_a_short_file(tmp_path: Path) -> None:
    (tmp_path / "m.hex").write_text("00\n" * 3)
    with pytest.raises(ValueError, match="3 words, want 512"):
        MemImage(size=4096, word_bytes=8).read_hex(tmp_path / "m.hex")
