"""Lava's ``lava.utils.plots``: ``raster_plot`` of a spike train (needs matplotlib)."""

from __future__ import annotations

import typing as ty

import numpy as np

from lava._compat import missing


def raster_plot(
    spikes: np.ndarray,
    stride: int = 6,
    fig: ty.Any = None,
    figsize: tuple[int, int] | None = None,
    marker: str = "o",
    markersize: float = 1.5,
    color: ty.Any = "b",
    alpha: float = 1,
    xlabel: str = "Time Steps",
    ylabel: str = "Neurons",
) -> ty.Any:
    """Dots at (time, neuron) for the spikes of ``spikes`` (shape ``(neurons, time steps)``), every ``stride``-th
    neuron; returns the figure."""
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("lava.utils.plots.raster_plot needs matplotlib: pip install matplotlib") from None
    s = np.asarray(spikes)
    if s.ndim != 2:
        raise ValueError(f"raster_plot: spikes must be 2-D (neurons, time steps), got shape {s.shape}")
    if not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"raster_plot: stride must be a positive integer, got {stride!r}")
    fig = fig if fig is not None else plt.figure(figsize=figsize or (10, 5))
    ax = fig.gca() if hasattr(fig, "gca") else fig.subplots()
    neurons, times = np.nonzero(s[::stride])
    ax.plot(times, neurons * stride, linestyle="none", marker=marker, markersize=markersize, color=color, alpha=alpha)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_xlim(-0.5, s.shape[1] - 0.5)
    return fig


__all__ = ["raster_plot"]
__getattr__ = missing(__name__)
