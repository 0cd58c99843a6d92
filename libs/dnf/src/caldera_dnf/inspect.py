"""Inspecting field activity: sliding spike rates and peaks (positions, widths) at a step."""

from __future__ import annotations

import dataclasses
import typing as ty

import numpy as np


def sliding_rate(spikes: ty.Any, window: int = 10) -> np.ndarray:
    """Spike rate of every neuron over the last ``window`` steps (steps before the first count as silent).

    ``spikes`` has shape ``(steps, *field_shape)`` (e.g. a Monitor trace of ``s_out``); the result has
    the same shape, row ``t`` being the mean of rows ``t - window + 1 .. t``.
    """
    s = np.asarray(spikes, dtype=float)
    if s.ndim < 2:
        raise ValueError(f"sliding_rate: <spikes> must have shape (steps, *field_shape), got {s.shape}")
    if not isinstance(window, (int, np.integer)) or window < 1:
        raise ValueError(f"sliding_rate: <window> must be an int >= 1, got {window!r}")
    c = np.cumsum(s, axis=0)
    out = c.copy()
    out[window:] = c[window:] - c[:-window]
    return out / window


@dataclasses.dataclass(frozen=True)
class Peak:
    """A connected region of active neurons.

    ``position``: activity-weighted centre (neuron coordinates, one per dimension; on circular
    dimensions taken on the circle, in ``[0, n)``); ``width``: extent in neurons per dimension;
    ``size``: number of active neurons; ``amplitude``: the largest activity in the region.
    """

    position: tuple[float, ...]
    width: tuple[int, ...]
    size: int
    amplitude: float


def _circular_flags(circular: bool | ty.Sequence[bool], ndim: int) -> list[bool]:
    if isinstance(circular, (bool, np.bool_)):
        return [bool(circular)] * ndim
    flags = [bool(c) for c in circular]
    if len(flags) != ndim:
        raise ValueError(f"find_peaks: <circular> needs one flag per dimension ({ndim}), got {len(flags)}")
    return flags


def find_peaks(activity: ty.Any, threshold: float = 0.15, circular: bool | ty.Sequence[bool] = False) -> list[Peak]:
    """Peaks of a field at one step: connected regions (faces touching) where ``activity > threshold``.

    ``activity`` has the field's shape (e.g. one row of :func:`sliding_rate`). With ``circular`` (per
    dimension or for all), regions touching across opposite borders are one peak. Peaks are sorted by
    position.
    """
    a = np.asarray(activity, dtype=float)
    if a.ndim == 0:
        a = a.reshape(1)
    flags = _circular_flags(circular, a.ndim)
    from scipy import ndimage  # imported on use: plugins load at every first compile

    labels, n = ndimage.label(a > threshold)
    if n == 0:
        return []
    parent = list(range(n + 1))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for d, flag in enumerate(flags):
        if flag and a.shape[d] > 1:
            first, last = np.take(labels, 0, axis=d), np.take(labels, -1, axis=d)
            for x, y in zip(first.reshape(-1), last.reshape(-1), strict=True):
                if x and y:
                    parent[root(x)] = root(y)
    groups: dict[int, list[int]] = {}
    for lab in range(1, n + 1):
        groups.setdefault(root(lab), []).append(lab)
    peaks = []
    for labs in groups.values():
        mask = np.isin(labels, labs)
        idx = np.nonzero(mask)
        weights = a[idx]
        pos, width = [], []
        for d, coords in enumerate(idx):
            size_d = a.shape[d]
            if flags[d]:
                ang = 2 * np.pi * coords / size_d
                mean = np.arctan2(np.sum(weights * np.sin(ang)), np.sum(weights * np.cos(ang)))
                pos.append(float((mean * size_d / (2 * np.pi)) % size_d))
                present = np.unique(coords)
                gaps = np.diff(np.concatenate([present, [present[0] + size_d]]))
                width.append(int(size_d - gaps.max() + 1))
            else:
                pos.append(float(np.sum(weights * coords) / np.sum(weights)))
                width.append(int(coords.max() - coords.min() + 1))
        peaks.append(Peak(tuple(pos), tuple(width), int(mask.sum()), float(weights.max())))
    return sorted(peaks, key=lambda p: p.position)


def count_peaks(activity: ty.Any, threshold: float = 0.15, circular: bool | ty.Sequence[bool] = False) -> int:
    """Number of peaks :func:`find_peaks` finds."""
    return len(find_peaks(activity, threshold, circular))


def peaks_over_time(
    spikes: ty.Any, window: int = 10, threshold: float = 0.15, circular: bool | ty.Sequence[bool] = False
) -> list[list[Peak]]:
    """For every step, the peaks of the ``window``-step sliding rate of ``spikes`` ``(steps, *field_shape)``."""
    rates = sliding_rate(spikes, window)
    return [find_peaks(r, threshold, circular) for r in rates]


def peak_counts(
    spikes: ty.Any, window: int = 10, threshold: float = 0.15, circular: bool | ty.Sequence[bool] = False
) -> np.ndarray:
    """Number of peaks at every step (see :func:`peaks_over_time`)."""
    return np.array([len(p) for p in peaks_over_time(spikes, window, threshold, circular)], dtype=int)


__all__ = ["sliding_rate", "Peak", "find_peaks", "count_peaks", "peaks_over_time", "peak_counts"]
