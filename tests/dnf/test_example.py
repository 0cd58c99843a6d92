"""examples/dnf_tracking.py runs, writes its strip of frames and keeps one peak on the moving input."""

from __future__ import annotations

import importlib.util
import pathlib
import re

import pytest

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "dnf_tracking.py"


def test_tracking_example(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    spec = importlib.util.spec_from_file_location("dnf_tracking", EXAMPLE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = tmp_path / "strip.png"
    assert mod.main(["--steps", "150", "--period", "300", "--frames", "4", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"\x89PNG")
    text = capsys.readouterr().out
    one_peak = float(re.search(r"exactly one peak: (\d+)%", text).group(1))
    worst = float(re.search(r"max ([\d.]+) neurons", text).group(1))
    assert one_peak >= 95 and worst < 5
