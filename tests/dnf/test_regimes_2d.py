"""The regimes on 15x15 fields (both tags), and a 2-D -> 1-D projection with ``ReduceDims``.

Inputs sit at (11.25, 11.25) and (3.75, 3.75) (stddev 2.25 per dimension), kernels take one width per
dimension. Selection and working memory use the tutorial's parameters unchanged. For detection the
tutorial's ``amp_exc=83`` makes a 2-D field keep its peaks without input (a 2-D neighbourhood adds up
more excitation than a 1-D one), so the 2-D detection field uses ``amp_exc=80``.
"""

from __future__ import annotations

import caldera_dnf as dnf
import numpy as np
import pytest
from caldera.procs import Monitor

from ._net import FieldWithInputs
from .test_regimes_1d import RAMP, SELECTION, last_spike

TAGS = ["fixed_pt", "floating_pt"]
SHAPE = (15, 15)
MEANS = [[11.25, 11.25], [3.75, 3.75]]


def peaks_at(spikes: np.ndarray, step: int) -> list[tuple[float, ...]]:
    return [p.position for p in dnf.find_peaks(dnf.sliding_rate(spikes, 10)[step - 1], 0.15)]


def near(pos, target, tol=1.5) -> bool:
    return all(abs(a - b) < tol for a, b in zip(pos, target, strict=True))


@pytest.mark.parametrize("tag", TAGS)
def test_selection_2d(tag):
    kernel = dnf.SelectiveKernel(amp_exc=20, width_exc=[2.25, 2.25], global_inh=-15)
    s = FieldWithInputs(SHAPE, kernel, MEANS, 2.25, tag, 300).run_schedule(SELECTION)
    counts = dnf.peak_counts(s, 10, 0.15)
    assert counts.max() == 1
    for t in (30, 99, 100):
        (p,) = peaks_at(s, t)
        assert near(p, MEANS[0])
    for t in (150, 200):
        (p,) = peaks_at(s, t)
        assert near(p, MEANS[1])
    assert 200 < last_spike(s) <= 212


@pytest.mark.parametrize("tag", TAGS)
def test_detection_2d(tag):
    kernel = dnf.MultiPeakKernel(amp_exc=80, width_exc=[3.75, 3.75], amp_inh=-70, width_inh=[7.5, 7.5])
    s = FieldWithInputs(SHAPE, kernel, MEANS, 2.25, tag, 700).run_schedule(RAMP)
    counts = dnf.peak_counts(s, 10, 0.15)
    assert counts[:200].max() == 0
    assert counts[220:500].min() == counts[220:500].max() == 2  # two peaks at 11200, kept back at 2300
    assert all(near(p, m) for p, m in zip(peaks_at(s, 300), reversed(MEANS), strict=True))
    assert 500 < last_spike(s) <= 525
    assert counts[535:].max() == 0


@pytest.mark.parametrize("tag", TAGS)
def test_working_memory_2d(tag):
    kernel = dnf.MultiPeakKernel(amp_exc=32, width_exc=[2.5, 2.5], amp_inh=-18, width_inh=[4.5, 4.5])
    s = FieldWithInputs(SHAPE, kernel, MEANS, 2.25, tag, 700).run_schedule(RAMP)
    counts = dnf.peak_counts(s, 10, 0.15)
    assert counts[:200].max() == 0
    assert counts[220:].min() == counts[220:].max() == 2
    assert all(near(p, m) for p, m in zip(peaks_at(s, 700), reversed(MEANS), strict=True))


@pytest.mark.parametrize("tag", TAGS)
def test_projection_2d_to_1d(tag):
    """A selective 2-D field read out along each axis by two 1-D fields (ReduceDims + Weights)."""
    kernel = dnf.SelectiveKernel(amp_exc=20, width_exc=[2.25, 2.25], global_inh=-15)
    net = FieldWithInputs(SHAPE, kernel, [[11.25, 3.75], [3.75, 11.25]], 2.25, tag, 300)
    rows = dnf.lif_field((15,), tag=tag, name="rows")
    cols = dnf.lif_field((15,), tag=tag, name="cols")
    c_rows = dnf.connect(net.field.s_out, rows.a_in, [dnf.ReduceDims(1), dnf.Weights(40)], weight_scale=1)
    dnf.connect(net.field.s_out, cols.a_in, [dnf.ReduceDims(0, "SUM"), dnf.Weights(40)], weight_scale=1)
    # every 2-D neuron (i, j) projects onto neuron i of the row field
    w = c_rows.weights.get().toarray()
    assert w.shape == (15, 225) and set(np.unique(w)) == {0, 40} and np.all((w != 0).sum(axis=0) == 1)
    mon = Monitor()
    mon.probe(rows.s_out, 300)
    mon.probe(cols.s_out, 300)
    net.run(100, 10000, 0)
    net.run(100, 0, 10000)
    net.run(100, 0, 0)
    data = mon.get_data()
    s_rows, s_cols = data["rows"]["s_out"] != 0, data["cols"]["s_out"] != 0
    s2 = net.spikes()
    for t, (r, c) in ((60, (11.25, 3.75)), (100, (11.25, 3.75)), (160, (3.75, 11.25)), (200, (3.75, 11.25))):
        (p2,) = peaks_at(s2, t)
        assert near(p2, (r, c))
        (pr,) = peaks_at(s_rows, t)
        (pc,) = peaks_at(s_cols, t)
        assert abs(pr[0] - r) < 1.5 and abs(pc[0] - c) < 1.5
    assert dnf.peak_counts(s_rows)[260:].max() == 0 and dnf.peak_counts(s_cols)[260:].max() == 0
