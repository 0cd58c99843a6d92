"""The regimes of lava-dnf's tutorial on a 15-neuron field, on ``cpu`` in both tags.

``fixed_pt`` is compared spike for spike with rasters recorded from Lava 0.10 + lava-dnf 0.3
(data/lava_regimes, made by data/lava_regimes/record.py); both tags are checked for the behaviour
the regimes are about. Both tags use the integer weights of ``connect(..., weight_scale=1)``: what
Lava's ``fixed_pt`` Sparse model makes of lava-dnf's float kernels.
"""

from __future__ import annotations

import pathlib

import caldera_dnf as dnf
import numpy as np
import pytest

from ._net import FieldWithInputs

DATA = pathlib.Path(__file__).parent / "data" / "lava_regimes"
TAGS = ["fixed_pt", "floating_pt"]
MEANS = [11.25, 3.75]
STDDEV = 2.25
SELECTION = [(1, 10000, 0), (99, 10000, 10000), (100, 0, 10000), (100, 0, 0)]
RAMP = [(100, 0, 0), (100, 2300, 2300), (100, 11200, 11200), (200, 2300, 2300), (200, 0, 0)]
KERNELS = {
    "selection": lambda: dnf.SelectiveKernel(amp_exc=20, width_exc=2.25, global_inh=-15),
    "detection": lambda: dnf.MultiPeakKernel(amp_exc=83, width_exc=3.75, amp_inh=-70, width_inh=7.5),
    "memory": lambda: dnf.MultiPeakKernel(amp_exc=32, width_exc=2.5, amp_inh=-18, width_inh=4.5),
}
SCHEDULES = {"selection": SELECTION, "detection": RAMP, "memory": RAMP}


def run_regime(name: str, tag: str) -> np.ndarray:
    schedule = SCHEDULES[name]
    net = FieldWithInputs((15,), KERNELS[name](), MEANS, STDDEV, tag, sum(s[0] for s in schedule))
    return net.run_schedule(schedule)


def positions(spikes: np.ndarray, step: int) -> list[float]:
    """Peak positions at ``step`` (1-based) on the 10-step sliding rate > 0.15."""
    return [p.position[0] for p in dnf.find_peaks(dnf.sliding_rate(spikes, 10)[step - 1], 0.15)]


def last_spike(spikes: np.ndarray) -> int:
    active = np.nonzero(spikes.reshape(len(spikes), -1).any(axis=1))[0]
    return int(active.max()) + 1 if active.size else 0


@pytest.mark.parametrize("name", list(KERNELS))
def test_fixed_pt_matches_lava_spike_for_spike(name):
    expected = np.load(DATA / f"{name}.npz")["spikes"]
    got = run_regime(name, "fixed_pt")
    assert got.shape == expected.shape
    mismatch = np.nonzero((got != expected).any(axis=1))[0]
    assert mismatch.size == 0, f"first differing step: {mismatch[:1] + 1}"


@pytest.mark.parametrize("tag", TAGS)
def test_selection(tag):
    s = run_regime("selection", tag)
    counts = dnf.peak_counts(s, 10, 0.15)
    assert counts.max() == 1  # never more than one peak
    assert counts[10:100].min() == 1
    # the peak forms at the input that came first and stays when the competitor appears
    for t in (20, 60, 99, 100, 110):
        (p,) = positions(s, t)
        assert abs(p - 11.25) < 1.5
    # removing the winner moves the peak to the other input
    for t in (130, 180, 200):
        (p,) = positions(s, t)
        assert abs(p - 3.75) < 1.5
    # removing all input ends all spiking within ~10 steps
    assert 200 < last_spike(s) <= 212


@pytest.mark.parametrize("tag", TAGS)
def test_detection(tag):
    s = run_regime("detection", tag)
    counts = dnf.peak_counts(s, 10, 0.15)
    assert counts[:200].max() == 0  # no peak at 2300 (nor without input)
    assert counts[220:300].min() == counts[220:300].max() == 2  # two peaks at 11200
    assert sorted(round(p) for p in positions(s, 300)) == [3, 12]
    assert counts[300:500].min() == 2  # still there back at 2300: hysteresis
    assert 500 < last_spike(s) <= 525  # gone within ~25 steps of removing the input
    assert counts[535:].max() == 0


@pytest.mark.parametrize("tag", TAGS)
def test_working_memory(tag):
    s = run_regime("memory", tag)
    counts = dnf.peak_counts(s, 10, 0.15)
    assert counts[:200].max() == 0
    assert counts[220:700].min() == counts[220:700].max() == 2  # both peaks stay after the input is removed
    late = positions(s, 700)
    assert abs(late[0] - 3.75) < 1.5 and abs(late[1] - 11.25) < 1.5
    assert last_spike(s) == 700
