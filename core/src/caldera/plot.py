"""Plots of Monitor data with matplotlib (``pip install 'caldera[plot]'``): ``raster``, ``voltage``, ``rates``.

Each takes either an array recorded by a Monitor (shape ``(steps, *shape)``, row ``t - 1`` = step t) or a
Monitor together with the probed process (or its name) and the member, and returns the matplotlib
``Axes`` it drew on (a new figure unless ``ax`` is given). The run report uses the same functions.
"""

from __future__ import annotations

import typing as ty

import numpy as np

from caldera.errors import ParameterError


def _pyplot() -> ty.Any:
    try:  # without a display, matplotlib picks its file-only backend (Agg) by itself
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ParameterError("caldera.plot needs matplotlib: pip install 'caldera[plot]'") from e
    return plt


def _data(source: ty.Any, proc: ty.Any, member: str, what: str) -> tuple[np.ndarray, str]:
    """The (steps, neurons) array to plot and a label."""
    if isinstance(source, np.ndarray) or isinstance(source, (list, tuple)):
        arr = np.asarray(source)
        label = str(proc) if proc is not None else member
    else:
        get = getattr(source, "get_data", None)
        if get is None:
            raise ParameterError(
                f"caldera.plot.{what}: give a Monitor (with the process it probed) or an array "
                f"(steps, neurons), got {type(source).__name__}"
            )
        data = get()
        name = getattr(proc, "name", proc)
        if name is None:
            if len(data) != 1:
                raise ParameterError(
                    f"caldera.plot.{what}: this Monitor probes {', '.join(sorted(data))}: say which with proc="
                )
            name = next(iter(data))
        if name not in data:
            raise ParameterError(
                f"caldera.plot.{what}: the Monitor did not probe {name!r}; it probed {', '.join(sorted(data))}"
            )
        if member not in data[name]:
            raise ParameterError(
                f"caldera.plot.{what}: the Monitor probed {', '.join(sorted(data[name]))} of {name!r}, not {member!r}"
            )
        arr = np.asarray(data[name][member])
        label = f"{name}.{member}"
    if arr.ndim < 1 or arr.shape[0] == 0:
        raise ParameterError(f"caldera.plot.{what}: no steps to plot (array of shape {arr.shape})")
    return arr.reshape(arr.shape[0], -1), label


def _axes(ax: ty.Any, size: tuple[float, float]) -> ty.Any:
    if ax is not None:
        return ax
    plt = _pyplot()
    _, ax = plt.subplots(figsize=size)
    return ax


def raster(
    source: ty.Any, proc: ty.Any = None, member: str = "s_out", ax: ty.Any = None, gid: str | None = None
) -> ty.Any:
    """Spike raster: a tick at (step, neuron) for every non-zero entry. ``gid`` names the SVG group of the ticks."""
    arr, label = _data(source, proc, member, "raster")
    t, i = np.nonzero(arr)
    ax = _axes(ax, (8, 3))
    ax.plot(t + 1, i, linestyle="none", marker="|", markersize=4, color="#111827", gid=gid)
    ax.set_xlim(0.5, arr.shape[0] + 0.5)
    ax.set_ylim(-1, arr.shape[1])
    ax.set_xlabel("step")
    ax.set_ylabel("neuron")
    ax.set_title(f"{label}: {len(t)} spikes")
    return ax


def voltage(source: ty.Any, proc: ty.Any = None, member: str = "v", neurons: ty.Any = 8, ax: ty.Any = None) -> ty.Any:
    """Traces of ``member`` (default ``v``) over steps for the first ``neurons`` neurons (or the given indices)."""
    arr, label = _data(source, proc, member, "voltage")
    idx = np.arange(min(int(neurons), arr.shape[1])) if np.isscalar(neurons) else np.asarray(neurons, dtype=int)
    if idx.size and (idx.min() < 0 or idx.max() >= arr.shape[1]):
        raise ParameterError(f"caldera.plot.voltage: neuron indices must be in 0..{arr.shape[1] - 1}")
    ax = _axes(ax, (8, 3))
    steps = np.arange(1, arr.shape[0] + 1)
    for k in idx:
        ax.plot(steps, arr[:, k], linewidth=1, label=f"{k}")
    ax.set_xlabel("step")
    ax.set_ylabel(member)
    ax.set_title(f"{label} (neurons {', '.join(map(str, idx[:10]))}{'…' if idx.size > 10 else ''})")
    return ax


def rates(source: ty.Any, proc: ty.Any = None, member: str = "s_out", window: int = 10, ax: ty.Any = None) -> ty.Any:
    """Population rate over time: spikes per neuron per step, averaged over a sliding ``window`` of steps."""
    if not (isinstance(window, int) and window >= 1):
        raise ParameterError(f"caldera.plot.rates: window must be an int >= 1, got {window!r}")
    arr, label = _data(source, proc, member, "rates")
    per_step = np.count_nonzero(arr, axis=1) / arr.shape[1]
    w = min(window, per_step.size)
    smooth = np.convolve(per_step, np.ones(w) / w, mode="valid")
    ax = _axes(ax, (8, 2.5))
    ax.plot(np.arange(w, per_step.size + 1), smooth, linewidth=1.2, label=label)
    ax.set_xlabel("step")
    ax.set_ylabel("spikes / neuron / step")
    ax.set_title(f"{label}: rate (window {w})")
    return ax


__all__ = ["raster", "voltage", "rates"]
