"""CubaLIF (the W2 neuron): hand-checked values, cpu == cython on random networks, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from caldera.errors import ParameterError
from caldera.procs import CubaLIF, RingBuffer, Sparse
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse as sp

from .conftest import assert_same, run_traces


def _single(backend: str):
    def build():
        exc = RingBuffer(data=np.array([[1.0, 0, 0, 0, 0, 0, 0]]))
        inh = RingBuffer(data=np.array([[0.0, 0, 0, 0, 0, 0, -0.5]]))
        n = CubaLIF(shape=(1,), du_exc=0.5, du_inh=0.25, dv=0.1, vth=1.0, refractory_period=3)
        exc.s_out.connect(n.a_in_exc)
        inh.s_out.connect(n.a_in_inh)
        return {"n": n, "exc": exc, "inh": inh}, [("n", "v"), ("n", "u_exc"), ("n", "u_inh"), ("n", "s_out")]

    return run_traces(build, backend, "floating_pt", 7)


@pytest.mark.parametrize("backend", ["cpu", "cython"])
def test_cuba_hand_values(backend):
    got, _ = _single(backend)
    np.testing.assert_allclose(got["n.u_exc"][:, 0], [1, 0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625])
    np.testing.assert_allclose(got["n.u_inh"][:, 0], [0, 0, 0, 0, 0, 0, -0.5])
    # v: 1.0 (not > vth), 0.9 + 0.5 = 1.4 -> spike at step 2, held at 0 during steps 3..5 (refractory 3)
    np.testing.assert_allclose(got["n.v"][:, 0], [1.0, 0, 0, 0, 0, 0.03125, 0.03125 * 0.9 + (0.015625 - 0.5)])
    np.testing.assert_array_equal(got["n.s_out"][:, 0], [0, 1, 0, 0, 0, 0, 0])


def _fixed_single(backend: str):
    def build():
        exc = RingBuffer(data=np.array([[1, 0, 0, 0, 0, 0, 0]], np.int32))
        inh = RingBuffer(data=np.array([[0, 0, 0, 0, 0, 0, -1]], np.int32))
        n = CubaLIF(shape=(1,), du_exc=2047, du_inh=1023, dv=409, vth=1, refractory_period=3)
        exc.s_out.connect(n.a_in_exc)
        inh.s_out.connect(n.a_in_inh)
        return {"n": n, "exc": exc, "inh": inh}, [("n", "v"), ("n", "u_exc"), ("n", "u_inh"), ("n", "s_out")]

    return run_traces(build, backend, "fixed_pt", 7)


@pytest.mark.parametrize("backend", ["cpu", "cython"])
def test_cuba_fixed_hand_values(backend):
    got, _ = _fixed_single(backend)
    # decays: u_exc * 2048/4096, u_inh * 3072/4096, v * 3687/4096, truncated; inputs and vth << 6
    np.testing.assert_array_equal(got["n.u_exc"][:, 0], [64, 32, 16, 8, 4, 2, 1])
    np.testing.assert_array_equal(got["n.u_inh"][:, 0], [0, 0, 0, 0, 0, 0, -64])
    # v: 64 (not > 64), trunc(64 * 0.9001) + 32 = 89 -> spike, held at 0 for 3 steps, 2, trunc(1.8) + 1 - 64
    np.testing.assert_array_equal(got["n.v"][:, 0], [64, 0, 0, 0, 0, 2, -62])
    np.testing.assert_array_equal(got["n.s_out"][:, 0], [0, 1, 0, 0, 0, 0, 0])


@settings(max_examples=10, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    n_exc=st.integers(1, 40),
    n_inh=st.integers(1, 12),
    tag=st.sampled_from(["floating_pt", "fixed_pt"]),
)
def test_cuba_network_cpu_equals_cython(seed, n_exc, n_inh, tag):
    fixed = tag == "fixed_pt"

    def build():
        rng = np.random.default_rng(seed)
        if fixed:
            # bias >= 1600 per step against a leak of at most 100/4096: every neuron reaches vth << 6 <= 64000
            p = dict(
                du_exc=int(rng.integers(0, 4096)),
                du_inh=int(rng.integers(0, 4096)),
                dv=int(rng.integers(0, 101)),
                vth=int(rng.integers(1, 1001)),
                bias_mant=rng.integers(200, 4096, n_exc),
                bias_exp=3,
                refractory_period=int(rng.integers(1, 20)),
            )
            v0 = rng.integers(0, 2**17, n_exc)
            weights = {("e", "e"): 100, ("e", "i"): 255, ("i", "e"): -255, ("i", "i"): -60}
        else:
            p = dict(du_exc=0.02, du_inh=0.01, dv=0.005, vth=10.0, bias_mant=0.055, refractory_period=50)
            v0 = rng.uniform(0, 10, n_exc)
            weights = {("e", "e"): 0.162, ("e", "i"): 0.162, ("i", "e"): -0.9, ("i", "i"): -0.9}
        e = CubaLIF(shape=(n_exc,), v=v0, **p)
        p_inh = dict(p, bias_mant=p["bias_mant"][:1] if fixed else p["bias_mant"])
        i = CubaLIF(shape=(n_inh,), **p_inh)
        procs = {"e": e, "i": i}
        for (a, b), w in weights.items():
            na, nb = procs[a].shape[0], procs[b].shape[0]
            m = sp.random(nb, na, density=0.3, random_state=rng, format="csr")
            m.data[:] = w
            s = Sparse(weights=m)
            procs[a].s_out.connect(s.s_in)
            s.a_out.connect(procs[b].a_in_exc if a == "e" else procs[b].a_in_inh)
            procs[f"{a}{b}"] = s
        return procs, [("e", "v"), ("e", "u_exc"), ("e", "s_out"), ("i", "u_inh"), ("i", "s_out")]

    want, _ = run_traces(build, "cpu", tag, 600)
    got, ex = run_traces(build, "cython", tag, 600)
    assert ex.compiled
    assert_same(got, want, tag)
    assert want["e.s_out"].any() or want["i.s_out"].any()  # the network is active


@pytest.mark.parametrize(
    "kw, word",
    [
        ({"refractory_period": 0}, "refractory_period"),
        ({"du_exc": [0.1, 0.2]}, "du_exc"),
        ({"v": [1.0, 2.0, 3.0]}, "v"),
        ({"vth": float("nan")}, "vth"),
    ],
)
def test_cuba_bad_input(kw, word):
    with pytest.raises(ParameterError, match=word):
        CubaLIF(shape=(2,), **kw)


def test_cuba_fixed_rejects_values_outside_loihi_widths():
    from caldera import RunConfig, RunSteps

    n = CubaLIF(shape=(2,), du_exc=5000)
    with pytest.raises(ParameterError, match="du_exc"):
        n.run(condition=RunSteps(num_steps=1), run_cfg=RunConfig(backend="cython", tag="fixed_pt"))
