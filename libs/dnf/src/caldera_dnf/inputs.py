"""Input processes of dynamic neural fields: a Gaussian pattern and a rate-code spike generator.

``GaussPattern`` sends its pattern in the step it changes and a NaN "null pattern" in every other step
(lava-dnf's protocol); ``RateCodeSpikeGen`` turns each new pattern into regular spike trains. Connect
``GaussPattern.a_out`` to ``RateCodeSpikeGen.a_in`` directly (same step), and the generator's
``s_out`` to a field with :func:`caldera_dnf.connect`. Their models are untagged, so they run under
both ``floating_pt`` and ``fixed_pt``.
"""

from __future__ import annotations

import typing as ty

import numpy as np
from caldera.errors import ParameterError
from caldera.ports import InPort, OutPort
from caldera.process import Process
from caldera.variable import Var

#: the generator reads pattern values as spikes per minute of 6000 steps (lava-dnf's convention)
TIME_STEPS_PER_MINUTE = 6000.0


def _shape(proc: str, shape: ty.Any) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    if (
        not isinstance(shape, (tuple, list))
        or not shape
        or not all(isinstance(s, (int, np.integer)) and s >= 1 for s in shape)
    ):
        raise ParameterError(f"{proc}: <shape> must be an int or a non-empty tuple of ints >= 1, got {shape!r}")
    return tuple(int(s) for s in shape)


def _per_dim(proc: str, name: str, value: ty.Any, ndim: int) -> np.ndarray:
    arr = np.asarray(value, dtype=float).reshape(-1) if np.ndim(value) else np.array([float(value)])
    if arr.size == 1:
        arr = np.full(ndim, arr[0])
    if arr.shape != (ndim,):
        raise ParameterError(f"{proc}: <{name}> must be a number or {ndim} numbers (one per dimension), got {value!r}")
    if not np.all(np.isfinite(arr)):
        raise ParameterError(f"{proc}: <{name}> must be finite, got {value!r}")
    return arr


class GaussPattern(Process):
    """A Gaussian ``amplitude * exp(-(x - mean)^2 / (2 * stddev))`` over a field of ``shape`` (max = amplitude).

    As in lava-dnf, ``stddev`` is used as the variance of each dimension, and positions are neuron
    indices. ``amplitude``, ``mean`` and ``stddev`` are properties: setting them (before a run or while
    the network is paused) sends the new pattern in the next step. To change them *during* a run,
    give ``changes``: ``[(step, {"amplitude": a, "mean": m, "stddev": s}), ...]`` (any subset of the
    three keys), applied at those time steps (counted from the network's first step).
    """

    def __init__(
        self,
        *,
        shape: ty.Any,
        amplitude: float,
        mean: ty.Any,
        stddev: ty.Any,
        changes: ty.Sequence[tuple[int, dict]] | None = None,
        name: str | None = None,
    ) -> None:
        shape = _shape("GaussPattern", shape)
        if not np.isscalar(amplitude) or not np.isfinite(amplitude):
            raise ParameterError(f"GaussPattern: <amplitude> must be a finite number, got {amplitude!r}")
        mean_ = _per_dim("GaussPattern", "mean", mean, len(shape))
        stddev_ = _per_dim("GaussPattern", "stddev", stddev, len(shape))
        if np.any(stddev_ <= 0):
            raise ParameterError(f"GaussPattern: <stddev> must be > 0, got {stddev!r}")
        plan = self._validate_changes(shape, changes)
        super().__init__(shape=shape, amplitude=amplitude, mean=mean_, stddev=stddev_, changes=plan, name=name)
        self._amplitude = Var(shape=(1,), init=np.array([float(amplitude)]))
        self._mean = Var(shape=(len(shape),), init=mean_)
        self._stddev = Var(shape=(len(shape),), init=stddev_)
        self.pattern = Var(shape=shape, init=np.zeros(shape))
        self.changed = Var(shape=(1,), init=np.array([True]))
        self.a_out = OutPort(shape=shape)

    @staticmethod
    def _validate_changes(shape: tuple[int, ...], changes: ty.Any) -> dict[int, dict[str, ty.Any]]:
        plan: dict[int, dict[str, ty.Any]] = {}
        for item in changes or ():
            try:
                step, params = item
            except (TypeError, ValueError):
                raise ParameterError(
                    f"GaussPattern: each entry of <changes> must be (step, dict), got {item!r}"
                ) from None
            if not isinstance(step, (int, np.integer)) or step < 1 or not isinstance(params, dict):
                raise ParameterError(
                    f"GaussPattern: <changes> entry {item!r}: step must be an int >= 1 and the changes a dict"
                )
            unknown = set(params) - {"amplitude", "mean", "stddev"}
            if unknown:
                raise ParameterError(
                    f"GaussPattern: <changes> at step {step}: unknown keys {sorted(unknown)}; "
                    "allowed: amplitude, mean, stddev"
                )
            entry = plan.setdefault(int(step), {})
            if "amplitude" in params:
                if not np.isscalar(params["amplitude"]) or not np.isfinite(params["amplitude"]):
                    raise ParameterError(f"GaussPattern: <changes> at step {step}: amplitude must be a finite number")
                entry["amplitude"] = float(params["amplitude"])
            for key in ("mean", "stddev"):
                if key in params:
                    arr = _per_dim("GaussPattern", f"changes[{step}].{key}", params[key], len(shape))
                    if key == "stddev" and np.any(arr <= 0):
                        raise ParameterError(f"GaussPattern: <changes> at step {step}: stddev must be > 0")
                    entry[key] = arr
        return plan

    @property
    def shape(self) -> tuple[int, ...]:
        return self.proc_params["shape"]

    @property
    def amplitude(self) -> float:
        return float(np.asarray(self._amplitude.get()).reshape(-1)[0])

    @amplitude.setter
    def amplitude(self, value: float) -> None:
        if not np.isscalar(value) or not np.isfinite(value):
            raise ParameterError(f"{self.name}: <amplitude> must be a finite number, got {value!r}")
        self._amplitude.set(np.array([float(value)]))
        self.changed.set(np.array([True]))

    @property
    def mean(self) -> np.ndarray:
        return np.asarray(self._mean.get(), dtype=float)

    @mean.setter
    def mean(self, value: ty.Any) -> None:
        self._mean.set(_per_dim(self.name, "mean", value, len(self.shape)))
        self.changed.set(np.array([True]))

    @property
    def stddev(self) -> np.ndarray:
        return np.asarray(self._stddev.get(), dtype=float)

    @stddev.setter
    def stddev(self, value: ty.Any) -> None:
        arr = _per_dim(self.name, "stddev", value, len(self.shape))
        if np.any(arr <= 0):
            raise ParameterError(f"{self.name}: <stddev> must be > 0, got {value!r}")
        self._stddev.set(arr)
        self.changed.set(np.array([True]))


class RateCodeSpikeGen(Process):
    """Regular spike trains whose rates follow the last pattern received on ``a_in``.

    A pattern value ``r`` (> ``min_spike_rate``) gives one spike every ``round(6000 / r)`` steps (a value
    of 6000 and above: every step); the first spike of each neuron falls at a random step in
    ``[1, distance]`` after the pattern arrives (``numpy.random.default_rng(seed)``, reseeded at every new
    pattern; ``seed=-1`` draws fresh entropy). Values at or below ``min_spike_rate`` never spike. NaN
    patterns (the null pattern) leave the trains running.
    """

    def __init__(self, *, shape: ty.Any, min_spike_rate: float = 0.5, seed: int = -1, name: str | None = None) -> None:
        shape = _shape("RateCodeSpikeGen", shape)
        if not np.isscalar(min_spike_rate) or not np.isfinite(min_spike_rate) or min_spike_rate < 0:
            raise ParameterError(f"RateCodeSpikeGen: <min_spike_rate> must be a number >= 0, got {min_spike_rate!r}")
        if not isinstance(seed, (int, np.integer)) or seed < -1:
            raise ParameterError(f"RateCodeSpikeGen: <seed> must be an int >= 0, or -1 for a random seed; got {seed!r}")
        super().__init__(shape=shape, min_spike_rate=float(min_spike_rate), seed=int(seed), name=name)
        self.min_spike_rate = Var(shape=(1,), init=np.array([float(min_spike_rate)]))
        self.seed = Var(shape=(1,), init=np.array([int(seed)]))
        self.inter_spike_distances = Var(shape=shape, init=np.zeros(shape, dtype=np.int64))
        self.first_spike_times = Var(shape=shape, init=np.zeros(shape, dtype=np.int64))
        self.last_spiked = Var(shape=shape, init=np.full(shape, -np.inf))
        self.spikes = Var(shape=shape, init=np.zeros(shape, dtype=bool))
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.proc_params["shape"]


__all__ = ["GaussPattern", "RateCodeSpikeGen", "TIME_STEPS_PER_MINUTE"]
