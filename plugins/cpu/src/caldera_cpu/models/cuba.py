"""NumPy models of :class:`caldera.procs.CubaLIF` (``floating_pt`` and ``fixed_pt``)."""

from __future__ import annotations

import numpy as np
from caldera import arith
from caldera.errors import ParameterError
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


@implements(proc=CubaLIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyCubaLIFModelFixed(PyLoihiProcessModel):
    """Loihi's LIF arithmetic on both currents (see :mod:`caldera.procs.cuba`)."""

    schedule = "recv_first"
    param_ranges = {
        "du_exc": (0, 4095, "12-bit unsigned"),
        "du_inh": (0, 4095, "12-bit unsigned"),
        "dv": (0, 4095, "12-bit unsigned"),
        "bias_mant": (-4096, 4095, "13-bit signed"),
        "bias_exp": (0, 7, "3-bit unsigned"),
        "u_exc": (-(2**23) + 1, 2**23, "24-bit signed"),
        "u_inh": (-(2**23) + 1, 2**23, "24-bit signed"),
        "v": (-(2**23) + 1, 2**23 - 1, "24-bit signed"),
        "vth": (0, 131071, "17-bit unsigned"),
    }
    a_in_exc: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int16, precision=16)
    a_in_inh: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int16, precision=16)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    u_exc: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    u_inh: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    v: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    du_exc: int = LavaPyType(int, np.uint16, precision=12)
    du_inh: int = LavaPyType(int, np.uint16, precision=12)
    dv: int = LavaPyType(int, np.uint16, precision=12)
    bias_mant: np.ndarray = LavaPyType(np.ndarray, np.int16, precision=13)
    bias_exp: np.ndarray = LavaPyType(np.ndarray, np.int16, precision=3)
    vth: int = LavaPyType(int, np.int32, precision=17)
    refractory_period_end: np.ndarray = LavaPyType(np.ndarray, int)

    def __init__(self, proc_params) -> None:
        super().__init__(proc_params)
        self.refractory_period = proc_params["refractory_period"]

    def validate(self) -> None:
        for name in ("du_exc", "du_inh", "dv", "bias_mant", "bias_exp", "vth"):
            val = np.asarray(self.process.vars[name].init)
            if self.strict and val.dtype.kind == "f" and not np.all(val == np.round(val)):
                raise ParameterError(
                    f"CubaLIF {self.process.name!r}: {name} must hold integers for the fixed_pt model, got {val!r}"
                )
        self._derived()

    def on_var_set(self, name: str) -> None:
        self._derived()

    def _derived(self) -> None:
        for name in ("du_exc", "du_inh", "dv", "vth"):
            setattr(self, name, int(np.asarray(getattr(self, name)).reshape(-1)[0]))
        unity = arith.DECAY_UNITY
        self._m_exc = (unity - (self.du_exc + 1)) / unity  # +1: du = 4095 clears the current, as in LIF
        self._m_inh = (unity - (self.du_inh + 1)) / unity
        self._m_v = (unity - self.dv) / unity
        self.effective_bias = arith.shift(self.bias_mant.astype(np.int32), self.bias_exp)
        self.effective_vth = np.left_shift(np.int64(self.vth), arith.VTH_SHIFT)

    @staticmethod
    def _decayed(x: np.ndarray, m: float) -> np.ndarray:
        y = x * m
        np.trunc(y, out=y)
        return y.astype(np.int32)

    def run_spk(self) -> None:
        a_exc = self.a_in_exc.recv()
        a_inh = self.a_in_inh.recv()
        u = self._decayed(self.u_exc, self._m_exc)
        u += np.left_shift(a_exc, arith.ACT_SHIFT)
        self.u_exc[:] = arith.wrap_u(u)
        u = self._decayed(self.u_inh, self._m_inh)
        u += np.left_shift(a_inh, arith.ACT_SHIFT)
        self.u_inh[:] = arith.wrap_u(u)
        v = self._decayed(self.v, self._m_v)
        v += self.u_exc
        v += self.u_inh
        v += self.effective_bias
        v = arith.saturate_v(v)
        active = self.refractory_period_end < self.time_step
        self.v[active] = v[active]
        s = self.v > self.effective_vth
        self.refractory_period_end[s] = self.time_step + self.refractory_period
        self.v[s] = 0
        self.s_out.send(s)


MODELS = [PyCubaLIFModelFloat, PyCubaLIFModelFixed]
