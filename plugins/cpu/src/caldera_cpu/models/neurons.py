"""NumPy models of SigmaDelta (and Sigma) and the resonators RF and RF_IZ, both tags, as Lava 0.10 computes them."""

from __future__ import annotations

import numpy as np
from caldera import declarations as decl
from caldera import kernels
from caldera.model import PyLoihiProcessModel, implements, requires, tag
from caldera.procs.rf import RF
from caldera.procs.rf_iz import RF_IZ
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
class PySigmaModelFloat(decl.SigmaFloatFields, _SigmaBase):
    pass


@implements(proc=Sigma, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PySigmaModelFixed(decl.SigmaFixedFields, _SigmaBase):
    pass


class _SigmaDeltaBase(PyLoihiProcessModel):
    """sigma += a_in; act = f(sigma + bias); send the change of act when it reaches vth
    (:func:`caldera.kernels.sigma_delta_step`)."""

    schedule = "recv_first"

    def __init__(self, proc_params) -> None:
        super().__init__(proc_params)
        self.act_mode = proc_params["act_mode"]

    def dynamics(self, a_in_data: np.ndarray) -> np.ndarray:
        if self.act_mode not in (ActivationMode.UNIT, ActivationMode.RELU):
            raise NotImplementedError(f"activation mode {self.act_mode} is not implemented")
        relu = self.act_mode == ActivationMode.RELU
        s_out, self.sigma, self.act, self.residue, error = kernels.sigma_delta_vars(self, a_in_data, relu)
        self.error[...] = error  # in place: the Var keeps its dtype
        return s_out


@implements(proc=SigmaDelta, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PySigmaDeltaModelFloat(decl.SigmaDeltaFloatFields, _SigmaDeltaBase):
    def run_spk(self) -> None:
        self.s_out.send(self.dynamics(self.a_in.recv()))


@implements(proc=SigmaDelta, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PySigmaDeltaModelFixed(decl.SigmaDeltaFixedFields, _SigmaDeltaBase):
    def run_spk(self) -> None:
        s_out_scaled = self.dynamics(self.a_in.recv())
        self.s_out.send(np.right_shift(s_out_scaled, self.state_exp))


# -- RF ------------------------------------------------------------------------------------
@implements(proc=RF, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyRFModelFloat(decl.RFFloatFields, PyLoihiProcessModel):
    schedule = "recv_first"

    def resonator_dynamics(self, a_real, a_imag, real, imag):
        new_real = self.cos_decay * real - self.sin_decay * imag + a_real
        new_imag = self.sin_decay * real + self.cos_decay * imag + a_imag
        return new_real, new_imag

    def run_spk(self) -> None:
        a_real = self.a_real_in.recv()
        a_imag = self.a_imag_in.recv()
        new_real, new_imag = self.resonator_dynamics(a_real, a_imag, self.real, self.imag)
        s_out = kernels.rf_spikes(new_real, new_imag, self.imag, self.vth)
        self.real[:], self.imag[:] = new_real, new_imag
        self.s_out.send(s_out)


@implements(proc=RF, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyRFModelFixed(decl.RFFixedFields, PyLoihiProcessModel):
    """Decays scaled by 2**decay_bits (truncation toward zero), states clipped to 24 bits (:func:`caldera.kernels.rf_step`)."""

    schedule = "recv_first"

    def validate(self) -> None:
        kernels.require_decay_bits(self, self.decay_bits)

    def resonator_dynamics(self) -> tuple[np.ndarray, np.ndarray]:
        """This step's input, shifted by ``state_exp``, and the rotated, clipped state ``(real, imag)``."""
        a_real = np.left_shift(self.a_real_in.recv(), self.state_exp)
        a_imag = np.left_shift(self.a_imag_in.recv(), self.state_exp)
        return kernels.rf_step(a_real, a_imag, self.real, self.imag, self.cos_decay, self.sin_decay, self.decay_bits)

    def run_spk(self) -> None:
        new_real, new_imag = self.resonator_dynamics()
        s_out = kernels.rf_spikes(new_real, new_imag, self.imag, self.vth)
        self.real[:], self.imag[:] = new_real, new_imag
        self.s_out.send(s_out)


# -- RF_IZ ---------------------------------------------------------------------------------
@implements(proc=RF_IZ, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyRF_IZModelFloat(PyRFModelFloat):  # noqa: N801 - Lava's name
    """Spike when imag reaches vth; then real = 0 and imag = vth - 1e-5."""

    def run_spk(self) -> None:
        new_real, new_imag = self.resonator_dynamics(self.a_real_in.recv(), self.a_imag_in.recv(), self.real, self.imag)
        s_out = new_imag >= self.vth
        self.real[:] = new_real * (1 - s_out)
        self.imag[:] = s_out * (self.vth - 1e-5) + (1 - s_out) * new_imag
        self.s_out.send(s_out)


@implements(proc=RF_IZ, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyRF_IZModelFixed(PyRFModelFixed):  # noqa: N801 - Lava's name
    """Fixed-point RF_IZ: 24-bit saturating states; on a spike real = 0 and imag = vth - 1."""

    def run_spk(self) -> None:
        new_real, new_imag = self.resonator_dynamics()
        s_out = new_imag >= self.vth
        self.real[:] = new_real * (1 - s_out)
        self.imag[:] = s_out * (self.vth - 1) + (1 - s_out) * new_imag
        self.s_out.send(s_out)


MODELS = [
    PySigmaModelFloat,
    PySigmaModelFixed,
    PySigmaDeltaModelFloat,
    PySigmaDeltaModelFixed,
    PyRFModelFloat,
    PyRFModelFixed,
    PyRF_IZModelFloat,
    PyRF_IZModelFixed,
]
