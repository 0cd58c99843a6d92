"""Plots of field activity written to image files (matplotlib, Agg; ``pip install caldera-dnf[plot]``)."""

from __future__ import annotations

import os
import typing as ty

import numpy as np

from caldera_dnf.inspect import sliding_rate


def _pyplot():
    try:
        import matplotlib
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("caldera_dnf.plot needs matplotlib: pip install 'caldera-dnf[plot]'") from exc
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def _spikes_2d(spikes: ty.Any, what: str) -> np.ndarray:
    s = np.asarray(spikes)
    if s.ndim < 2 or s.shape[0] == 0:
        raise ValueError(f"{what}: <spikes> must have shape (steps, *field_shape), got {s.shape}")
    return s.reshape(s.shape[0], -1)


def raster_plot(spikes: ty.Any, path: str | os.PathLike, window: int = 10, title: str | None = None) -> str:
    """Write a raster plot (x: step, y: neuron, flattened) coloured by each spike's sliding rate; return the path."""
    s = _spikes_2d(spikes, "raster_plot")
    rates = sliding_rate(s, window)
    t, n = np.nonzero(s)
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 4))
    sc = ax.scatter(t + 1, n, c=rates[t, n], marker="|", s=12, cmap="viridis", vmin=0, vmax=1)
    fig.colorbar(sc, ax=ax, label=f"rate ({window}-step window)")
    ax.set_xlim(0.5, s.shape[0] + 0.5)
    ax.set_ylim(-0.5, s.shape[1] - 0.5)
    ax.set_xlabel("time step")
    ax.set_ylabel("neuron")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return os.fspath(path)


def activity_heatmap(spikes: ty.Any, path: str | os.PathLike, window: int = 10, title: str | None = None) -> str:
    """Write a heat map of the sliding spike rate (x: step, y: neuron, flattened); return the path."""
    s = _spikes_2d(spikes, "activity_heatmap")
    rates = sliding_rate(s, window)
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 4))
    im = ax.imshow(
        rates.T,
        aspect="auto",
        origin="lower",
        interpolation="nearest",
        cmap="magma",
        extent=(0.5, s.shape[0] + 0.5, -0.5, s.shape[1] - 0.5),
        vmin=0,
        vmax=max(1e-9, rates.max()),
    )
    fig.colorbar(im, ax=ax, label=f"rate ({window}-step window)")
    ax.set_xlabel("time step")
    ax.set_ylabel("neuron")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return os.fspath(path)


def frame_strip(
    frames: ty.Sequence[np.ndarray],
    path: str | os.PathLike,
    titles: ty.Sequence[str] | None = None,
    overlays: ty.Sequence[ty.Sequence[tuple[float, float]]] | None = None,
) -> str:
    """Write 2-D frames (e.g. a 2-D field's rates at some steps) side by side; ``overlays`` marks points (row, col)."""
    if not frames:
        raise ValueError("frame_strip: <frames> is empty")
    arrs = [np.asarray(f, dtype=float) for f in frames]
    if any(a.ndim != 2 for a in arrs):
        raise ValueError("frame_strip: every frame must be 2-D")
    vmax = max(1e-9, max(float(a.max()) for a in arrs))
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(arrs), figsize=(2.2 * len(arrs), 2.6), squeeze=False)
    for k, (ax, a) in enumerate(zip(axes[0], arrs, strict=True)):
        ax.imshow(a, origin="lower", cmap="magma", vmin=0, vmax=vmax, interpolation="nearest")
        if overlays is not None:
            for r, c in overlays[k]:
                ax.plot([c], [r], marker="+", color="cyan", markersize=9, mew=2)
        if titles is not None:
            ax.set_title(titles[k], fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return os.fspath(path)


__all__ = ["raster_plot", "activity_heatmap", "frame_strip"]
