"""NumPy models of the QP (PIPG) network's processes, ``floating_pt``."""

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

from caldera_optim.processes import DelayedMatVec, MatVec, QPDualNeurons, QPPrimalNeurons


@implements(proc=MatVec, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyMatVecFloat(PyLoihiProcessModel):
    schedule = "recv_first"
    s_in = LavaPyType(PyInPort.VEC_DENSE, np.float64)
    a_out = LavaPyType(PyOutPort.VEC_DENSE, np.float64)

    def validate(self) -> None:
        self._w = self.proc_params["weights"]

    def run_spk(self) -> None:
        self.a_out.send(self._w @ self.s_in.recv())


@implements(proc=DelayedMatVec, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyDelayedMatVecFloat(SendFirstMixin, PyLoihiProcessModel):
    s_in = LavaPyType(PyInPort.VEC_DENSE, np.float64)
    a_out = LavaPyType(PyOutPort.VEC_DENSE, np.float64)
    a_buff = LavaPyType(np.ndarray, np.float64)

    def validate(self) -> None:
        self._w = self.proc_params["weights"]

    def send_spk(self) -> None:
        self.a_out.send(self.a_buff)

    def recv_spk(self) -> None:
        self.a_buff = np.asarray(self._w @ self.s_in.recv())


@implements(proc=QPPrimalNeurons, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyQPPrimalFloat(PyLoihiProcessModel):
    schedule = "recv_first"
    grad_in = LavaPyType(PyInPort.VEC_DENSE, np.float64)
    dual_in = LavaPyType(PyInPort.VEC_DENSE, np.float64)
    x_out = LavaPyType(PyOutPort.VEC_DENSE, np.float64)
    xbar_out = LavaPyType(PyOutPort.VEC_DENSE, np.float64)
    x = LavaPyType(np.ndarray, np.float64)

    def validate(self) -> None:
        pp = self.proc_params
        self._p, self._alpha = pp["p"][:, None], pp["alpha"][None, :]
        self._lb, self._ub = pp["lb"][:, None], pp["ub"][:, None]
        self._boxed = bool(np.isfinite(pp["lb"]).any() or np.isfinite(pp["ub"]).any())

    def run_spk(self) -> None:
        g = self.grad_in.recv() + self.dual_in.recv() + self._p
        x_old = self.x
        x_new = x_old - self._alpha * g
        if self._boxed:
            np.clip(x_new, self._lb, self._ub, out=x_new)
        self.x = x_new
        self.x_out.send(x_new)
        self.xbar_out.send(2.0 * x_new - x_old)


@implements(proc=QPDualNeurons, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyQPDualFloat(PyLoihiProcessModel):
    schedule = "recv_first"
    a_in = LavaPyType(PyInPort.VEC_DENSE, np.float64)
    v_out = LavaPyType(PyOutPort.VEC_DENSE, np.float64)
    v = LavaPyType(np.ndarray, np.float64)

    def validate(self) -> None:
        pp = self.proc_params
        self._g, self._beta, self._k = pp["g"][:, None], pp["beta"][None, :], int(pp["num_ineq"])

    def run_spk(self) -> None:
        v = self.v + self._beta * (self.a_in.recv() - self._g)
        if self._k:
            np.maximum(v[: self._k], 0.0, out=v[: self._k])
        self.v = v
        self.v_out.send(v)


MODELS = [PyMatVecFloat, PyDelayedMatVecFloat, PyQPPrimalFloat, PyQPDualFloat]

__all__ = ["MODELS"] + [m.__name__ for m in MODELS]
