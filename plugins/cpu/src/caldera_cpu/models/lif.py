"""NumPy models of the LIF family, ``floating_pt`` and ``fixed_pt`` (Lava 0.10's arithmetic)."""

from __future__ import annotations

import typing as ty

import numpy as np
from caldera import arith, kernels
from caldera import declarations as decl
from caldera.model import PyLoihiProcessModel, implements, requires, tag
from caldera.procs.lif import LIF, LIFRefractory, LIFReset, TernaryLIF
from caldera.protocols import LoihiProtocol
from caldera.resources import CPU


# -- floating point ------------------------------------------------------------------------
class AbstractPyLifModelFloat(decl.LifFloatBaseFields, PyLoihiProcessModel):
    """u decays by (1-du) and integrates input; v decays by (1-dv) and integrates u + bias_mant."""

    schedule = "recv_first"
    s_out = None

    def spiking_activation(self) -> np.ndarray:
        raise NotImplementedError

    def subthr_dynamics(self, activation_in: np.ndarray | None) -> None:
        # in place, in Lava's order of operations: u = u * (1 - du) + a_in; v = v * (1 - dv) + u + bias
        u, v = self.u, self.v
        np.multiply(u, 1 - self.du, out=u)
        if activation_in is not None:  # None: the input port has no sources
            np.add(u, activation_in, out=u)
        np.multiply(v, 1 - self.dv, out=v)
        np.add(v, u, out=v)
        np.add(v, self.bias_mant, out=v)

    def reset_voltage(self, spike_vector: np.ndarray) -> None:
        np.putmask(self.v, spike_vector, 0)

    def run_spk(self) -> None:
        a_in_data = self.a_in.recv() if self.a_in.connected else None
        self.subthr_dynamics(a_in_data)
        s = self.s_out_buff = self.spiking_activation()  # Lava's name: subclasses read the step's spikes there
        self.reset_voltage(s)
        self.s_out.send(s)


@implements(proc=LIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyLifModelFloat(decl.LifFloatFields, AbstractPyLifModelFloat):
    def spiking_activation(self) -> np.ndarray:
        return self.v > self.vth

    def fusion_key(self):
        return PyLifModelFloat if type(self) is PyLifModelFloat else None  # subclasses step differently

    @classmethod
    def fuse(cls, models: list) -> FusedLifFloat:
        return FusedLifFloat(models)

    def on_var_set(self, name: str) -> None:
        if getattr(self, "_fusion", None) is not None:
            self._fusion.stale = True


@implements(proc=TernaryLIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyTernLifModelFloat(decl.TernaryLifFloatFields, AbstractPyLifModelFloat):
    def spiking_activation(self) -> np.ndarray:
        return (-1) * (self.v < self.vth_lo) + (self.v > self.vth_hi)

    def reset_voltage(self, spike_vector: np.ndarray) -> None:
        self.v[spike_vector != 0] = 0


@implements(proc=LIFReset, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyLifResetModelFloat(decl.LifFloatFields, AbstractPyLifModelFloat):
    def __init__(self, proc_params) -> None:
        super().__init__(proc_params)
        self.reset_interval, self.reset_offset = kernels.reset_timer(proc_params)

    def spiking_activation(self) -> np.ndarray:
        return self.v > self.vth

    def run_spk(self) -> None:
        a_in_data = self.a_in.recv()
        if kernels.reset_due(self.time_step, (self.reset_interval, self.reset_offset)):
            self.u *= 0
            self.v *= 0
        self.subthr_dynamics(a_in_data)
        s = self.spiking_activation()
        self.reset_voltage(s)
        self.s_out.send(s)


@implements(proc=LIFRefractory, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyLifRefractoryModelFloat(decl.LifRefractoryFloatFields, AbstractPyLifModelFloat):
    """After a spike, v is held (not integrated) until ``refractory_period`` steps have passed."""

    def __init__(self, proc_params) -> None:
        super().__init__(proc_params)
        self.refractory_period = proc_params["refractory_period"]

    def spiking_activation(self) -> np.ndarray:
        return self.v > self.vth

    def subthr_dynamics(self, activation_in: np.ndarray) -> None:
        self.u[:] = self.u * (1 - self.du)
        self.u[:] += activation_in
        active = self.refractory_period_end < self.time_step
        decay = np.broadcast_to(1 - np.asarray(self.dv, float), self.v.shape)  # dv: one value or one per neuron
        self.v[active] = self.v[active] * decay[active] + (self.u[active] + self.bias_mant[active])

    def run_spk(self) -> None:
        a_in_data = self.a_in.recv()
        self.subthr_dynamics(a_in_data)
        s = self.spiking_activation()
        self.refractory_period_end[s] = self.time_step + self.refractory_period
        self.reset_voltage(s)
        self.s_out.send(s)


# -- fixed point ---------------------------------------------------------------------------
class AbstractPyLifModelFixed(decl.LifFixedBaseFields, PyLoihiProcessModel):
    """Loihi's LIF (:func:`caldera.kernels.lif_subthreshold_into`): 12-bit decays (+1 on du), 24-bit
    wrapping u, saturating v, <<6 on input and vth. ``params`` holds the prepared parameters
    (:func:`caldera.kernels.lif_params`), ``effective_vth`` the shifted threshold."""

    schedule = "recv_first"
    s_out = None

    ds_offset = 1  # Loihi's 1-bit offset on the current decay: du=4095 clears u
    dm_offset = 0
    # Lava's names of the left shifts of input and threshold (MSB alignment), for models that subclass this one
    act_shift = arith.ACT_SHIFT
    vth_shift = arith.VTH_SHIFT

    _thresholds: tuple[str, ...] = ("vth",)

    def validate(self) -> None:
        kernels.require_integers(self, ("du", "dv", "bias_mant", "bias_exp", *self._thresholds))
        self._prepare()

    def on_var_set(self, name: str) -> None:
        if getattr(self, "_fusion", None) is not None:
            self._fusion.stale = True
        self._prepare()

    def _prepare(self) -> None:
        self.du = kernels.per_neuron_int(self.du)  # one value for the population, or one per neuron
        self.dv = kernels.per_neuron_int(self.dv)
        self.params = kernels.lif_params(
            self.du, self.dv, self.bias_mant, self.bias_exp, self.ds_offset, self.dm_offset
        )
        self.effective_bias = self.params.bias  # Lava's name, for models that subclass this one
        self._has_bias = bool(np.any(self.params.bias))
        self.scale_threshold()
        self._uv = None  # (re)built with the factors by _fuse_state

    def scale_threshold(self) -> None:
        raise NotImplementedError

    def spiking_activation(self) -> np.ndarray:
        raise NotImplementedError

    def _fuse_state(self) -> None:
        """Keep u and v as the two rows of one array, so that both decay in one multiply."""
        uv = np.empty((2, *np.shape(self.u)), np.int32)
        uv[0], uv[1] = self.u, self.v
        self.u, self.v, self._uv = uv[0], uv[1], uv
        self._scratch = kernels.lif_scratch(np.shape(self.u), self.params.mu, self.params.mv)

    def subthr_dynamics(self, activation_in: np.ndarray | None) -> None:
        """Lava's int32 arithmetic, in place; ``activation_in`` None: the input port has no source."""
        uv = self._uv
        if uv is None or self.u.base is not uv or self.v.base is not uv:  # a Var was replaced (e.g. after stop)
            self._fuse_state()
            uv = self._uv
        inputs = () if activation_in is None else ((self.u, activation_in),)
        bias = self.params.bias if self._has_bias else None
        sc = self._scratch
        kernels.lif_subthreshold_into(uv, sc.factors, inputs, bias, sc.magnitude, sc.magnitude_flat)

    def reset_voltage(self, spike_vector: np.ndarray) -> None:
        np.putmask(self.v, spike_vector, 0)

    def run_spk(self) -> None:
        a_in_data = self.a_in.recv() if self.a_in.connected else None
        self.subthr_dynamics(a_in_data)
        s = self.s_out_buff = self.spiking_activation()  # Lava's name: subclasses read the step's spikes there
        self.reset_voltage(s)
        self.s_out.send(s)


@implements(proc=LIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("bit_accurate_loihi", "fixed_pt")
class PyLifModelBitAcc(decl.LifFixedFields, AbstractPyLifModelFixed):
    def scale_threshold(self) -> None:
        # one vth: a Python int (compared with the int32 voltage it keeps NumPy in the int32 loop);
        # one per neuron: an int32 array, vth << 6 as Lava computes it
        self.effective_vth = kernels.threshold(self.vth)

    def spiking_activation(self) -> np.ndarray:
        return self.v > self.effective_vth

    def fusion_key(self):
        return PyLifModelBitAcc if type(self) is PyLifModelBitAcc else None  # subclasses step differently

    @classmethod
    def fuse(cls, models: list) -> FusedLifFixed:
        return FusedLifFixed(models)


@implements(proc=TernaryLIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyTernLifModelFixed(decl.TernaryLifFixedFields, AbstractPyLifModelFixed):
    _thresholds = ("vth_hi", "vth_lo")

    def scale_threshold(self) -> None:
        self.effective_vth_hi = np.left_shift(self.vth_hi, arith.VTH_SHIFT)
        self.effective_vth_lo = np.left_shift(self.vth_lo, arith.VTH_SHIFT)

    def spiking_activation(self) -> np.ndarray:
        return (-1) * (self.v < self.effective_vth_lo) + (self.v > self.effective_vth_hi)

    def reset_voltage(self, spike_vector: np.ndarray) -> None:
        self.v[spike_vector != 0] = 0


@implements(proc=LIFReset, protocol=LoihiProtocol)
@requires(CPU)
@tag("bit_accurate_loihi", "fixed_pt")
class PyLifResetModelBitAcc(PyLifModelBitAcc):
    def __init__(self, proc_params) -> None:
        super().__init__(proc_params)
        self.reset_interval, self.reset_offset = kernels.reset_timer(proc_params)

    def run_spk(self) -> None:
        a_in_data = self.a_in.recv()
        if kernels.reset_due(self.time_step, (self.reset_interval, self.reset_offset)):
            self.u *= 0
            self.v *= 0
        self.subthr_dynamics(a_in_data)
        s = self.spiking_activation()
        self.reset_voltage(s)
        self.s_out.send(s)


# -- fusion: several LIF populations stepped as one ------------------------------------------
class _FusedLif:
    """LIF populations of one model class stepped as one population (see ``PyLoihiProcessModel.fusion_key``).

    The members' u and v become views into one ``(2, total)`` array, their parameters are laid
    out per neuron, and a step is one set of array operations for all of them, with the
    receives and sends of each member. The arithmetic is the members' own, element by element,
    so the numbers are the same. A Var write (``on_var_set``) or a member whose u or v was
    replaced by another array (e.g. after ``stop``) makes the next step re-lay the arrays.
    """

    dtype: ty.Any = None

    def __init__(self, models: list) -> None:
        self.fused_models = models
        self.stale = True
        self.uv: np.ndarray | None = None
        for m in models:
            m._fusion = self

    def _current(self) -> bool:
        if self.stale:
            return False
        uv = self.uv
        for m in self.fused_models:
            if m.u.base is not uv or m.v.base is not uv:
                return False
        return True

    def _lay_out(self) -> None:
        ms = self.fused_models
        sizes = [int(np.size(m.u)) for m in ms]
        bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        uv = np.empty((2, int(bounds[-1])), self.dtype)
        self.outs, self.inputs = [], []
        for m, lo, hi in zip(ms, bounds[:-1], bounds[1:]):
            shape = np.shape(m.u)
            uv[0, lo:hi] = np.reshape(m.u, -1)
            uv[1, lo:hi] = np.reshape(m.v, -1)
            m.u, m.v = uv[0, lo:hi].reshape(shape), uv[1, lo:hi].reshape(shape)
            self.outs.append((m.s_out, lo, hi, shape))
            if m.a_in.connected:
                self.inputs.append((m.a_in, uv[0, lo:hi]))
        self.uv, self.u, self.v = uv, uv[0], uv[1]
        self.bounds = list(zip(ms, bounds[:-1], bounds[1:]))
        self._parameters()
        self.stale = False

    def _parameters(self) -> None:
        """The members' decay factors, bias and threshold, one entry per neuron."""
        n = self.uv.shape[1]
        self.factors = np.empty((2, n), np.float64)
        self.bias = np.empty(n, self.dtype)
        self.vth = np.empty(n, self.dtype)
        for m, lo, hi in self.bounds:
            shape = np.shape(m.u)
            targets = (self.factors[0], self.factors[1], self.bias, self.vth)
            for target, value in zip(targets, self._member_parameters(m)):
                target[lo:hi] = np.broadcast_to(value, shape).reshape(-1)

    def _member_parameters(self, m: ty.Any) -> tuple:
        """(u's decay factor, v's decay factor, bias, threshold) of member ``m``, scalars or per neuron."""
        raise NotImplementedError

    def _send(self, spikes: np.ndarray) -> None:
        """Each member's spikes, converted to the OutPorts' dtype once for all (a fresh array each step,
        so the members' messages can be views of it)."""
        if not self.outs:
            return
        out = spikes.astype(self.outs[0][0].dtype)
        for port, lo, hi, shape in self.outs:
            port.send_owned(out[lo:hi].reshape(shape))


class FusedLifFixed(_FusedLif):
    """The step of ``AbstractPyLifModelFixed`` for several ``PyLifModelBitAcc`` populations at once."""

    dtype = np.int32

    def _member_parameters(self, m: ty.Any) -> tuple:
        return m.params.mu, m.params.mv, m.params.bias, m.effective_vth

    def _parameters(self) -> None:
        super()._parameters()
        self.has_bias = bool(self.bias.any())
        self.magnitude = np.empty_like(self.uv)
        self.magnitude_flat = self.magnitude.reshape(-1).view(np.uint32)

    def __call__(self) -> None:
        if not self._current():
            self._lay_out()
        inputs = [(rows, port.recv().reshape(-1)) for port, rows in self.inputs]
        bias = self.bias if self.has_bias else None
        kernels.lif_subthreshold_into(self.uv, self.factors, inputs, bias, self.magnitude, self.magnitude_flat)
        v = self.v
        spikes = v > self.vth
        np.putmask(v, spikes, 0)
        self._send(spikes)


class FusedLifFloat(_FusedLif):
    """The step of ``AbstractPyLifModelFloat`` for several ``PyLifModelFloat`` populations at once."""

    dtype = np.float64

    def _member_parameters(self, m: ty.Any) -> tuple:
        return 1 - np.asarray(m.du, np.float64), 1 - np.asarray(m.dv, np.float64), m.bias_mant, m.vth

    def __call__(self) -> None:
        if not self._current():
            self._lay_out()
        uv, u, v = self.uv, self.u, self.v
        np.multiply(uv, self.factors, out=uv)  # u * (1 - du), v * (1 - dv): as AbstractPyLifModelFloat
        for port, rows in self.inputs:
            np.add(rows, port.recv().reshape(-1), out=rows)
        np.add(v, u, out=v)
        np.add(v, self.bias, out=v)
        spikes = v > self.vth
        np.putmask(v, spikes, 0)
        self._send(spikes)


MODELS = [
    PyLifModelFloat,
    PyTernLifModelFloat,
    PyLifResetModelFloat,
    PyLifRefractoryModelFloat,
    PyLifModelBitAcc,
    PyTernLifModelFixed,
    PyLifResetModelBitAcc,
]
