"""Fused LIF populations (PyLoihiProcessModel.fusion_key): same numbers as one call per population."""

from __future__ import annotations

import numpy as np
import pytest
from caldera import RunConfig, RunSteps
from caldera.executor import recv_first_calls
from caldera.procs import LIF, Dense, Monitor, RingBuffer
from caldera_cpu.models.lif import FusedLifFixed, FusedLifFloat, PyLifModelBitAcc, PyLifModelFloat

STEPS = 40


def _network(tag: str, seed: int = 0):
    """Three LIF populations in one schedule level (two fed through Dense, one by bias only) and a
    fourth fed directly by the first (a same-step edge: a later level), with 1-D and 2-D shapes."""
    rng = np.random.default_rng(seed)
    if tag == "fixed_pt":
        src = LIF(shape=(6,), du=300, dv=200, vth=20, bias_mant=rng.integers(100, 400, 6), bias_exp=4, name="src")
        d1 = Dense(weights=rng.integers(-30, 80, (8, 6)), name="d1")
        d2 = Dense(weights=rng.integers(-30, 80, (6, 6)), name="d2")
        a = LIF(shape=(8,), du=100, dv=50, vth=30, name="a")
        b = LIF(shape=(2, 3), du=4095, dv=0, vth=10, bias_mant=rng.integers(-50, 50, (2, 3)), bias_exp=2, name="b")
        c = LIF(shape=(6,), du=409, dv=409, vth=5, name="c")
    else:
        src = LIF(shape=(6,), du=0.2, dv=0.1, vth=1.0, bias_mant=rng.uniform(0.1, 0.4, 6), name="src")
        d1 = Dense(weights=rng.uniform(-0.3, 0.8, (8, 6)), name="d1")
        d2 = Dense(weights=rng.uniform(-0.3, 0.8, (6, 6)), name="d2")
        a = LIF(shape=(8,), du=0.05, dv=0.02, vth=0.5, name="a")
        b = LIF(shape=(2, 3), du=0.9, dv=0.0, vth=0.3, bias_mant=rng.uniform(-0.1, 0.1, (2, 3)), name="b")
        c = LIF(shape=(6,), du=0.1, dv=0.1, vth=0.2, name="c")
    src.s_out.connect(d1.s_in)
    src.s_out.connect(d2.s_in)
    d1.a_out.connect(a.a_in)
    d2.a_out.reshape((2, 3)).connect(b.a_in)
    src.s_out.connect(c.a_in)  # same step: c runs after src
    mon = Monitor()
    for p in (src, a, b, c):
        for member in (p.u, p.v, p.s_out):
            mon.probe(member, STEPS)
    return src, (src, a, b, c), mon


def _run(tag: str, fused: bool, monkeypatch, chunks=(STEPS,), setter=None):
    cls = PyLifModelBitAcc if tag == "fixed_pt" else PyLifModelFloat
    if not fused:
        monkeypatch.setattr(cls, "fusion_key", lambda self: None)
    root, procs, mon = _network(tag)
    cfg = RunConfig(backend="cpu", tag=tag)
    try:
        for i, k in enumerate(chunks):
            if setter is not None and i == 1:
                setter(procs)
            root.run(RunSteps(k), cfg)
        data = mon.get_data()
        state = {p.name: (p.u.get(), p.v.get()) for p in procs}
    finally:
        root.stop()
    monkeypatch.undo()
    return data, state


@pytest.mark.parametrize("tag", ["fixed_pt", "floating_pt"])
def test_fused_populations_give_the_numbers_of_separate_ones(tag, monkeypatch):
    fused, fused_state = _run(tag, True, monkeypatch)
    alone, alone_state = _run(tag, False, monkeypatch)
    for name, members in alone.items():
        for member, trace in members.items():
            np.testing.assert_array_equal(fused[name][member], trace, err_msg=f"{name}.{member}")
            assert fused[name][member].dtype == trace.dtype
    for name, (u, v) in alone_state.items():
        np.testing.assert_array_equal(fused_state[name][0], u)
        np.testing.assert_array_equal(fused_state[name][1], v)
        assert fused_state[name][0].dtype == u.dtype and fused_state[name][0].shape == u.shape
    assert any(fused["a"]["s_out"].ravel()) and any(fused["b"]["s_out"].ravel())  # the test sees spikes


@pytest.mark.parametrize("tag", ["fixed_pt", "floating_pt"])
def test_var_writes_between_runs_reach_fused_populations(tag, monkeypatch):
    def setter(procs):
        src, a, b, c = procs
        if tag == "fixed_pt":
            a.du.set(np.array([2000]))
            b.bias_mant.set(np.full((2, 3), 300))
            a.vth.set(np.array([5]))
            b.v.set(np.full((2, 3), 1000))
        else:
            a.du.set(np.array([0.5]))
            b.bias_mant.set(np.full((2, 3), 0.2))
            a.vth.set(np.array([0.1]))
            b.v.set(np.full((2, 3), 0.05))

    fused, _ = _run(tag, True, monkeypatch, chunks=(15, 25), setter=setter)
    alone, _ = _run(tag, False, monkeypatch, chunks=(15, 25), setter=setter)
    for name, members in alone.items():
        for member, trace in members.items():
            np.testing.assert_array_equal(fused[name][member], trace, err_msg=f"{name}.{member}")


def test_only_models_of_one_level_fuse():
    root, (src, a, b, c), _ = _network("fixed_pt")
    root.run(RunSteps(1), RunConfig(backend="cpu", tag="fixed_pt"))
    try:
        calls = recv_first_calls(root.runtime.net.plan)
        groups = [f for f in calls if isinstance(f, FusedLifFixed)]
        assert len(groups) == 1
        assert {m.process_name for m in groups[0].fused_models} == {"src", "a", "b"}  # c is fed by src
        singles = [f.__self__.process_name for f in calls if hasattr(f, "__self__")]
        assert "c" in singles and calls.index(groups[0]) < len(calls) - 1
    finally:
        root.stop()


def test_fused_wrap_and_saturation_match_single_population(monkeypatch):
    """Large inputs wrap u and saturate v in the fused step exactly as in a population of its own."""
    data = np.array([[2**15 - 1, 0, -(2**15), 2**24, -(2**24)]] * 3, dtype=np.int32).T

    def build():
        rb = RingBuffer(data=data)
        ls = [
            LIF(shape=(5,), u=[2**23, 0, -(2**23 - 1), 5, -5], du=0, dv=0, vth=2**17 - 1, name=f"l{i}")
            for i in range(3)
        ]
        for lif in ls:
            rb.s_out.connect(lif.a_in)
        mon = Monitor()
        for lif in ls:
            mon.probe(lif.u, 3)
            mon.probe(lif.v, 3)
        return rb, mon

    out = []
    for fused in (True, False):
        if not fused:
            monkeypatch.setattr(PyLifModelBitAcc, "fusion_key", lambda self: None)
        rb, mon = build()
        try:
            rb.run(RunSteps(3), RunConfig(backend="cpu", tag="fixed_pt"))
            out.append(mon.get_data())
        finally:
            rb.stop()
    for name in ("l0", "l1", "l2"):
        for member in ("u", "v"):
            np.testing.assert_array_equal(out[0][name][member], out[1][name][member])
    assert np.abs(out[0]["l0"]["v"]).max() == 2**23 - 1  # saturation happened


def test_fused_float_group_type():
    root, procs, _ = _network("floating_pt")
    root.run(RunSteps(1), RunConfig(backend="cpu", tag="floating_pt"))
    try:
        assert any(isinstance(f, FusedLifFloat) for f in recv_first_calls(root.runtime.net.plan))
    finally:
        root.stop()


def test_an_error_in_a_fused_step_names_a_member(monkeypatch):
    import caldera

    def broken(self):
        raise ValueError("boom")

    monkeypatch.setattr(FusedLifFixed, "__call__", broken)
    root, (src, a, b, c), _ = _network("fixed_pt")
    with pytest.raises(caldera.RunError, match="boom") as info:
        root.run(RunSteps(2), RunConfig(backend="cpu", tag="fixed_pt"))
    assert info.value.process in {"src", "a", "b"}
    assert "spk" in str(info.value)
