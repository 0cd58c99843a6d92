"""CPU models of caldera-dnf's input processes (untagged: they fit ``floating_pt`` and ``fixed_pt``)."""

from __future__ import annotations

import math

import numpy as np
from caldera.model import LavaPyType, PyInPort, PyLoihiProcessModel, PyOutPort, implements, requires
from caldera.protocols import LoihiProtocol
from caldera.resources import CPU

from caldera_dnf.inputs import TIME_STEPS_PER_MINUTE, GaussPattern, RateCodeSpikeGen
from caldera_dnf.math import gauss


@implements(proc=GaussPattern, protocol=LoihiProtocol)
@requires(CPU)
class PyGaussPatternModel(PyLoihiProcessModel):
    """Sends the pattern in the step after it changed, the NaN null pattern otherwise."""

    schedule = "recv_first"
    _amplitude: np.ndarray = LavaPyType(np.ndarray, float)
    _mean: np.ndarray = LavaPyType(np.ndarray, float)
    _stddev: np.ndarray = LavaPyType(np.ndarray, float)
    pattern: np.ndarray = LavaPyType(np.ndarray, float)
    changed: np.ndarray = LavaPyType(np.ndarray, bool)
    a_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)

    def validate(self) -> None:
        self._null = np.full(tuple(self.proc_params["shape"]), np.nan)
        self._changes = self.proc_params.get("changes") or {}

    def on_var_set(self, name: str) -> None:
        if name in ("_amplitude", "_mean", "_stddev"):
            self.changed[...] = True

    def run_spk(self) -> None:
        change = self._changes.get(self.time_step) if self._changes else None
        if change is not None:
            if "amplitude" in change:
                self._amplitude[...] = change["amplitude"]
            if "mean" in change:
                self._mean[...] = change["mean"]
            if "stddev" in change:
                self._stddev[...] = change["stddev"]
            self.changed[...] = True
        if self.changed.reshape(-1)[0]:
            self.pattern = gauss(
                tuple(self.proc_params["shape"]),
                amplitude=float(self._amplitude.reshape(-1)[0]),
                mean=self._mean,
                stddev=self._stddev,
            )
            self.changed[...] = False
            self.a_out.send(self.pattern)
        else:
            self.a_out.send(self._null)


@implements(proc=RateCodeSpikeGen, protocol=LoihiProtocol)
@requires(CPU)
class PyRateCodeSpikeGenModel(PyLoihiProcessModel):
    """lava-dnf's rate-code generator, vectorized: one spike every ``round(6000 / rate)`` steps."""

    schedule = "recv_first"
    min_spike_rate: np.ndarray = LavaPyType(np.ndarray, float)
    seed: np.ndarray = LavaPyType(np.ndarray, int)
    inter_spike_distances: np.ndarray = LavaPyType(np.ndarray, int)
    first_spike_times: np.ndarray = LavaPyType(np.ndarray, int)
    last_spiked: np.ndarray = LavaPyType(np.ndarray, float)
    spikes: np.ndarray = LavaPyType(np.ndarray, bool)
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, bool)

    def validate(self) -> None:
        self._since_change = 1
        self._schedule()

    def on_var_set(self, name: str) -> None:
        if name in ("inter_spike_distances", "first_spike_times", "last_spiked"):
            self._schedule()

    def _schedule(self) -> None:
        """Next spike step of every neuron (counted from the last pattern change; 0: never).

        Equivalent to lava-dnf's rule (first spike at ``first_spike_times``, then one every
        ``inter_spike_distances`` steps after the last spike) but needs one comparison per step.
        """
        dist = np.asarray(self.inter_spike_distances, dtype=np.int64)
        first = np.asarray(self.first_spike_times, dtype=np.int64)
        last = np.asarray(self.last_spiked, dtype=float)
        spiked = np.isfinite(last)
        nxt = np.where(spiked, np.where(spiked, last, 0).astype(np.int64) + dist, first)
        self._dist = dist
        self._next = np.where(dist > 0, nxt, 0)

    def run_spk(self) -> None:
        pattern = self.a_in.recv()
        # the null pattern is all NaN; a pattern with any NaN is ignored, as in lava-dnf
        if not math.isnan(pattern.flat[0]) and not np.isnan(pattern).any():
            self._new_pattern(np.asarray(pattern, dtype=float))
        else:
            self._since_change += 1
        t = self._since_change
        spikes = self._next == t
        if spikes.any():
            np.add(self._next, self._dist, out=self._next, where=spikes)
            np.copyto(self.last_spiked, t, where=spikes)
        self.spikes = spikes
        self.s_out.send(spikes)

    def _new_pattern(self, pattern: np.ndarray) -> None:
        self._since_change = 1
        self.last_spiked[...] = -np.inf
        dist = np.zeros(pattern.shape, dtype=np.int64)
        on = pattern > float(self.min_spike_rate.reshape(-1)[0])
        dist[on] = np.rint(TIME_STEPS_PER_MINUTE / pattern[on]).astype(np.int64)
        self.inter_spike_distances = dist
        seed = int(self.seed.reshape(-1)[0])
        rng = np.random.default_rng(None if seed == -1 else seed)
        first = np.zeros_like(dist)
        live = dist != 0
        first[live] = rng.integers(low=np.ones(int(live.sum()), dtype=np.int64), high=dist[live], endpoint=True)
        self.first_spike_times = first
        self._schedule()


MODELS = [PyGaussPatternModel, PyRateCodeSpikeGenModel]

__all__ = ["PyGaussPatternModel", "PyRateCodeSpikeGenModel", "MODELS"]
