"""Smoke test of benchmarks/w1.py (the caldera side, tiny sizes, no Lava, no timing asserts)."""

from __future__ import annotations

import ast
import importlib.util
import json
import pathlib

import pytest
from caldera import plugins

BENCH = pathlib.Path(__file__).resolve().parents[2] / "benchmarks"


def _load_w1():
    spec = importlib.util.spec_from_file_location("caldera_bench_w1", BENCH / "w1.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


w1 = _load_w1()


def _build_ast(path: pathlib.Path) -> str:
    tree = ast.parse(path.read_text())
    (fn,) = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "build"]
    return ast.dump(fn)


def test_build_is_lava_w1s():
    """Same network, same parameters: w1.build reads exactly like lava_w1.build."""
    assert _build_ast(BENCH / "w1.py") == _build_ast(BENCH / "lava_w1.py")


@pytest.mark.parametrize("backend", sorted(plugins.backends()))
@pytest.mark.parametrize("tag", ["fixed_pt", "floating_pt"])
def test_run_network_in_process(backend, tag):
    """Every installed backend, every tag it has LIF and Dense models for (the loihi one: fixed_pt only)."""
    if w1.unsupported(backend, tag):
        pytest.skip(w1.unsupported(backend, tag))
    r = w1.run_network(8, tag, 5, backend)
    assert set(r) >= {"startup_s", "build_s", "compile_first_step_s", "steps_per_s"}
    assert 0 < r["build_s"] <= r["startup_s"] and r["steps_per_s"] > 0
    # the network computed what the NumPy backend computes (exactly in fixed point)
    ref = w1.run_network(8, tag, 5, "cpu")
    keys = [k for k in ref if k.endswith("_sum")]
    assert len(keys) == 4
    for key in keys:
        if tag == "fixed_pt":
            assert r[key] == ref[key], key
        else:
            assert r[key] == pytest.approx(ref[key], rel=1e-9, abs=1e-12), key
    # A is driven by its bias: fixed_pt, it fires most steps and B's current integrates its spikes;
    # floating_pt, it fires rarely but its voltage charges
    assert ref["b_u_sum"] != 0 if tag == "fixed_pt" else ref["a_v_sum"] != 0


def test_quick_run_writes_results(tmp_path, capsys):
    """The whole driver, with a fresh worker interpreter (one configuration, to stay within a few seconds)."""
    argv = [
        "--quick",
        "--sizes",
        "8",
        "--reps",
        "1",
        "--no-lava",
        "--no-prime",
        "--no-progress",
        "--inherit-bytecode-env",
    ]
    report = w1.main([*argv, "--backends", "cpu", "--tags", "fixed_pt", "--out", str(tmp_path)])
    assert not report["errors"]
    assert len(report["results"]) == 1
    for r in report["results"]:
        assert r["system"] == "caldera" and r["n"] == 8
        assert r["summary"]["startup_cold_s"]["count"] == 1
        assert r["summary"]["startup_warm_s"]["count"] == 1
        assert r["summary"]["steps_per_s"]["count"] == 2
    (path,) = tmp_path.glob("w1-*.json")
    saved = json.loads(path.read_text())
    assert saved["table"] == report["table"]
    out = capsys.readouterr().out
    assert "steps/s" in out and "caldera" in out


def test_table_ratios():
    def summary(cold, warm, rate):
        s = lambda v: {"median": v, "min": v, "max": v, "count": 3}  # noqa: E731
        return {"import_s": s(0.3), "startup_cold_s": s(cold), "startup_warm_s": s(warm), "steps_per_s": s(rate)}

    results = [
        {"system": "caldera", "backend": "cpu", "n": 100, "tag": "fixed_pt", "summary": summary(0.01, 0.002, 10000)},
        {
            "system": w1.LAVA_SYSTEM,
            "backend": "Loihi2SimCfg",
            "n": 100,
            "tag": "fixed_pt",
            "summary": summary(0.3, 0.1, 1000),
        },
    ]
    table = w1.format_table(results)
    assert "10.0×" in table and "30.0× | 50.0×" in table
