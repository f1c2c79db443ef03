"""tb/flows/fcov_report.py: hits add up over files, holes are named, other models are refused."""

from __future__ import annotations

from pathlib import Path

import yaml

from tb.flows import fcov_report


def _export(path: Path, hits: dict) -> Path:
    data = {
        "csai": {"size": 3, "coverage": 0},
        "csai.chip.shape.m": {"at_least": 1, "weight": 1, "bins:_hits": hits},
    }
    path.write_text(yaml.safe_dump(data))
    return path


def test_merge_sums_hits_and_names_holes(tmp_path: Path, capsys) -> None:
    (tmp_path / "a").mkdir()
    a = _export(tmp_path / "a" / "fcov.yml", {"one": 1, "eq_n": 0, "kmax": 0})
    b = _export(tmp_path / "fcov_b.yml", {"one": 0, "eq_n": 2, "kmax": 0})
    out = tmp_path / "merged.yml"
    assert fcov_report.main([str(tmp_path), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "chip.shape" in text and "66.7%" in text, text
    assert "csai.chip.shape.m: kmax" in text and "csai.chip.shape.m: one" not in text
    merged = yaml.safe_load(out.read_text())
    assert merged["csai.chip.shape.m"]["bins:_hits"] == {"one": 1, "eq_n": 2, "kmax": 0}
    assert fcov_report.main([str(a), str(b), "--out", str(out), "--min", "90"]) == 1


def test_other_model_and_bad_input_refused(tmp_path: Path, capsys) -> None:
    _export(tmp_path / "fcov_1.yml", {"one": 1})
    _export(tmp_path / "fcov_2.yml", {"two": 1})
    assert fcov_report.main([str(tmp_path), "--out", str(tmp_path / "m.yml")]) == 2
    assert "differ" in capsys.readouterr().err
    assert fcov_report.main([str(tmp_path / "missing")]) == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    assert fcov_report.main([str(empty)]) == 2


def test_other_item_set_refused(tmp_path: Path, capsys) -> None:
    _export(tmp_path / "fcov_1.yml", {"one": 1})
    other = {"csai.chip.shape.n": {"at_least": 1, "weight": 1, "bins:_hits": {"one": 1}}}
    (tmp_path / "fcov_2.yml").write_text(yaml.safe_dump(other))
    assert fcov_report.main([str(tmp_path), "--out", str(tmp_path / "m.yml")]) == 2
    assert "another model" in capsys.readouterr().err
