"""benchmarks/w1_lava_api.py still runs (tiny sizes; no timing is asserted)."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_w1_lava_api_runs() -> None:
    pytest.importorskip("lava.magma.core.run_configs")
    r = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "w1_lava_api.py"), "--reps", "1", "--steps", "5", "--sizes", "10"]
        + ["--backends", "cpu", "--import-reps", "1"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert "lava/native" in r.stdout and "cpu" in r.stdout and "slowest ratio" in r.stdout
