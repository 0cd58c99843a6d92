"""Float-to-fixed conversion: parameters, quantization report, bad input, and spike-train agreement."""

from __future__ import annotations

import caldera
import numpy as np
import pytest
from caldera import procs
from caldera.errors import ParameterError
from caldera.procs.monitor import Monitor
from caldera_loihi.benchnet import TOL_COINCIDENCE, TOL_CORR, TOL_COUNT, two_layer_network
from caldera_loihi.convert import spike_agreement, to_fixed
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import LOIHI

FLOAT = caldera.RunConfig(backend="cpu", tag="floating_pt")

# The stated tolerance is documented with the benchmark network (caldera_loihi.benchnet).
benchmark_network = two_layer_network


def _spikes(l1, l2, steps, cfg):
    mon = Monitor()
    mon.probe(l1.s_out, steps)
    mon.probe(l2.s_out, steps)
    l1.run(condition=caldera.RunSteps(num_steps=steps), run_cfg=cfg)
    d = mon.get_data()
    l1.stop()
    return d[l1.name]["s_out"], d[l2.name]["s_out"]


@pytest.mark.parametrize("sparse_second", [False, True])
def test_converted_spike_trains_agree_with_float(sparse_second):
    steps = 300
    l1, l2 = benchmark_network(steps=steps, sparse_second=sparse_second)
    conv = to_fixed(l1)
    f1, f2 = _spikes(l1, l2, steps, FLOAT)
    x1, x2 = _spikes(conv["l1"], conv["l2"], steps, LOIHI)
    for f, x in ((f1, x1), (f2, x2)):
        agree = spike_agreement(f, x, window=1)
        assert agree["spikes_a"] > 0.05 * f.size  # an active network, not a silent one
        assert agree["count_rel_diff"] <= TOL_COUNT, agree
        assert agree["rate_corr"] >= TOL_CORR, agree
        assert agree["coincidence"] >= TOL_COINCIDENCE, agree


def test_parameters_and_report():
    l1, l2 = benchmark_network()
    conv = to_fixed(l1)
    rep = conv.report
    p1 = rep["l1"]
    assert p1.params["du"] == round(0.2 * 4096) - 1 and p1.params["dv"] == round(0.1 * 4096)
    assert p1.errors["vth_realised"] == pytest.approx(1.0, rel=1e-12)
    assert p1.params["vth"] * 64 == pytest.approx(p1.scale * 1.0)
    d1 = rep["d1"]
    assert d1.params["num_weight_bits"] == 8 and d1.errors["sign_mode"] == "MIXED"
    assert 0 < d1.errors["weight_rms_rel"] < 0.05
    assert rep.max_weight_error_rel >= d1.errors["weight_rms_rel"]
    text = rep.format()
    assert "l1" in text and "weight_exp" in text
    assert conv[l1] is conv["l1"] and conv[l1] is not l1
    assert l1.vars["du"].init == 0.2  # the original is untouched


def test_fewer_weight_bits_larger_error():
    errs = []
    for bits in (8, 6, 4):
        l1, _ = benchmark_network()
        errs.append(to_fixed(l1, num_weight_bits=bits).report["d1"].errors["weight_rms_rel"])
    assert errs[0] < errs[1] < errs[2]


def test_representable_weights_are_exact():
    """Weights that are multiples of the chip's step convert with zero error and give identical spikes."""
    src = procs.RingBuffer(data=np.array([[1, 0, 1, 1], [0, 1, 1, 0]], float), name="src")
    d = procs.Dense(weights=np.array([[0.5, 0.25], [0.75, -0.5]]), name="d")
    lif = procs.LIF(shape=(2,), du=0.5, dv=0.25, vth=1.0, name="lif")
    src.s_out.connect(d.s_in)
    d.a_out.connect(lif.a_in)
    conv = to_fixed(lif)
    assert conv.report["d"].errors["weight_max_abs"] == 0.0
    mon = Monitor()
    mon.probe(lif.s_out, 20)
    lif.run(condition=caldera.RunSteps(num_steps=20), run_cfg=FLOAT)
    f = mon.get_data()["lif"]["s_out"]
    lif.stop()
    mon2 = Monitor()
    new = conv["lif"]
    mon2.probe(new.s_out, 20)
    new.run(condition=caldera.RunSteps(num_steps=20), run_cfg=LOIHI)
    x = mon2.get_data()["lif"]["s_out"]
    new.stop()
    np.testing.assert_array_equal(f != 0, x != 0)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31 - 1), st.floats(0.01, 100.0), st.integers(2, 8))
def test_weight_error_is_within_half_a_step(seed, magnitude, bits):
    """Every converted weight is within half a quantization step (plus truncation) of the float weight."""
    rng = np.random.default_rng(seed)
    w = rng.normal(0, magnitude, (6, 5))
    d = procs.Dense(weights=w, name="d")
    lif = procs.LIF(shape=(6,), du=0.1, dv=0.1, vth=magnitude, name="lif")
    d.a_out.connect(lif.a_in)
    conv = to_fixed(lif, num_weight_bits=bits)
    q = conv.report["d"]
    step = 2.0 ** (8 - bits + 1) * 2.0 ** q.params["weight_exp"] * 64.0 / q.scale  # MIXED: one bit for the sign
    assert q.errors["weight_max_abs"] <= step / 2 + 1e-9 * magnitude


def test_bad_input():
    lif = procs.LIF(shape=(2,), du=0.1, dv=0.1, vth=0.0)
    with pytest.raises(ParameterError, match=r"vth=0.0 must be > 0"):
        to_fixed(lif)
    a = procs.LIF(shape=(2,), vth=1.0)
    s = procs.SigmaDelta(shape=(2,), vth=1.0)
    a.s_out.connect(s.a_in)
    with pytest.raises(ParameterError, match="SigmaDelta .* not supported"):
        to_fixed(a)
    src = procs.RingBuffer(data=np.full((2, 3), 0.5))
    d = procs.Dense(weights=np.eye(2))
    lif = procs.LIF(shape=(2,), vth=1.0)
    src.s_out.connect(d.s_in)
    d.a_out.connect(lif.a_in)
    with pytest.raises(ParameterError, match="binary spikes"):
        to_fixed(lif)
    with pytest.raises(ParameterError, match="num_weight_bits"):
        to_fixed(procs.LIF(shape=(1,), vth=1.0), num_weight_bits=9)
    r = procs.LIF(shape=(4,), vth=1.0)
    t = procs.LIF(shape=(2, 2), vth=1.0)
    d2 = procs.Dense(weights=np.eye(4))
    r.s_out.connect(d2.s_in)
    d2.a_out.reshape((2, 2)).connect(t.a_in)
    with pytest.raises(ParameterError, match="virtual"):
        to_fixed(r)


def test_agreement_metric():
    a = np.zeros((10, 2), bool)
    a[[1, 5], 0] = True
    b = np.zeros((10, 2), bool)
    b[[2, 8], 0] = True
    m = spike_agreement(a, b, window=1)
    assert m["coincidence"] == pytest.approx(0.5) and m["count_rel_diff"] == 0
    assert spike_agreement(a, a)["coincidence"] == 1.0


def test_bias_follows_the_float_model():
    """The floating_pt LIF adds bias_mant and ignores bias_exp; the conversion does the same and says so."""
    lif = procs.LIF(shape=(3,), du=0.5, dv=0.5, vth=1.0, bias_mant=np.array([0.25, -0.5, 0.0]), bias_exp=3, name="b")
    q = to_fixed(lif).report["b"]
    realised = q.params["bias_mant"] * 2.0 ** q.params["bias_exp"] / q.scale
    np.testing.assert_allclose(realised, [0.25, -0.5, 0.0])
    assert any("bias_exp is ignored" in w for w in q.warnings)
