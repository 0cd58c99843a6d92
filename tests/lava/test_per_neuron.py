"""LIF with one ``du``, ``dv`` and ``vth`` per neuron, as Lava's LIF models allow (their arithmetic is
elementwise): the numbers of Lava's models, computed here by a reference written after Lava's
``PyLifModelBitAcc`` (int64 products, sign * (|x| >> 12), 24-bit wrap of u, saturation of v) and
``PyLifModelFloat``, on every installed backend that runs them; the Loihi emulator refuses them."""

from __future__ import annotations

import numpy as np
import pytest
from caldera import plugins
from caldera.errors import ParameterError
from lava.magma.core.run_conditions import RunSteps
from lava.magma.core.run_configs import Loihi2HwCfg, Loihi2SimCfg
from lava.proc.io.source import RingBuffer as Source
from lava.proc.lif.process import LIF, LIFRefractory, LIFReset
from lava.proc.monitor.process import Monitor

CPU_BACKENDS = [b for b in ("cpu", "cython") if b in plugins.backends()]
T = 40


def _lava_fixed(u, v, du, dv, vth, bias_mant, bias_exp, inputs, reset=None):
    """Lava's fixed-point LIF (``PyLifModelBitAcc``), step by step: (v, spikes) per step."""
    u, v = np.asarray(u, np.int32).copy(), np.asarray(v, np.int32).copy()
    du, dv = np.asarray(du, np.int64), np.asarray(dv, np.int64)
    bias = np.left_shift(np.asarray(bias_mant, np.int32), np.asarray(bias_exp))
    vth_eff = np.left_shift(np.asarray(vth, np.int64), 6)
    vs, ss = [], []
    for t, a in enumerate(inputs, start=1):
        if reset is not None and t % reset[0] == reset[1]:
            u[:] = 0
            v[:] = 0
        du_prod = np.int64(u) * (4096 - (du + 1))
        cur = np.int32(np.sign(du_prod) * np.right_shift(np.abs(du_prod), 12)) + np.left_shift(a.astype(np.int32), 6)
        wrapped = np.where(cur > 2**23, cur - 2**24, cur)
        u = np.where(wrapped <= -(2**23), cur + 2**24, wrapped).astype(np.int32)
        dv_prod = np.int64(v) * (4096 - dv)
        vol = np.int32(np.sign(dv_prod) * np.right_shift(np.abs(dv_prod), 12)) + u + bias
        v = np.clip(vol, -(2**23) + 1, 2**23 - 1).astype(np.int32)
        s = v > vth_eff
        v[s] = 0
        vs.append(v.copy())
        ss.append(s)
    return np.array(vs), np.array(ss)


def _lava_float(u, v, du, dv, vth, bias_mant, inputs, refractory=None):
    """Lava's floating-point LIF (``PyLifModelFloat``; with ``refractory``, ``PyLifRefractoryModelFloat``)."""
    u, v = np.array(u, float), np.array(v, float)
    du, dv = np.asarray(du, float), np.broadcast_to(np.asarray(dv, float), v.shape)
    end = np.zeros(v.shape, int)
    vs, ss = [], []
    for t, a in enumerate(inputs, start=1):
        u = u * (1 - du) + a
        if refractory is None:
            v = v * (1 - dv) + u + bias_mant
        else:
            act = end < t
            v[act] = v[act] * (1 - dv[act]) + (u[act] + np.broadcast_to(bias_mant, v.shape)[act])
        s = v > vth
        if refractory is not None:
            end[s] = t + refractory
        v[s] = 0
        vs.append(v.copy())
        ss.append(s)
    return np.array(vs), np.array(ss)


def _run(lif, inputs, cfg):
    src = Source(data=inputs.T.copy())
    src.s_out.connect(lif.a_in)
    mon_v, mon_s = Monitor(), Monitor()
    mon_v.probe(lif.v, T)
    mon_s.probe(lif.s_out, T)
    lif.run(condition=RunSteps(num_steps=T), run_cfg=cfg)
    v = mon_v.get_data()[lif.name]["v"]
    s = mon_s.get_data()[lif.name]["s_out"]
    lif.stop()
    return v, s


@pytest.mark.parametrize("backend", CPU_BACKENDS)
def test_fixed_pt_per_neuron_decays_and_thresholds_are_lavas_numbers(backend) -> None:
    rng = np.random.default_rng(11)
    n = 9
    p = dict(
        du=rng.integers(0, 4096, n),
        dv=rng.integers(0, 4096, n),
        vth=rng.integers(1, 3000, n),
        bias_mant=rng.integers(-300, 900, n),
        bias_exp=rng.integers(0, 4, n),
        u=rng.integers(-(2**21), 2**21, n),
        v=rng.integers(-(2**20), 2**20, n),
    )
    p["du"][0], p["dv"][1] = 4095, 0  # a cleared current, a voltage that never decays
    inputs = rng.integers(-400, 400, (T, n))
    lif = LIF(shape=(n,), **p)
    assert lif.du.get().tolist() == p["du"].tolist() and lif.vth.get().shape == (n,)
    cfg = Loihi2SimCfg(select_tag="fixed_pt")
    cfg.backend = backend
    v, s = _run(lif, inputs, cfg)
    ref_v, ref_s = _lava_fixed(p["u"], p["v"], p["du"], p["dv"], p["vth"], p["bias_mant"], p["bias_exp"], inputs)
    np.testing.assert_array_equal(v, ref_v)
    np.testing.assert_array_equal(s != 0, ref_s)
    assert 0 < ref_s.sum() < ref_s.size  # some neurons fire, not all at every step


@pytest.mark.parametrize("backend", CPU_BACKENDS)
def test_floating_pt_per_neuron_parameters_are_lavas_numbers(backend) -> None:
    rng = np.random.default_rng(5)
    n = 6
    du, dv, vth = rng.uniform(0, 1, n), rng.uniform(0, 0.5, n), rng.uniform(0.5, 3, n)
    bias = rng.uniform(-0.1, 0.3, n)
    inputs = rng.uniform(-0.5, 1.0, (T, n))
    lif = LIF(shape=(n,), du=du, dv=dv, vth=vth, bias_mant=bias)
    cfg = Loihi2SimCfg(select_tag="floating_pt")
    cfg.backend = backend
    v, s = _run(lif, inputs, cfg)
    ref_v, ref_s = _lava_float(np.zeros(n), np.zeros(n), du, dv, vth, bias, inputs)
    np.testing.assert_allclose(v, ref_v, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(s != 0, ref_s)
    assert 0 < ref_s.sum() < ref_s.size


def test_per_neuron_parameters_in_two_populations_stepped_together() -> None:
    # two LIF populations of one model class are stepped as one (fusion): one with a value per neuron,
    # one with one value for all, each with its own numbers
    rng = np.random.default_rng(2)
    n = 5
    inputs = rng.integers(0, 300, (T, n))
    per = dict(du=rng.integers(0, 4096, n), dv=rng.integers(0, 4096, n), vth=rng.integers(50, 2000, n))
    one = dict(du=300, dv=700, vth=900)
    src = Source(data=inputs.T.copy())
    a, b = LIF(shape=(n,), **per), LIF(shape=(n,), **one)
    src.s_out.connect(a.a_in)
    src.s_out.connect(b.a_in)
    mon = Monitor()
    mon.probe(a.v, T)
    mon_b = Monitor()
    mon_b.probe(b.v, T)
    src.run(condition=RunSteps(num_steps=T), run_cfg=Loihi2SimCfg(select_tag="fixed_pt"))
    got_a, got_b = mon.get_data()[a.name]["v"], mon_b.get_data()[b.name]["v"]
    src.stop()
    zeros = np.zeros(n, int)
    ref_a, _ = _lava_fixed(zeros, zeros, per["du"], per["dv"], per["vth"], zeros, zeros, inputs)
    ref_b, _ = _lava_fixed(zeros, zeros, one["du"], one["dv"], one["vth"], zeros, zeros, inputs)
    np.testing.assert_array_equal(got_a, ref_a)
    np.testing.assert_array_equal(got_b, ref_b)


def test_lif_reset_and_refractory_with_per_neuron_parameters() -> None:
    rng = np.random.default_rng(8)
    n = 4
    inputs = rng.integers(0, 200, (T, n))
    du, dv, vth = rng.integers(0, 4096, n), rng.integers(0, 4096, n), rng.integers(100, 1500, n)
    lif = LIFReset(shape=(n,), du=du, dv=dv, vth=vth, reset_interval=7, reset_offset=3)
    v, _ = _run(lif, inputs, Loihi2SimCfg(select_tag="fixed_pt"))
    zeros = np.zeros(n, int)
    np.testing.assert_array_equal(v, _lava_fixed(zeros, zeros, du, dv, vth, zeros, zeros, inputs, reset=(7, 3))[0])

    finputs = rng.uniform(0, 1, (T, n))
    fdu, fdv, fvth = rng.uniform(0, 1, n), rng.uniform(0, 0.3, n), rng.uniform(0.5, 2, n)
    lif = LIFRefractory(shape=(n,), du=fdu, dv=fdv, vth=fvth, refractory_period=3)
    v, _ = _run(lif, finputs, Loihi2SimCfg(select_tag="floating_pt"))
    ref_v, ref_s = _lava_float(np.zeros(n), np.zeros(n), fdu, fdv, fvth, 0.0, finputs, refractory=3)
    np.testing.assert_allclose(v, ref_v, rtol=1e-12, atol=1e-12)
    assert ref_s.sum() > n


def test_per_neuron_var_set_between_runs_takes_effect() -> None:
    lif = LIF(shape=(3,), du=0, dv=[0, 2048, 4095], vth=np.full(3, 1000), v=[4096, 4096, 4096])
    assert lif.vth.get().tolist() == [1000, 1000, 1000]  # an array: one value per neuron (equal or not)
    lif.run(condition=RunSteps(num_steps=1), run_cfg=Loihi2SimCfg(select_tag="fixed_pt"))
    assert lif.v.get().tolist() == [4096, 2048, 1]  # 4096 * (4096 - dv) >> 12
    lif.dv.set(np.array([4095, 0, 0]))
    lif.vth.set(np.array([1000, 0, 1000]))  # vth << 6 = 0: 2048 > 0 fires and resets
    lif.run(condition=RunSteps(num_steps=1))
    assert lif.v.get().tolist() == [1, 0, 1]
    assert lif.dv.get().tolist() == [4095, 0, 0]
    lif.stop()


def test_bad_per_neuron_values_are_refused() -> None:
    with pytest.raises(ParameterError, match=r"LIF: dv of shape \(2,\) does not fit the population shape \(3,\)"):
        LIF(shape=(3,), dv=[1, 2])
    with pytest.raises(ParameterError, match="vth must be finite"):
        LIF(shape=(3,), vth=[1.0, np.inf, 2.0])
    lif = LIF(shape=(2,), du=[5000, 1])
    with pytest.raises(ParameterError, match=r"du=5000 is outside 0..4095"):
        lif.run(condition=RunSteps(num_steps=1), run_cfg=Loihi2SimCfg(select_tag="fixed_pt", value_checks="strict"))


@pytest.mark.skipif("loihi" not in plugins.backends(), reason="needs caldera-loihi")
def test_loihi_emulator_refuses_per_neuron_decays() -> None:
    lif = LIF(shape=(2,), du=[1, 2], dv=3, vth=10)
    with pytest.raises(ParameterError, match=r"du has one value per neuron; the Loihi emulator .* backend 'cpu'"):
        lif.run(condition=RunSteps(num_steps=1), run_cfg=Loihi2HwCfg())
    # the same values for every neuron are one value
    lif = LIF(shape=(2,), du=[7, 7], dv=3, vth=10, bias_mant=2)
    lif.run(condition=RunSteps(num_steps=2), run_cfg=Loihi2HwCfg())
    assert lif.v.get().tolist() == [3, 3]  # 2, then (2 * 4093) >> 12 = 1, + 2
    lif.stop()
