"""Peak detection helpers and the plots written to image files."""

from __future__ import annotations

import caldera_dnf as dnf
import numpy as np
import pytest
from caldera_dnf import plot
from hypothesis import given, settings
from hypothesis import strategies as st

from .test_regimes_1d import run_regime

PNG = b"\x89PNG\r\n\x1a\n"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.booleans(), min_size=3, max_size=3), min_size=1, max_size=30), st.integers(1, 12))
def test_sliding_rate_is_trailing_mean(rows, window):
    s = np.array(rows)
    r = dnf.sliding_rate(s, window)
    for t in range(len(s)):
        np.testing.assert_allclose(r[t], s[max(0, t - window + 1) : t + 1].sum(axis=0) / window)


def test_find_peaks_1d_positions_widths():
    a = np.array([0, 0.5, 1.0, 0.5, 0, 0, 0.9, 0.9, 0, 0.3])
    peaks = dnf.find_peaks(a, threshold=0.15)
    np.testing.assert_allclose([p.position[0] for p in peaks], [2.0, 6.5, 9.0])
    assert [p.width for p in peaks] == [(3,), (2,), (1,)]
    assert [p.size for p in peaks] == [3, 2, 1] and peaks[0].amplitude == 1.0
    # on a ring, the last neuron touches the first
    a[0] = 0.4
    ring = dnf.find_peaks(a, threshold=0.15, circular=True)
    assert len(ring) == 2 and ring[0].width == (5,) and ring[0].size == 5 and 1 < ring[0].position[0] < 2
    assert dnf.count_peaks(np.zeros(5)) == 0


def test_find_peaks_2d():
    a = np.zeros((8, 8))
    a[1:3, 2:5] = 1
    a[6, 6] = 0.5
    peaks = dnf.find_peaks(a)
    assert [(p.position, p.width, p.size) for p in peaks] == [((1.5, 3.0), (2, 3), 6), ((6.0, 6.0), (1, 1), 1)]
    a[7, 0] = a[0, 0] = 1  # touch across the first axis only when it is circular
    assert dnf.count_peaks(a, circular=[True, False]) == 3
    assert dnf.count_peaks(a, circular=False) == 4
    with pytest.raises(ValueError, match="circular"):
        dnf.find_peaks(a, circular=[True])


def test_peaks_over_time_and_errors():
    s = np.zeros((20, 5), dtype=bool)
    s[5:, 2] = True
    per_step = dnf.peaks_over_time(s, window=4, threshold=0.3)
    assert [len(p) for p in per_step] == list(dnf.peak_counts(s, window=4, threshold=0.3))
    assert len(per_step[4]) == 0 and per_step[8][0].position == (2.0,)
    with pytest.raises(ValueError, match="window"):
        dnf.sliding_rate(s, 0)
    with pytest.raises(ValueError, match="steps"):
        dnf.sliding_rate(np.zeros(5), 2)


def test_plots_written_to_files(tmp_path):
    pytest.importorskip("matplotlib")
    s = run_regime("selection", "fixed_pt")
    raster = plot.raster_plot(s, tmp_path / "raster.png", title="selection")
    heat = plot.activity_heatmap(s, tmp_path / "heat.png")
    frames = [np.random.default_rng(k).random((6, 6)) for k in range(3)]
    strip = plot.frame_strip(frames, tmp_path / "strip.png", titles=["a", "b", "c"], overlays=[[(1, 2)], [], []])
    for path in (raster, heat, strip):
        data = open(path, "rb").read()
        assert data.startswith(PNG) and len(data) > 2000
    with pytest.raises(ValueError, match="spikes"):
        plot.raster_plot(np.zeros(4), tmp_path / "bad.png")
    with pytest.raises(ValueError, match="2-D"):
        plot.frame_strip([np.zeros(3)], tmp_path / "bad.png")
