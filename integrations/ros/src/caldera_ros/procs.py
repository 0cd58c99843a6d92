"""Encoders and decoders as caldera processes: definitions only (their models are in ``caldera_ros.models``).

They need no ROS: a network fed by an ``Injector`` (or any other source) can use them as they are.

Encoders take graded values at ``a_in`` and send spikes at ``s_out``:

* ``RateEncoder``: rate coding; a value ``x`` in ``[lo, hi]`` gives ``max_rate * (x - lo) / (hi - lo)``
  spikes per step, deterministically (a phase accumulator) or as a Bernoulli (Poisson) train.
* ``LatencyEncoder``: latency coding; the value at the start of each ``window``-step window sets when the one
  spike of that window comes: ``hi`` at once, ``lo`` (or below) never.

Delta (send-on-change) coding is the core's ``caldera.procs.DeltaEncoder``.

Decoders take spikes (or graded values) at ``a_in`` and send graded values at ``a_out``:

* ``SpikeCounter``: per-element spike counts over the last ``window`` steps (``rate=True``: counts / window).
* ``PopulationVector``: the count-weighted mean of per-neuron vectors (``vectors[i]`` for neuron ``i`` in
  C order), e.g. the centroid of a field's activity; ``default`` when no neuron spiked in the window.
* ``Argmax``: winner-take-all read-out: ``values[i]`` of the neuron with the most spikes in the window (the
  lowest index on ties), ``default`` when none spiked.
"""

from __future__ import annotations

import typing as ty

import numpy as np
from caldera.errors import ParameterError
from caldera.ports import InPort, OutPort
from caldera.process import Process
from caldera.procs._validate import integer, scalar, shape_of
from caldera.variable import Var


def _range(proc: str, lo: ty.Any, hi: ty.Any) -> tuple[float, float]:
    scalar(proc, "lo", lo)
    scalar(proc, "hi", hi)
    lo, hi = float(lo), float(hi)
    if not hi > lo:
        raise ParameterError(f"{proc}: hi must be greater than lo, got lo={lo}, hi={hi}")
    return lo, hi


class RateEncoder(Process):
    """Rate coding of graded input: ``max_rate * clip((x - lo) / (hi - lo), 0, 1)`` spikes per step."""

    def __init__(
        self,
        *,
        shape: ty.Any,
        lo: float = 0.0,
        hi: float = 1.0,
        max_rate: float = 1.0,
        poisson: bool = False,
        seed: int = 0,
        name: str | None = None,
    ) -> None:
        shape = shape_of("RateEncoder", shape)
        lo, hi = _range("RateEncoder", lo, hi)
        scalar("RateEncoder", "max_rate", max_rate)
        if not 0.0 < float(max_rate) <= 1.0:
            raise ParameterError(f"RateEncoder: max_rate is in spikes per step and must be in (0, 1], got {max_rate}")
        if not isinstance(poisson, bool):
            raise ParameterError(f"RateEncoder: poisson must be True or False, got {poisson!r}")
        seed = integer("RateEncoder", "seed", seed, lo=0)
        super().__init__(shape=shape, lo=lo, hi=hi, max_rate=float(max_rate), poisson=poisson, seed=seed, name=name)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        self.phase = Var(shape=shape, init=0.0)


class LatencyEncoder(Process):
    """Latency coding: one spike per ``window`` steps, ``round((1 - r) * (window - 1))`` steps into the window.

    ``r = (x - lo) / (hi - lo)`` is taken from the input in the window's first step (steps ``1, 1 + window,
    ...``); ``r <= 0`` sends no spike in that window, ``r >= 1`` spikes in the first step.
    """

    def __init__(
        self, *, shape: ty.Any, window: int = 10, lo: float = 0.0, hi: float = 1.0, name: str | None = None
    ) -> None:
        shape = shape_of("LatencyEncoder", shape)
        window = integer("LatencyEncoder", "window", window, lo=1)
        lo, hi = _range("LatencyEncoder", lo, hi)
        super().__init__(shape=shape, window=window, lo=lo, hi=hi, name=name)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        # the step of the current window at which each element spikes (-1: not in this window)
        self.fire_at = Var(shape=shape, init=-1)


class SpikeCounter(Process):
    """Spike counts (or rates, ``rate=True``) over the last ``window`` steps, sent every step."""

    def __init__(self, *, shape: ty.Any, window: int = 10, rate: bool = False, name: str | None = None) -> None:
        shape = shape_of("SpikeCounter", shape)
        window = integer("SpikeCounter", "window", window, lo=1)
        if not isinstance(rate, bool):
            raise ParameterError(f"SpikeCounter: rate must be True or False, got {rate!r}")
        super().__init__(shape=shape, window=window, rate=rate, name=name)
        self.a_in = InPort(shape=shape)
        self.a_out = OutPort(shape=shape)
        self.history = Var(shape=(window, *shape), init=0.0)


def _window_history(proc: Process, shape: tuple[int, ...], window: int) -> None:
    proc.a_in = InPort(shape=shape)
    proc.history = Var(shape=(window, *shape), init=0.0)


class PopulationVector(Process):
    """Count-weighted mean of ``vectors`` (one row per neuron, C order) over the last ``window`` steps.

    ``vectors`` has shape ``(N, d)`` with ``N`` the number of neurons; the output has shape ``(d,)``.
    With no spike in the window it sends ``default`` (a number, or ``d`` numbers).
    """

    def __init__(
        self,
        *,
        shape: ty.Any,
        vectors: ty.Any,
        window: int = 10,
        default: ty.Any = 0.0,
        name: str | None = None,
    ) -> None:
        shape = shape_of("PopulationVector", shape)
        window = integer("PopulationVector", "window", window, lo=1)
        vec = np.asarray(vectors, dtype=float)
        n = int(np.prod(shape))
        if vec.ndim == 1:
            vec = vec[:, None]
        if vec.ndim != 2 or vec.shape[0] != n or not np.all(np.isfinite(vec)):
            raise ParameterError(
                f"PopulationVector: vectors must be finite, of shape ({n}, d) for {n} neurons, "
                f"got shape {np.shape(vectors)}"
            )
        d = vec.shape[1]
        dflt = np.asarray(default, dtype=float)
        try:
            dflt = np.broadcast_to(dflt, (d,)).copy()
        except ValueError:
            raise ParameterError(
                f"PopulationVector: default must be a number or {d} numbers, got {default!r}"
            ) from None
        super().__init__(shape=shape, vectors=vec, window=window, default=dflt, name=name)
        _window_history(self, shape, window)
        self.a_out = OutPort(shape=(d,))

    @staticmethod
    def grid(shape: ty.Any) -> np.ndarray:
        """Each neuron's index as a vector (row, column, ...): with it the decoder gives the activity's centroid."""
        shape = shape_of("PopulationVector.grid", shape)
        return np.stack([g.reshape(-1) for g in np.indices(shape)], axis=1).astype(float)


class Argmax(Process):
    """Winner-take-all read-out: ``values[winner]``, the neuron with most spikes in the last ``window`` steps.

    Ties go to the lowest index (C order); ``values`` defaults to the flat index; with no spike in the window
    the output is ``default``. The output has shape ``(1,)``.
    """

    def __init__(
        self,
        *,
        shape: ty.Any,
        window: int = 10,
        values: ty.Any = None,
        default: float = -1.0,
        name: str | None = None,
    ) -> None:
        shape = shape_of("Argmax", shape)
        window = integer("Argmax", "window", window, lo=1)
        n = int(np.prod(shape))
        vals = np.arange(n, dtype=float) if values is None else np.asarray(values, dtype=float).reshape(-1)
        if vals.shape != (n,) or not np.all(np.isfinite(vals)):
            raise ParameterError(f"Argmax: values must be {n} finite numbers (one per neuron), got {values!r}")
        scalar("Argmax", "default", default)
        super().__init__(shape=shape, window=window, values=vals, default=float(default), name=name)
        _window_history(self, shape, window)
        self.a_out = OutPort(shape=(1,))


class StateReader(Process):
    """Sends, every step, the value that ``var`` held at the end of the previous step (raw state read-out).

    Reads through a RefPort in the management phase, so it shares the partition of ``var``'s process.
    """

    def __init__(self, *, var: Var, name: str | None = None) -> None:
        from caldera.ports import RefPort

        if not isinstance(var, Var) or var.process is None:
            raise ParameterError(f"StateReader: var must be a Var of a process, got {var!r}")
        super().__init__(name=name)
        shape = var.shape
        self.proc_params["shape"] = shape
        self.ref = RefPort(shape)
        self.ref.connect_var(var)
        self.a_out = OutPort(shape=shape)
        self.value = Var(shape=shape, init=0.0)


ENCODERS = ("rate", "latency", "delta", "raw")
DECODERS = ("count", "rate", "population", "argmax", "raw")

__all__ = [
    "RateEncoder",
    "LatencyEncoder",
    "SpikeCounter",
    "PopulationVector",
    "Argmax",
    "StateReader",
    "ENCODERS",
    "DECODERS",
]
