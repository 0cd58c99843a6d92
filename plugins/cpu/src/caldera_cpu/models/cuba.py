"""NumPy model of :class:`caldera.procs.CubaLIF` (``floating_pt``)."""

from __future__ import annotations

import numpy as np
from caldera.model import LavaPyType, PyInPort, PyLoihiProcessModel, PyOutPort, implements, requires, tag
from caldera.procs.cuba import CubaLIF
from caldera.protocols import LoihiProtocol
from caldera.resources import CPU


@implements(proc=CubaLIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyCubaLIFModelFloat(PyLoihiProcessModel):
    """Two decaying currents feed a leaky voltage; v is held for ``refractory_period`` steps after a spike."""

    schedule = "recv_first"
    a_in_exc: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    a_in_inh: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    u_exc: np.ndarray = LavaPyType(np.ndarray, float)
    u_inh: np.ndarray = LavaPyType(np.ndarray, float)
    v: np.ndarray = LavaPyType(np.ndarray, float)
    du_exc: float = LavaPyType(float, float)
    du_inh: float = LavaPyType(float, float)
    dv: float = LavaPyType(float, float)
    bias_mant: np.ndarray = LavaPyType(np.ndarray, float)
    vth: float = LavaPyType(float, float)
    refractory_period_end: np.ndarray = LavaPyType(np.ndarray, int)

    def __init__(self, proc_params) -> None:
        super().__init__(proc_params)
        self.refractory_period = proc_params["refractory_period"]

    def run_spk(self) -> None:
        a_exc = self.a_in_exc.recv()
        a_inh = self.a_in_inh.recv()
        self.u_exc[:] = self.u_exc * (1 - self.du_exc) + a_exc
        self.u_inh[:] = self.u_inh * (1 - self.du_inh) + a_inh
        active = self.refractory_period_end < self.time_step
        self.v[active] = self.v[active] * (1 - self.dv) + (
            self.u_exc[active] + self.u_inh[active] + self.bias_mant[active]
        )
        s = self.v > self.vth
        self.refractory_period_end[s] = self.time_step + self.refractory_period
        self.v[s] = 0
        self.s_out.send(s)


MODELS = [PyCubaLIFModelFloat]
