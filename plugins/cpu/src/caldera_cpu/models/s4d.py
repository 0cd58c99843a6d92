"""NumPy models of the S4D neurons, ``floating_pt`` as Lava 0.10 has them (its fixed-point S4D runs on
Loihi hardware only). The operations are Lava's, in Lava's order, so the numbers are the same."""

from __future__ import annotations

import numpy as np
from caldera import declarations as decl
from caldera.model import LavaPyType, PyInPort, PyLoihiProcessModel, PyOutPort, implements, requires, tag
from caldera.procs.s4d import S4d, SigmaS4dDelta
from caldera.protocols import LoihiProtocol
from caldera.resources import CPU


@implements(proc=S4d, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class S4dModel(PyLoihiProcessModel):
    """``s4_state = s4_state * a + a_in * b`` (complex); sends ``real(c * s4_state * 2)``."""

    schedule = "recv_first"
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    s4_exp: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=3)
    inp_exp: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=3)
    s4_state: np.ndarray = LavaPyType(np.ndarray, complex)
    a: np.ndarray = LavaPyType(np.ndarray, complex)
    b: np.ndarray = LavaPyType(np.ndarray, complex)
    c: np.ndarray = LavaPyType(np.ndarray, complex)

    def run_spk(self) -> None:
        inp = self.a_in.recv()
        self.s4_state[...] = self.s4_state * self.a + inp * self.b
        self.s_out.send(np.real(self.c * self.s4_state * 2))


@implements(proc=SigmaS4dDelta, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PySigmaS4dDeltaModelFloat(decl.SigmaDeltaFloatFields, PyLoihiProcessModel):
    """sigma += a_in; ``s4_state = s4_state * a + sigma * b``; ``act = c * s4_state * 2``; the change of
    act is sent where it reaches vth (with ``cum_error``: where the accumulated error does), the rest
    stays in ``residue``."""

    schedule = "recv_first"
    s4_exp: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=3)
    s4_state: np.ndarray = LavaPyType(np.ndarray, float)
    a: np.ndarray = LavaPyType(np.ndarray, float)
    b: np.ndarray = LavaPyType(np.ndarray, float)
    c: np.ndarray = LavaPyType(np.ndarray, float)

    def activation_dynamics(self, sigma_data: np.ndarray) -> np.ndarray:
        """The S4D step on the decoded input (Lava's name); returns the activation."""
        self.s4_state[...] = self.s4_state * self.a + sigma_data * self.b
        return self.c * self.s4_state * 2

    def dynamics(self, a_in_data: np.ndarray) -> np.ndarray:
        self.sigma[...] = a_in_data + self.sigma
        act = self.activation_dynamics(self.sigma)
        delta = act - self.act + self.residue
        if bool(np.asarray(self.cum_error).reshape(-1)[0]):
            self.error += delta
            s_out = np.where(np.abs(self.error) >= self.vth, delta, 0)
            self.error *= 1 - (np.abs(s_out) > 0)
        else:
            s_out = np.where(np.abs(delta) >= self.vth, delta, 0)
        self.residue[...] = delta - s_out
        self.act[...] = act
        return s_out

    def run_spk(self) -> None:
        self.s_out.send(self.dynamics(self.a_in.recv()))


MODELS = [S4dModel, PySigmaS4dDeltaModelFloat]
