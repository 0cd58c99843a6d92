"""NumPy models of SigmaDelta (and Sigma) and RF neurons, both tags, as Lava 0.10 computes them."""

from __future__ import annotations

import numpy as np
from caldera.errors import ParameterError
from caldera.model import LavaPyType, PyInPort, PyLoihiProcessModel, PyOutPort, implements, requires, tag
from caldera.procs.rf import RF
from caldera.procs.sdn import ActivationMode, Sigma, SigmaDelta
from caldera.protocols import LoihiProtocol
from caldera.resources import CPU


# -- Sigma / SigmaDelta --------------------------------------------------------------------
class _SigmaBase(PyLoihiProcessModel):
    schedule = "recv_first"

    def run_spk(self) -> None:
        self.sigma = self.a_in.recv() + self.sigma
        self.s_out.send(self.sigma)


@implements(proc=Sigma, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PySigmaModelFloat(_SigmaBase):
    a_in = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out = LavaPyType(PyOutPort.VEC_DENSE, float)
    sigma: np.ndarray = LavaPyType(np.ndarray, float)


@implements(proc=Sigma, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PySigmaModelFixed(_SigmaBase):
    a_in = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    s_out = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    sigma: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)


class _SigmaDeltaBase(PyLoihiProcessModel):
    """sigma += a_in; act = f(sigma + bias); send the change of act when it reaches vth."""

    schedule = "recv_first"

    def __init__(self, proc_params) -> None:
        super().__init__(proc_params)
        self.act_mode = proc_params["act_mode"]

    def activation_dynamics(self, sigma_data: np.ndarray) -> np.ndarray:
        if self.act_mode == ActivationMode.UNIT:
            return sigma_data + self.bias
        if self.act_mode == ActivationMode.RELU:
            return np.maximum(sigma_data + self.bias, 0)
        raise NotImplementedError(f"activation mode {self.act_mode} is not implemented")

    def delta_dynamics(self, act_data: np.ndarray) -> np.ndarray:
        delta = act_data - self.act + self.residue
        if self.cum_error.reshape(-1)[0]:
            self.error += delta
            s_out = np.where(np.abs(self.error) >= self.vth, delta, 0)
            self.error *= 1 - (np.abs(s_out) > 0)
        else:
            s_out = np.where(np.abs(delta) >= self.vth, delta, 0)
        self.residue = delta - s_out
        return s_out

    def dynamics(self, a_in_data: np.ndarray) -> np.ndarray:
        self.sigma = a_in_data + self.sigma
        act = self.activation_dynamics(self.sigma)
        s_out = self.delta_dynamics(act)
        self.act = act
        return s_out


@implements(proc=SigmaDelta, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PySigmaDeltaModelFloat(_SigmaDeltaBase):
    a_in = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out = LavaPyType(PyOutPort.VEC_DENSE, float)
    vth: np.ndarray = LavaPyType(np.ndarray, float)
    sigma: np.ndarray = LavaPyType(np.ndarray, float)
    act: np.ndarray = LavaPyType(np.ndarray, float)
    residue: np.ndarray = LavaPyType(np.ndarray, float)
    error: np.ndarray = LavaPyType(np.ndarray, float)
    bias: np.ndarray = LavaPyType(np.ndarray, float)
    spike_exp: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=3)
    state_exp: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=3)
    cum_error: np.ndarray = LavaPyType(np.ndarray, bool, precision=1)

    def run_spk(self) -> None:
        self.s_out.send(self.dynamics(self.a_in.recv()))


@implements(proc=SigmaDelta, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PySigmaDeltaModelFixed(_SigmaDeltaBase):
    param_ranges = {
        "vth": (0, 2**23 - 1, "24-bit unsigned"),
        "bias": (-(2**23), 2**23 - 1, "24-bit signed"),
    }
    a_in = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    s_out = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    vth: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    sigma: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    act: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    residue: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    error: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    bias: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=16)
    spike_exp: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=3)
    state_exp: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=3)
    cum_error: np.ndarray = LavaPyType(np.ndarray, bool, precision=1)

    def run_spk(self) -> None:
        s_out_scaled = self.dynamics(self.a_in.recv())
        self.s_out.send(np.right_shift(s_out_scaled, self.state_exp))


# -- RF ------------------------------------------------------------------------------------
class _RFBase(PyLoihiProcessModel):
    schedule = "recv_first"

    def scale_volt(self, voltage):
        return voltage

    def resonator_dynamics(self, a_real, a_imag, real, imag):
        new_real = self.scale_volt(self.cos_decay * real) - self.scale_volt(self.sin_decay * imag) + a_real
        new_imag = self.scale_volt(self.sin_decay * real) + self.scale_volt(self.cos_decay * imag) + a_imag
        return new_real, new_imag


@implements(proc=RF, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyRFModelFloat(_RFBase):
    a_real_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    a_imag_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, bool, precision=1)
    real: np.ndarray = LavaPyType(np.ndarray, float)
    imag: np.ndarray = LavaPyType(np.ndarray, float)
    sin_decay: float = LavaPyType(float, float)
    cos_decay: float = LavaPyType(float, float)
    state_exp: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=3)
    decay_bits: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=3)
    vth: float = LavaPyType(float, float)

    def run_spk(self) -> None:
        a_real = self.a_real_in.recv()
        a_imag = self.a_imag_in.recv()
        new_real, new_imag = self.resonator_dynamics(a_real, a_imag, self.real, self.imag)
        s_out = (new_real >= self.vth) * (new_imag >= 0) * (self.imag < 0)
        self.real[:], self.imag[:] = new_real, new_imag
        self.s_out.send(s_out)


@implements(proc=RF, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyRFModelFixed(_RFBase):
    """Decays scaled by 2**decay_bits (truncation toward zero), states clipped to 24 bits."""

    a_real_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int16, precision=24)
    a_imag_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int16, precision=24)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    real: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    imag: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    sin_decay: int = LavaPyType(int, np.uint16, precision=12)
    cos_decay: int = LavaPyType(int, np.uint16, precision=12)
    state_exp: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=3)
    decay_bits: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=3)
    vth: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)

    _limit = 2**23 - 1

    def validate(self) -> None:
        if int(np.asarray(self.decay_bits).reshape(-1)[0]) <= 0:
            raise ParameterError(
                f"RF {self.process.name!r}: the fixed_pt model needs decay_bits > 0 (e.g. 12) to represent "
                "its decays as integers"
            )

    def scale_volt(self, voltage):
        return np.sign(voltage) * np.right_shift(np.abs(voltage), self.decay_bits)

    def run_spk(self) -> None:
        a_real = np.left_shift(self.a_real_in.recv(), self.state_exp)
        a_imag = np.left_shift(self.a_imag_in.recv(), self.state_exp)
        new_real, new_imag = self.resonator_dynamics(a_real, a_imag, np.int64(self.real), np.int64(self.imag))
        new_real = np.clip(new_real, -self._limit, self._limit)
        new_imag = np.clip(new_imag, -self._limit, self._limit)
        s_out = (new_real >= self.vth) * (new_imag >= 0) * (self.imag < 0)
        self.real[:], self.imag[:] = new_real, new_imag
        self.s_out.send(s_out)


MODELS = [
    PySigmaModelFloat,
    PySigmaModelFixed,
    PySigmaDeltaModelFloat,
    PySigmaDeltaModelFixed,
    PyRFModelFloat,
    PyRFModelFixed,
]
