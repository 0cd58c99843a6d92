"""The loihi backend's models: bit-exact against Lava's recordings and the cpu backend, and their bad input."""

from __future__ import annotations

import caldera
import numpy as np
import pytest
from caldera import arith, kernels, plugins, procs
from caldera.errors import NoModelError, ParameterError
from caldera_loihi import synapses
from caldera_loihi.models import MODELS, LoihiCoreModel
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse as sp

from tests.golden import scenario

from .conftest import LOIHI, run_probe

FIXED = [n for n in scenario.names() if "fixed_pt" in n]


def test_backend_registered_below_cpu():
    b = plugins.backends()["loihi"]
    assert b.priority < plugins.backends()["cpu"].priority
    assert plugins.default_backend().name != "loihi"
    assert sum(1 for plug, m in plugins.process_models() if m in MODELS) == len(MODELS)


@pytest.mark.parametrize("name", FIXED)
def test_golden_fixed_pt_exact_on_loihi(name):
    """Every recorded fixed_pt scenario, bit for bit, on the emulator's own models."""
    got, want = scenario.run(name, backend="loihi")
    for key in want:
        np.testing.assert_array_equal(got[key], want[key], err_msg=f"{name} {key}")


def test_chip_processes_use_emulator_models():
    src = procs.RingBuffer(data=np.ones((3, 4), int))
    d = procs.Dense(weights=np.eye(3, dtype=int))
    lif = procs.LIF(shape=(3,), vth=1)
    src.s_out.connect(d.s_in)
    d.a_out.connect(lif.a_in)
    lif.run(condition=caldera.RunSteps(num_steps=2), run_cfg=LOIHI)
    kinds = {m.process_name: isinstance(m, LoihiCoreModel) for m in lif.runtime.executor.models}
    lif.stop()
    assert kinds == {src.name: False, d.name: True, lif.name: True}


@st.composite
def _fixed_net(draw):
    n_in, n_mid, n_out = draw(st.integers(1, 12)), draw(st.integers(1, 12)), draw(st.integers(1, 6))
    seed = draw(st.integers(0, 2**31 - 1))
    return dict(
        n_in=n_in,
        n_mid=n_mid,
        n_out=n_out,
        seed=seed,
        du=draw(st.integers(0, 4095)),
        dv=draw(st.integers(0, 4095)),
        vth=draw(st.integers(0, 2000)),
        bias=draw(st.integers(-4096, 4095)),
        bexp=draw(st.integers(0, 7)),
        exp=draw(st.integers(-8, 7)),
        nwb=draw(st.integers(1, 8)),
        sparse=draw(st.booleans()),
        delay=draw(st.integers(0, 5)),
    )


def _build(p):
    rng = np.random.default_rng(p["seed"])
    src = procs.RingBuffer(data=(rng.random((p["n_in"], 7)) < 0.4).astype(int))
    w1 = rng.integers(-256, 256, (p["n_mid"], p["n_in"]))
    d1 = (procs.Sparse if p["sparse"] else procs.Dense)(weights=w1, weight_exp=p["exp"], num_weight_bits=p["nwb"])
    l1 = procs.LIF(shape=(p["n_mid"],), du=p["du"], dv=p["dv"], vth=p["vth"], bias_mant=p["bias"], bias_exp=p["bexp"])
    w2 = rng.integers(0, 256, (p["n_out"], p["n_mid"]))
    d2 = procs.DelayDense(weights=w2, delays=rng.integers(0, p["delay"] + 1, w2.shape), weight_exp=p["exp"])
    l2 = procs.LIF(shape=(p["n_out"],), du=p["du"], dv=p["dv"], vth=p["vth"])
    src.s_out.connect(d1.s_in)
    d1.a_out.connect(l1.a_in)
    l1.s_out.connect(d2.s_in)
    d2.a_out.connect(l2.a_in)
    return l1, l2


@settings(max_examples=25, deadline=None)
@given(_fixed_net())
def test_loihi_matches_cpu_backend(p):
    """Random fixed-point networks give identical u, v and spikes on loihi and on the cpu backend."""
    traces = []
    for backend in ("cpu", "loihi"):
        l1, l2 = _build(p)
        from caldera.procs.monitor import Monitor

        mon = Monitor()
        for v in (l1.u, l1.v, l2.v):
            mon.probe(v, 20)
        mon.probe(l2.s_out, 20)
        l1.run(condition=caldera.RunSteps(num_steps=20), run_cfg=caldera.RunConfig(backend=backend, tag="fixed_pt"))
        d = mon.get_data()
        traces.append([d[l1.name]["u"], d[l1.name]["v"], d[l2.name]["v"], d[l2.name]["s_out"]])
        l1.stop()
    for a, b in zip(*traces):
        np.testing.assert_array_equal(a, b)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(0, 4095), st.integers(0, 4095))
def test_lif_kernel_matches_integer_reference(seed, du, dv):
    """The float64 fast path equals Lava's integer formulation (sign * (|x * (4096 - d)| >> 12))."""
    rng = np.random.default_rng(seed)
    u = rng.integers(-(2**23) + 1, 2**23, 50).astype(np.int32)
    v = rng.integers(-(2**23) + 1, 2**23, 50).astype(np.int32)
    a = rng.integers(-(2**15), 2**15, 50).astype(np.int32)
    bias = rng.integers(-4096, 4096, 50).astype(np.int32) << rng.integers(0, 8, 50)
    params = kernels.LifParams(kernels.decay_factor(du, 1), kernels.decay_factor(dv), bias)
    un, vn = kernels.lif_subthreshold(u, v, a, params)
    ru = arith.decay_reference(u, du + 1).astype(np.int64) + (a.astype(np.int64) << 6)
    ru = np.where(ru > 2**23, ru - 2**24, ru)
    ru = np.where(ru <= -(2**23), ru + 2**24, ru)
    rv = np.clip(arith.decay_reference(v, dv).astype(np.int64) + ru + bias, -(2**23) + 1, 2**23 - 1)
    np.testing.assert_array_equal(un, ru)
    np.testing.assert_array_equal(vn, rv)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**31 - 1), st.booleans(), st.booleans(), st.floats(0.0, 1.0))
def test_accumulate_is_exact(seed, sparse, graded, density):
    rng = np.random.default_rng(seed)
    w = rng.integers(-256, 256, (int(rng.integers(1, 40)), int(rng.integers(1, 40))))
    s = (rng.random(w.shape[1]) < density).astype(np.int64)
    if graded:
        s = s * rng.integers(-(2**20), 2**20, w.shape[1])
    m = synapses.prepare_matrix(sp.csr_matrix(w) if sparse else w)
    want = w.astype(np.int64) @ (s if graded else (s != 0).astype(np.int64))
    np.testing.assert_array_equal(synapses.accumulate(m, s, graded), want)
    np.testing.assert_array_equal(synapses.fan_out_counts(m), np.count_nonzero(w, axis=0))


# -- bad input -----------------------------------------------------------------------------------
def _run_dense(weights, **kw):
    d = procs.Dense(weights=weights, **kw)
    lif = procs.LIF(shape=(np.shape(weights)[0],), vth=10)
    d.a_out.connect(lif.a_in)
    try:
        lif.run(condition=caldera.RunSteps(num_steps=1), run_cfg=LOIHI)
    finally:
        if lif.runtime is not None:
            lif.stop()


def test_weight_beyond_8_bits_is_an_error():
    with pytest.raises(ParameterError, match=r"Dense .*weight 300 .*0\.\.255 .*over by 45"):
        _run_dense(np.array([[300, 1]]))
    with pytest.raises(ParameterError, match=r"weight -300 .*-256\.\.255 .*over by 44"):
        _run_dense(np.array([[-300, 1]]))


def test_fractional_weights_point_to_conversion():
    with pytest.raises(ParameterError, match="to_fixed"):
        _run_dense(np.array([[0.5, 1.0]]))


def test_delay_beyond_6_bits_is_an_error():
    d = procs.DelayDense(weights=np.ones((2, 2), int), delays=np.array([[0, 64], [1, 2]]))
    lif = procs.LIF(shape=(2,), vth=10)
    d.a_out.connect(lif.a_in)
    with pytest.raises(ParameterError, match=r"DelayDense .*64.*0\.\.63 .*over by 1"):
        lif.run(condition=caldera.RunSteps(num_steps=1), run_cfg=LOIHI)


@pytest.mark.parametrize(
    "param,value,allowed",
    [
        ("du", 5000, "0..4095"),
        ("bias_mant", 5000, "-4096..4095"),
        ("bias_exp", 8, "0..7"),
        ("vth", 2**17, "0..131071"),
        ("v", 2**23, "24-bit"),
    ],
)
def test_lif_parameters_outside_bit_widths(param, value, allowed):
    kw = {"vth": 10, param: value}
    lif = procs.LIF(shape=(2,), **kw)
    with pytest.raises(ParameterError, match=rf"LIF .*{param}.*{allowed}"):
        lif.run(condition=caldera.RunSteps(num_steps=1), run_cfg=LOIHI)


def test_float_network_is_refused_with_conversion_hint():
    lif = procs.LIF(shape=(2,), du=0.1, dv=0.2, vth=1.0)
    with pytest.raises(NoModelError, match=r"floating_pt.*loihi.*to_fixed"):
        lif.run(condition=caldera.RunSteps(num_steps=1), run_cfg=caldera.RunConfig(backend="loihi", tag="floating_pt"))
    lif2 = procs.LIF(shape=(2,), du=0.1, dv=0.2, vth=1.0)
    with pytest.raises(ParameterError, match=r"du=0\.1 is not an integer.*to_fixed"):
        lif2.run(condition=caldera.RunSteps(num_steps=1), run_cfg=caldera.RunConfig(backend="loihi"))


def test_lif_without_fixed_model_on_loihi_is_named():
    """LIFRefractory has no fixed_pt model (as in Lava): the error says so instead of running it elsewhere."""
    lif = procs.LIFRefractory(shape=(2,), vth=10, refractory_period=2)
    with pytest.raises(NoModelError, match="LIFRefractory"):
        lif.run(condition=caldera.RunSteps(num_steps=1), run_cfg=LOIHI)


def test_var_set_between_runs_is_honoured():
    lif = procs.LIF(shape=(3,), vth=100, bias_mant=0)
    (s1,) = run_probe(lif, [lif.s_out], 5)
    assert not s1.any()
    lif.bias_mant.set(np.array([4095, 0, 4095]))
    lif.run(condition=caldera.RunSteps(num_steps=5), run_cfg=LOIHI)
    v = lif.v.get()
    lif.stop()
    assert v[1] == 0 and v[0] != 0
