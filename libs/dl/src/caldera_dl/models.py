"""NumPy models of caldera-dl's processes (both tags). They run on every backend that takes CPU models
(``cpu``, ``cython``, and the ``loihi`` emulator as host-side models for ``fixed_pt``)."""

from __future__ import annotations

import numpy as np
from caldera.model import LavaPyType, PyInPort, PyLoihiProcessModel, PyOutPort, implements, requires, tag
from caldera.protocols import LoihiProtocol
from caldera.resources import CPU

from caldera_dl.data import RateEncoder
from caldera_dl.procs import Delta


class _DeltaBase(PyLoihiProcessModel):
    schedule = "recv_first"

    def delta_dynamics(self, act: np.ndarray) -> np.ndarray:
        delta = act - self.act + self.residue
        if bool(np.asarray(self.cum_error).reshape(-1)[0]):
            self.error += delta
            s_out = np.where(np.abs(self.error) >= self.vth, delta, 0)
            self.error *= 1 - (np.abs(s_out) > 0)
        else:
            s_out = np.where(np.abs(delta) >= self.vth, delta, 0)
        self.residue = delta - s_out
        return s_out


@implements(proc=Delta, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyDeltaModelFloat(_DeltaBase):
    a_in = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out = LavaPyType(PyOutPort.VEC_DENSE, float)
    vth: np.ndarray = LavaPyType(np.ndarray, float)
    act: np.ndarray = LavaPyType(np.ndarray, float)
    residue: np.ndarray = LavaPyType(np.ndarray, float)
    error: np.ndarray = LavaPyType(np.ndarray, float)
    spike_exp: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=3)
    state_exp: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=3)
    cum_error: np.ndarray = LavaPyType(np.ndarray, bool, precision=1)

    def run_spk(self) -> None:
        a_in = self.a_in.recv()
        s_out = self.delta_dynamics(a_in)
        self.act = a_in
        self.s_out.send(s_out)


@implements(proc=Delta, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyDeltaModelFixed(_DeltaBase):
    """Lava's bit-accurate Delta: input << (spike_exp + state_exp), message >> state_exp."""

    param_ranges = {"vth": (0, 2**23 - 1, "24-bit unsigned")}
    a_in = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    s_out = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    vth: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    act: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    residue: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    error: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    spike_exp: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=3)
    state_exp: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=3)
    cum_error: np.ndarray = LavaPyType(np.ndarray, bool, precision=1)

    def run_spk(self) -> None:
        shift = int(np.asarray(self.spike_exp).reshape(-1)[0]) + int(np.asarray(self.state_exp).reshape(-1)[0])
        a_in = np.left_shift(self.a_in.recv().astype(np.int32), shift)
        s_out = np.right_shift(self.delta_dynamics(a_in), int(np.asarray(self.state_exp).reshape(-1)[0]))
        self.act = a_in
        self.s_out.send(s_out)


class _RateEncoderBase(PyLoihiProcessModel):
    """The same accumulator as ``caldera_dl.data.rate_encode(mode="regular")``, in float64."""

    schedule = "recv_first"
    a_in = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=1)
    acc: np.ndarray = LavaPyType(np.ndarray, np.float64)

    def run_spk(self) -> None:
        self.acc = self.acc + self.a_in.recv()
        s = self.acc >= 1.0
        self.acc = self.acc - s
        self.s_out.send(s.astype(np.int32))


@implements(proc=RateEncoder, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyRateEncoderModelFloat(_RateEncoderBase):
    pass


@implements(proc=RateEncoder, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyRateEncoderModelFixed(_RateEncoderBase):
    """Host-side in fixed_pt networks (the loihi backend takes it as a host model)."""


MODELS = [PyDeltaModelFloat, PyDeltaModelFixed, PyRateEncoderModelFloat, PyRateEncoderModelFixed]

__all__ = ["MODELS", "PyDeltaModelFloat", "PyDeltaModelFixed", "PyRateEncoderModelFloat", "PyRateEncoderModelFixed"]
