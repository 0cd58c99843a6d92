"""Shared helpers: build the same network twice and run it on two backends."""

from __future__ import annotations

import typing as ty

import caldera
import numpy as np
import pytest
from caldera import RunConfig, RunSteps
from caldera.procs import Monitor

from tests.backends import unavailable

# Without a usable caldera-cython (pip install ./plugins/cython) the modules that import it are not collected;
# test_available.py then skips with the reason, or fails when the run requires the backend (tests/backends.py).
if unavailable("cython") is not None:
    collect_ignore_glob = ["test_[!a]*.py"]


def run_traces(
    builder: ty.Callable[[], tuple],
    backend: str,
    tag: str,
    steps: int,
    chunks: list[int] | None = None,
    between: ty.Callable[[dict, int], None] | None = None,
) -> tuple[dict[str, np.ndarray], ty.Any]:
    """Build ``builder()`` -> (procs dict, [(proc key, member)]), probe, run; returns traces and executor.

    ``between(procs, i)`` is called after chunk ``i`` (Var writes between runs).
    """
    procs, probes = builder()
    mon = Monitor(name="mon")
    for key, member in probes:
        mon.probe(getattr(procs[key], member), steps)
    root = next(iter(procs.values()))
    cfg = RunConfig(backend=backend, tag=tag)
    for i, c in enumerate(chunks or [steps]):
        root.run(condition=RunSteps(num_steps=c), run_cfg=cfg)
        if between is not None:
            between(procs, i)
    executor = root._runtime.executor
    data = mon.get_data()
    out = {f"{k}.{m}": data[procs[k].name][m] for k, m in probes}
    for key in procs:
        out[f"{key}:final"] = {v.name: v.get() for v in procs[key].vars}
    root.stop()
    return out, executor


def assert_same(got: dict, want: dict, tag: str) -> None:
    assert got.keys() == want.keys()
    for key in want:
        g, w = got[key], want[key]
        if isinstance(w, dict):
            assert_same(g, w, tag)
            continue
        if hasattr(w, "toarray"):
            g, w = g.toarray(), w.toarray()
        g, w = np.asarray(g), np.asarray(w)
        assert g.shape == w.shape, key
        if tag == "fixed_pt":
            assert np.array_equal(g, w), f"{key}: first difference at {np.argwhere(g != w)[:1]}"
        else:
            np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12, err_msg=key)


@pytest.fixture
def cython_backend() -> str:
    assert "cython" in caldera.plugins.backends()
    return "cython"
