"""The design note's own method reproduces every figure the note prints (so we read it right)."""

from __future__ import annotations

from models.report.seed_note import (
    NOTE_FIGURES,
    NOTE_SCENARIOS,
    note_method,
    note_ops_per_cycle,
    note_pipelined_cycles,
    note_speedup_range,
)


def test_ops_per_cycle() -> None:
    assert note_ops_per_cycle() == 1.92


def test_tinyllama() -> None:
    r = note_method(NOTE_SCENARIOS["tinyllama-1.1b"])
    assert r.attention_tiles == 65_536
    assert r.attention_cycles == 34_865_152
    assert r.attention_ms == 348.7
    assert r.ffn_tiles == 180_224
    assert r.ffn_cycles == 95_879_168
    assert r.ffn_ms == 958.8
    assert r.layer_ms == 2300  # "~2.3 s/layer"
    assert r.total_ms == 50_600  # "50.6 s/token"
    assert r.per_second == 0.02  # "0.02 tokens/s"


def test_distilbert() -> None:
    r = note_method(NOTE_SCENARIOS["distilbert-base-uncased"])
    assert r.attention_tiles == 9_216
    assert r.attention_cycles == 4_902_912
    assert r.attention_ms == 49
    assert r.ffn_tiles == 36_864
    assert r.ffn_cycles == 19_611_648
    assert r.ffn_ms == 196
    assert r.layer_ms == 441
    assert r.total_ms == 2_600  # "2.6 s"


def test_custom_10m() -> None:
    r = note_method(NOTE_SCENARIOS["custom-10m"])
    assert r.attention_tiles == 1_024
    assert r.attention_ms == 5.4
    assert r.ffn_tiles == 4_096
    assert r.ffn_ms == 21.8
    assert r.layer_ms == 27  # "~27 ms/layer"
    assert r.total_ms == 108
    assert r.per_second == 9.3


def test_pipelining() -> None:
    assert note_pipelined_cycles() == 8_716_288


def test_int8_and_sparsity_ranges() -> None:
    assert note_speedup_range(50.6, 8, 16) == (3, 6)  # "50.6 s -> 3-6 s/token"
    assert note_speedup_range(50.6, 5, 7) == (7, 10)  # "50.6 s -> 7-10 s/token"


def test_recommendation_table_is_self_consistent() -> None:
    assert round(NOTE_FIGURES["llama-2-7b"].seconds / 0.050) == 860  # 43 s vs 50 ms: "860x"
    assert round(50 / 0.200) == 250  # real-time translation: 50 s vs 200 ms


def test_note_figures_match_the_method() -> None:
    for name, scenario in NOTE_SCENARIOS.items():
        assert NOTE_FIGURES[name].seconds * 1e3 == note_method(scenario).total_ms
