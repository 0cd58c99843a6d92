"""NumPy models of the LCA (sparse coding) network's processes, ``floating_pt`` and ``fixed_pt``.

``fixed_pt`` uses integers only: ``u``, ``a``, ``bias`` and ``lam`` are
integers (a fixed scale chosen by ``caldera_optim.LCA``), a synapse multiplies
integer weights and shifts the sum right by its weight exponent, and the
neurons' leak ``dt = 2**-dt_shift`` is an arithmetic right shift (floor).
"""

from __future__ import annotations

import numpy as np
from caldera.model import (
    LavaPyType,
    PyInPort,
    PyLoihiProcessModel,
    PyOutPort,
    SendFirstMixin,
    implements,
    requires,
    tag,
)
from caldera.protocols import LoihiProtocol
from caldera.resources import CPU

from caldera_optim.processes import LCAConnection, LCANeurons, LCAResidualNeurons, LCASynapse


def _soft_threshold(u: np.ndarray, lam: float | int) -> np.ndarray:
    return np.sign(u) * np.maximum(np.abs(u) - lam, 0)


@implements(proc=LCASynapse, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyLCASynapseFloat(SendFirstMixin, PyLoihiProcessModel):
    s_in = LavaPyType(PyInPort.VEC_DENSE, np.float64)
    a_out = LavaPyType(PyOutPort.VEC_DENSE, np.float64)
    a_buff = LavaPyType(np.ndarray, np.float64)

    def validate(self) -> None:
        self._w = self.proc_params["weights"] * 2.0 ** self.proc_params["weight_exp"]

    def send_spk(self) -> None:
        self.a_out.send(self.a_buff)

    def recv_spk(self) -> None:
        self.a_buff = np.asarray(self._w @ self.s_in.recv())


@implements(proc=LCASynapse, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyLCASynapseFixed(SendFirstMixin, PyLoihiProcessModel):
    s_in = LavaPyType(PyInPort.VEC_DENSE, np.int64)
    a_out = LavaPyType(PyOutPort.VEC_DENSE, np.int64)
    a_buff = LavaPyType(np.ndarray, np.int64)

    def validate(self) -> None:
        from caldera.errors import ParameterError

        w = self.proc_params["weights"]
        w = w.toarray() if hasattr(w, "toarray") else np.asarray(w)
        if not np.all(w == np.round(w)):
            raise ParameterError(f"LCASynapse {self.process.name!r}: fixed_pt weights must be integers")
        self._w = w.astype(np.int64)
        self._shift = -int(self.proc_params["weight_exp"])

    def send_spk(self) -> None:
        self.a_out.send(self.a_buff)

    def recv_spk(self) -> None:
        self.a_buff = (self._w @ np.asarray(self.s_in.recv(), np.int64)) >> self._shift


@implements(proc=LCAConnection, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyLCAConnectionFloat(PyLoihiProcessModel):
    schedule = "recv_first"
    s_in = LavaPyType(PyInPort.VEC_DENSE, np.float64)
    a_out = LavaPyType(PyOutPort.VEC_DENSE, np.float64)
    a_buff = LavaPyType(np.ndarray, np.float64)
    validate = PyLCASynapseFloat.validate

    def run_spk(self) -> None:
        self.a_out.send(np.asarray(self._w @ self.s_in.recv()))


@implements(proc=LCAConnection, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyLCAConnectionFixed(PyLoihiProcessModel):
    schedule = "recv_first"
    s_in = LavaPyType(PyInPort.VEC_DENSE, np.int64)
    a_out = LavaPyType(PyOutPort.VEC_DENSE, np.int64)
    a_buff = LavaPyType(np.ndarray, np.int64)
    validate = PyLCASynapseFixed.validate

    def run_spk(self) -> None:
        self.a_out.send((self._w @ np.asarray(self.s_in.recv(), np.int64)) >> self._shift)


@implements(proc=LCANeurons, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyLCANeuronsFloat(PyLoihiProcessModel):
    schedule = "recv_first"
    a_in = LavaPyType(PyInPort.VEC_DENSE, np.float64)
    s_out = LavaPyType(PyOutPort.VEC_DENSE, np.float64)
    u = LavaPyType(np.ndarray, np.float64)
    a = LavaPyType(np.ndarray, np.float64)
    bias = LavaPyType(np.ndarray, np.float64)

    def validate(self) -> None:
        pp = self.proc_params
        self._lam, self._dt, self._fb = float(pp["lam"]), float(pp["dt"]), bool(pp["self_feedback"])

    def run_spk(self) -> None:
        drive = self.bias + self.a_in.recv()
        if self._fb:
            drive = drive + self.a
        self.u = self.u + self._dt * (drive - self.u)
        self.a = _soft_threshold(self.u, self._lam)
        self.s_out.send(self.a)


@implements(proc=LCANeurons, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyLCANeuronsFixed(PyLoihiProcessModel):
    schedule = "recv_first"
    a_in = LavaPyType(PyInPort.VEC_DENSE, np.int64)
    s_out = LavaPyType(PyOutPort.VEC_DENSE, np.int64)
    u = LavaPyType(np.ndarray, np.int64)
    a = LavaPyType(np.ndarray, np.int64)
    bias = LavaPyType(np.ndarray, np.int64)

    def validate(self) -> None:
        from caldera.errors import ParameterError

        pp = self.proc_params
        if float(pp["lam"]) != round(float(pp["lam"])):
            raise ParameterError(f"LCANeurons {self.process.name!r}: fixed_pt lam must be an integer")
        self._lam, self._shift, self._fb = int(pp["lam"]), int(pp["dt_shift"]), bool(pp["self_feedback"])

    def run_spk(self) -> None:
        drive = self.bias + self.a_in.recv()
        if self._fb:
            drive = drive + self.a
        self.u = self.u + ((drive - self.u) >> self._shift)
        self.a = _soft_threshold(self.u, self._lam).astype(np.int64)
        self.s_out.send(self.a)


class _ResidualBase(PyLoihiProcessModel):
    schedule = "recv_first"

    def run_spk(self) -> None:
        self.r = self.bias + self.a_in.recv()
        self.s_out.send(self.r)


@implements(proc=LCAResidualNeurons, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyLCAResidualFloat(_ResidualBase):
    a_in = LavaPyType(PyInPort.VEC_DENSE, np.float64)
    s_out = LavaPyType(PyOutPort.VEC_DENSE, np.float64)
    r = LavaPyType(np.ndarray, np.float64)
    bias = LavaPyType(np.ndarray, np.float64)


@implements(proc=LCAResidualNeurons, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyLCAResidualFixed(_ResidualBase):
    a_in = LavaPyType(PyInPort.VEC_DENSE, np.int64)
    s_out = LavaPyType(PyOutPort.VEC_DENSE, np.int64)
    r = LavaPyType(np.ndarray, np.int64)
    bias = LavaPyType(np.ndarray, np.int64)


MODELS = [
    PyLCASynapseFloat,
    PyLCASynapseFixed,
    PyLCAConnectionFloat,
    PyLCAConnectionFixed,
    PyLCANeuronsFloat,
    PyLCANeuronsFixed,
    PyLCAResidualFloat,
    PyLCAResidualFixed,
]

__all__ = ["MODELS"] + [m.__name__ for m in MODELS]
