"""NumPy models of caldera-ros's encoders and decoders (CPU; every CPU backend, ``cython`` included, runs them).

Each process has a ``floating_pt`` model and a ``fixed_pt`` one; they compute the same thing and differ only in
the dtype of what they send (float, or int32 for the integer inputs of fixed-point neurons and synapses).
"""

from __future__ import annotations

import numpy as np
from caldera.model import LavaPyType, PyInPort, PyLoihiProcessModel, PyOutPort, PyRefPort, implements, requires, tag
from caldera.protocols import LoihiProtocol
from caldera.resources import CPU

from caldera_ros.clock import Pacer
from caldera_ros.procs import Argmax, LatencyEncoder, PopulationVector, RateEncoder, SpikeCounter, StateReader


class _Rate(PyLoihiProcessModel):
    schedule = "recv_first"
    phase: np.ndarray = LavaPyType(np.ndarray, float)

    def validate(self) -> None:
        p = self.proc_params
        self._lo, self._scale = p["lo"], p["max_rate"] / (p["hi"] - p["lo"])
        self._max = p["max_rate"]
        self._rng = np.random.default_rng(p["seed"]) if p["poisson"] else None

    def run_spk(self) -> None:
        rate = np.clip((self.a_in.recv() - self._lo) * self._scale, 0.0, self._max)
        if self._rng is not None:
            s = self._rng.random(rate.shape) < rate
        else:
            self.phase += rate
            s = self.phase >= 1.0
            self.phase[s] -= 1.0
        self.s_out.send_owned(s.astype(self.s_out.dtype))


class _Latency(PyLoihiProcessModel):
    schedule = "recv_first"
    fire_at: np.ndarray = LavaPyType(np.ndarray, np.int32)

    def validate(self) -> None:
        p = self.proc_params
        self._w, self._lo, self._span = p["window"], p["lo"], p["hi"] - p["lo"]

    def run_spk(self) -> None:
        x = self.a_in.recv()
        k = (self.time_step - 1) % self._w
        if k == 0:
            r = (x - self._lo) / self._span
            at = np.rint((1.0 - np.clip(r, 0.0, 1.0)) * (self._w - 1)).astype(np.int32)
            self.fire_at[...] = np.where(r > 0, at, -1)
        self.s_out.send_owned((self.fire_at == k).astype(self.s_out.dtype))


class _Windowed(PyLoihiProcessModel):
    """A ring buffer of the last ``window`` inputs and their running sum."""

    schedule = "recv_first"
    history: np.ndarray = LavaPyType(np.ndarray, float)
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    a_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)

    def validate(self) -> None:
        self._w = self.proc_params["window"]
        self._sum = self.history.sum(axis=0)

    def on_var_set(self, name: str) -> None:
        if name == "history":
            self._sum = self.history.sum(axis=0)

    def counts(self) -> np.ndarray:
        x = self.a_in.recv()
        row = (self.time_step - 1) % self._w
        self._sum += x - self.history[row]
        self.history[row] = x
        return self._sum


class _Counter(_Windowed):
    def run_spk(self) -> None:
        c = self.counts()
        self.a_out.send(c / self._w if self.proc_params["rate"] else c)


class _PopVec(_Windowed):
    def validate(self) -> None:
        super().validate()
        self._vec = np.asarray(self.proc_params["vectors"], dtype=float)
        self._default = np.asarray(self.proc_params["default"], dtype=float)

    def run_spk(self) -> None:
        c = self.counts().reshape(-1)
        total = c.sum()
        # counts are sums of small integers or of graded inputs; guard against round-off around zero
        self.a_out.send(c @ self._vec / total if total > 1e-9 else self._default)


class _Argmax(_Windowed):
    def validate(self) -> None:
        super().validate()
        self._values = np.asarray(self.proc_params["values"], dtype=float)

    def run_spk(self) -> None:
        c = self.counts().reshape(-1)
        i = int(np.argmax(c))
        self.a_out.send(np.array([self._values[i] if c[i] > 1e-9 else self.proc_params["default"]]))


class _StateReader(PyLoihiProcessModel):
    schedule = "recv_first"
    ref: PyRefPort = LavaPyType(PyRefPort.VEC_DENSE, float)
    value: np.ndarray = LavaPyType(np.ndarray, float)
    a_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)

    def run_spk(self) -> None:
        self.a_out.send(self.value)

    def post_guard(self) -> bool:
        return True

    def run_post_mgmt(self) -> None:
        self.value[...] = self.ref.read()


def _pair(base: type, proc: type, spikes: bool) -> list[type]:
    """A floating_pt and a fixed_pt model of ``proc`` from ``base``; encoders send int32 spikes in fixed_pt."""
    out = []
    for tg, dtype in (("floating_pt", float), ("fixed_pt", np.int32)):
        attrs: dict = {"__module__": __name__, "__doc__": base.__doc__}
        if spikes:
            attrs["a_in"] = LavaPyType(PyInPort.VEC_DENSE, float)
            attrs["s_out"] = LavaPyType(PyOutPort.VEC_DENSE, dtype)
        name = f"Py{proc.__name__}Model{'Float' if tg == 'floating_pt' else 'Fixed'}"
        cls = type(name, (base,), attrs)
        out.append(implements(proc=proc, protocol=LoihiProtocol)(requires(CPU)(tag(tg)(cls))))
        globals()[name] = cls
    return out


MODELS = [
    *_pair(_Rate, RateEncoder, spikes=True),
    *_pair(_Latency, LatencyEncoder, spikes=True),
    *_pair(_Counter, SpikeCounter, spikes=False),
    *_pair(_PopVec, PopulationVector, spikes=False),
    *_pair(_Argmax, Argmax, spikes=False),
    *_pair(_StateReader, StateReader, spikes=False),
]

__all__ = ["MODELS"]


@implements(proc=Pacer, protocol=LoihiProtocol)
@requires(CPU)
class PyPacerModel(PyLoihiProcessModel):
    """Host-bound: waits for the node's clock after every other model's management phase of the step."""

    schedule = "recv_first"
    host_only = True
    mgmt_order = 1_000_000
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)

    def run_spk(self) -> None:
        self.a_in.recv()

    def post_guard(self) -> bool:
        return True

    def run_post_mgmt(self) -> None:
        for hook in self.process.hooks:
            hook()
        self.process.clock.wait(self.time_step)

    def interrupt(self) -> None:
        self.process.clock.release()

    def resume(self) -> None:
        self.process.clock.resume()


MODELS.append(PyPacerModel)
