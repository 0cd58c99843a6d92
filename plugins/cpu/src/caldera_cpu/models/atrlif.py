"""NumPy models of ATRLIF (adaptive threshold and refractoriness), ``floating_pt`` and ``fixed_pt`` (Lava's arithmetic)."""

from __future__ import annotations

import numpy as np
from caldera import arith
from caldera.model import (
    LavaPyType,
    PyInPort,
    PyLoihiProcessModel,
    PyOutPort,
    implements,
    requires,
    tag,
)
from caldera.procs.atrlif import ATRLIF
from caldera.protocols import LoihiProtocol
from caldera.resources import CPU


# -- ATRLIF --------------------------------------------------------------------------------
@implements(proc=ATRLIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyATRLIFModelFloat(PyLoihiProcessModel):
    """Adaptive threshold and refractoriness, floating point."""

    schedule = "recv_first"
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    i: np.ndarray = LavaPyType(np.ndarray, float)
    v: np.ndarray = LavaPyType(np.ndarray, float)
    theta: np.ndarray = LavaPyType(np.ndarray, float)
    r: np.ndarray = LavaPyType(np.ndarray, float)
    s: np.ndarray = LavaPyType(np.ndarray, bool)
    bias_mant: np.ndarray = LavaPyType(np.ndarray, float)
    bias_exp: np.ndarray = LavaPyType(np.ndarray, float)
    delta_i: float = LavaPyType(float, float)
    delta_v: float = LavaPyType(float, float)
    delta_theta: float = LavaPyType(float, float)
    delta_r: float = LavaPyType(float, float)
    theta_0: float = LavaPyType(float, float)
    theta_step: float = LavaPyType(float, float)

    def subthr_dynamics(self, activation_in: np.ndarray) -> None:
        self.i[:] = (1 - self.delta_i) * self.i + activation_in
        self.v[:] = (1 - self.delta_v) * self.v + self.i + self.bias_mant
        self.theta[:] = (1 - self.delta_theta) * (self.theta - self.theta_0) + self.theta_0
        self.r[:] = (1 - self.delta_r) * self.r

    def post_spike(self, s: np.ndarray) -> None:
        r_s = self.r[s]
        theta_s = self.theta[s]
        self.r[s] = r_s + 2 * theta_s
        self.theta[s] = theta_s + self.theta_step

    def run_spk(self) -> None:
        self.subthr_dynamics(self.a_in.recv())
        self.s[:] = (self.v - self.r) >= self.theta
        self.post_spike(self.s)
        self.s_out.send(self.s)


def _decay_shift(x: np.ndarray) -> np.ndarray:
    """Loihi's decay product back to state units, truncating toward zero."""
    return arith.scale_down(x, arith.DECAY_BITS)


@implements(proc=ATRLIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("bit_accurate_loihi", "fixed_pt")
class PyATRLIFModelFixed(PyLoihiProcessModel):
    """Lava's fixed-point ATRLIF: decays ``delta * 4096`` (+1 on i), 24-bit i (wrap) and v (saturate).

    As in Lava, ``theta`` starts at ``theta_0 << 6`` whatever its initial value,
    and ``theta_0``/``theta_step`` are scaled by 2**6 before the first step.
    """

    schedule = "recv_first"
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int16, precision=16)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    i: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    v: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    theta: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    r: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    s: np.ndarray = LavaPyType(np.ndarray, bool)
    bias_mant: np.ndarray = LavaPyType(np.ndarray, np.int16, precision=13)
    bias_exp: np.ndarray = LavaPyType(np.ndarray, np.int16, precision=3)
    delta_i: int = LavaPyType(int, np.uint16, precision=12)
    delta_v: int = LavaPyType(int, np.uint16, precision=12)
    delta_theta: int = LavaPyType(int, np.uint16, precision=12)
    delta_r: int = LavaPyType(int, np.uint16, precision=12)
    theta_0: int = LavaPyType(int, np.uint16, precision=12)
    theta_step: int = LavaPyType(int, np.uint16, precision=12)

    _unity = 2**12

    def validate(self) -> None:
        for name in ("delta_i", "delta_v", "delta_theta", "delta_r", "theta_0", "theta_step"):
            setattr(self, name, np.asarray(getattr(self, name)).reshape(-1)[0].item())
        self.theta_0 = np.int32(self.theta_0 * 2**6)
        self.theta[:] = self.theta_0
        self.theta_step = np.int32(self.theta_step * 2**6)

    def run_spk(self) -> None:
        a_in = self.a_in.recv()
        bias = arith.shift(self.bias_mant.astype(np.int32), self.bias_exp)
        u = self._unity
        i_dec = _decay_shift(np.int64(self.i * (u - (self.delta_i * u + 1))))
        self.i[:] = arith.wrap_u(np.int32(i_dec + a_in * 2**6))
        v_dec = _decay_shift(np.int64(self.v) * np.int64(u - self.delta_v * u))
        self.v[:] = arith.saturate_v(np.int32(v_dec + self.i + bias))
        th_dec = _decay_shift(np.int64(self.theta - self.theta_0) * np.int64(u - self.delta_theta * u))
        self.theta[:] = np.int32(th_dec) + self.theta_0
        self.r[:] = np.int32(_decay_shift(np.int64(self.r) * np.int64(u - self.delta_r * u)))
        self.s[:] = (self.v - self.r) >= self.theta
        s = self.s
        r_s, th_s = self.r[s], self.theta[s]
        self.r[s] = r_s + 2 * th_s
        self.theta[s] = th_s + self.theta_step
        self.s_out.send(self.s)


MODELS = [
    PyATRLIFModelFloat,
    PyATRLIFModelFixed,
]
