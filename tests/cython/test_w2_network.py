"""The W2 benchmark's CUBA network (benchmarks/w2_cuba.py) runs compiled and gives the cpu backend's spikes."""

from __future__ import annotations

import importlib.util
import pathlib

import caldera
import numpy as np
import pytest

W2 = pathlib.Path(__file__).resolve().parents[2] / "benchmarks" / "w2_cuba.py"


@pytest.fixture(scope="module")
def w2():
    if not W2.exists():
        pytest.skip("benchmarks/w2_cuba.py is not in this checkout")
    spec = importlib.util.spec_from_file_location("w2_cuba", W2)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _run(w2, backend: str, n: int, steps: int) -> tuple[dict, bool]:
    root, pops, counters = w2.build(n, seed=1)
    root.compile(caldera.RunConfig(backend=backend, tag="floating_pt"))
    root.run(caldera.RunSteps(num_steps=steps))
    out = {k: pops[k].v.get() for k in pops}
    out |= {f"count-{k}": float(cnt.v.get()[0] + syn.a_buff.get()[0]) for k, (syn, cnt) in counters.items()}
    compiled = bool(getattr(root.runtime.executor, "compiled", False))
    root.stop()
    return out, compiled


def test_w2_network_cython_equals_cpu(w2):
    want, _ = _run(w2, "cpu", 400, 1500)
    got, compiled = _run(w2, "cython", 400, 1500)
    assert compiled
    assert want["count-exc"] > 0 and want["count-inh"] > 0
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-9, atol=1e-12, err_msg=key)
