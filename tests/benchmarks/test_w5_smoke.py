"""Smoke test of benchmarks/w5_dl.py (tiny settings, no timing asserts): every part runs and writes its JSON."""

from __future__ import annotations

import importlib.util
import json
import pathlib

import pytest

pytest.importorskip("torch")
pytest.importorskip("sklearn")
pytest.importorskip("caldera_dl")

BENCH = pathlib.Path(__file__).resolve().parents[2] / "benchmarks"


def test_w5_runs(tmp_path):
    spec = importlib.util.spec_from_file_location("caldera_bench_w5", BENCH / "w5_dl.py")
    w5 = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(w5)
    out = tmp_path / "w5.json"
    parts = "digits,snntorch" + (",pilotnet" if w5._pilotnet_folder() is not None else "")
    args = ["--parts", parts, "--epochs", "1", "--qat-epochs", "1", "--steps", "4", "--reps", "1"]
    args += ["--pilot-steps", "2", "--quiet", "--out", str(out)]
    assert w5.main(args) == 0
    res = json.loads(out.read_text())
    assert 0 <= res["digits"]["torch_accuracy"] <= 1
    assert set(res["digits"]["deployed"]) >= {"floating_pt/cpu", "fixed_pt/cpu"}
    assert "ratio" in res["snntorch"] or "skipped" in res["snntorch"]
