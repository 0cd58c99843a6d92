"""GaussPattern and RateCodeSpikeGen: the patterns they send, parameter changes between runs, spike trains."""

from __future__ import annotations

import caldera_dnf as dnf
import numpy as np
import pytest
from caldera import RunConfig, RunSteps
from caldera.errors import ParameterError
from caldera.procs import Monitor

TAGS = ["fixed_pt", "floating_pt"]


@pytest.mark.parametrize("tag", TAGS)
def test_gauss_pattern_sends_on_change_and_nan_otherwise(tag):
    pat = dnf.GaussPattern(shape=(6, 5), amplitude=3.0, mean=[2, 1], stddev=[1.5, 2.0], name="pat")
    mon = Monitor()
    mon.probe(pat.a_out, 6)
    cfg = RunConfig(backend="cpu", tag=tag)
    pat.run(condition=RunSteps(3), run_cfg=cfg)
    pat.amplitude = 5.0
    pat.mean = 4  # one value for every dimension
    pat.run(condition=RunSteps(2), run_cfg=cfg)
    pat.stddev = [1.0, 1.0]
    pat.run(condition=RunSteps(1), run_cfg=cfg)
    sent = mon.get_data()["pat"]["a_out"]
    pat.stop()
    np.testing.assert_allclose(sent[0], dnf.gauss((6, 5), amplitude=3.0, mean=[2, 1], stddev=[1.5, 2.0]))
    assert np.isnan(sent[1]).all() and np.isnan(sent[2]).all() and np.isnan(sent[4]).all()
    np.testing.assert_allclose(sent[3], dnf.gauss((6, 5), amplitude=5.0, mean=[4, 4], stddev=[1.5, 2.0]))
    np.testing.assert_allclose(sent[5], dnf.gauss((6, 5), amplitude=5.0, mean=[4, 4], stddev=[1.0, 1.0]))
    assert pat.amplitude == 5.0 and list(pat.mean) == [4, 4]


def run_gen(amplitudes, steps, seed=3, min_rate=0.5, shape=(4,)):
    """Drive a generator with patterns of the given constant values; return its spikes (steps, *shape)."""
    pat = dnf.GaussPattern(shape=shape, amplitude=1.0, mean=0, stddev=1e9, name="p")  # flat: value = amplitude
    gen = dnf.RateCodeSpikeGen(shape=shape, seed=seed, min_spike_rate=min_rate, name="g")
    pat.a_out.connect(gen.a_in)
    mon = Monitor()
    mon.probe(gen.s_out, steps * len(amplitudes))
    for amp in amplitudes:
        pat.amplitude = amp
        gen.run(condition=RunSteps(steps), run_cfg=RunConfig(backend="cpu", tag="fixed_pt"))
    out = mon.get_data()["g"]["s_out"] != 0
    gen.stop()
    return out


def test_rate_code_regular_trains():
    s = run_gen([2000.0], 30)  # 6000 / 2000 = one spike every 3 steps
    for col in s.T:
        t = np.flatnonzero(col) + 1
        assert 1 <= t[0] <= 3 and np.all(np.diff(t) == 3) and t.size == 10
    s = run_gen([10000.0], 10)  # faster than one per step: every step
    assert s.all()


def test_rate_code_seed_change_and_threshold():
    a, b = run_gen([600.0], 40, seed=5), run_gen([600.0], 40, seed=5)
    np.testing.assert_array_equal(a, b)
    rng = np.random.default_rng(5)
    first = rng.integers(np.ones(4, int), np.full(4, 10), endpoint=True)  # 6000 / 600: every 10 steps
    np.testing.assert_array_equal(np.argmax(a, axis=0) + 1, first)
    # a new pattern restarts the trains; a value at or below min_spike_rate never spikes
    s = run_gen([10000.0, 0.4], 5, min_rate=0.5)
    assert s[:5].all() and not s[5:].any()


def test_input_parameter_errors():
    with pytest.raises(ParameterError, match="shape"):
        dnf.GaussPattern(shape=(0,), amplitude=1, mean=0, stddev=1)
    with pytest.raises(ParameterError, match="mean"):
        dnf.GaussPattern(shape=(3, 3), amplitude=1, mean=[1, 2, 3], stddev=1)
    with pytest.raises(ParameterError, match="stddev"):
        dnf.GaussPattern(shape=3, amplitude=1, mean=1, stddev=-1)
    pat = dnf.GaussPattern(shape=3, amplitude=1, mean=1, stddev=1)
    with pytest.raises(ParameterError, match="amplitude"):
        pat.amplitude = float("inf")
    with pytest.raises(ParameterError, match="min_spike_rate"):
        dnf.RateCodeSpikeGen(shape=3, min_spike_rate=-1)
    with pytest.raises(ParameterError, match="seed"):
        dnf.RateCodeSpikeGen(shape=3, seed=-2)
    with pytest.raises(TypeError, match="unknown keyword"):
        dnf.RateCodeSpikeGen(shape=3, rate=2)


@pytest.mark.parametrize("tag", TAGS)
def test_lif_field_parameters(tag):
    f = dnf.lif_field((4,), tag=tag)
    if tag == "fixed_pt":
        assert f.du.get() == 409 and f.dv.get() == 2047 and f.vth.get() == 200
    else:
        assert f.du.get() == pytest.approx(410 / 4096) and f.dv.get() == pytest.approx(2047 / 4096)
    with pytest.raises(ParameterError, match="du"):
        dnf.lif_field((4,), du=5000)
    with pytest.raises(ParameterError, match="tag"):
        dnf.lif_field((4,), tag="bit_accurate")


def _trace(pat, runs):
    mon = Monitor()
    mon.probe(pat.a_out, sum(n for n, _ in runs))
    for n, setters in runs:
        for key, val in setters.items():
            setattr(pat, key, val)
        pat.run(condition=RunSteps(n), run_cfg=RunConfig(backend="cpu", tag="floating_pt"))
    out = mon.get_data()[pat.name]["a_out"]
    pat.stop()
    return out


def test_changes_during_a_run_equal_changes_between_runs():
    changes = [(4, {"amplitude": 2.0}), (7, {"mean": [1, 3], "stddev": 2.0}), (9, {"amplitude": 0.5, "mean": 0})]
    during = _trace(
        dnf.GaussPattern(shape=(4, 5), amplitude=1, mean=2, stddev=1, changes=changes, name="a"), [(10, {})]
    )
    between = _trace(
        dnf.GaussPattern(shape=(4, 5), amplitude=1, mean=2, stddev=1, name="b"),
        [(3, {}), (3, {"amplitude": 2.0}), (2, {"mean": [1, 3], "stddev": 2.0}), (2, {"amplitude": 0.5, "mean": 0})],
    )
    np.testing.assert_array_equal(np.isnan(during), np.isnan(between))
    np.testing.assert_allclose(np.nan_to_num(during), np.nan_to_num(between))
    assert [t for t in range(10) if not np.isnan(during[t]).any()] == [0, 3, 6, 8]
    with pytest.raises(ParameterError, match="unknown keys"):
        dnf.GaussPattern(shape=3, amplitude=1, mean=1, stddev=1, changes=[(2, {"width": 1})])
    with pytest.raises(ParameterError, match="step"):
        dnf.GaussPattern(shape=3, amplitude=1, mean=1, stddev=1, changes=[(0, {"amplitude": 1})])
