"""The ``loihi`` backend's process models: the standard processes as a Loihi 2 neuro-core computes them.

Every model here requires a :class:`caldera.resources.Loihi2NeuroCore`, carries
the tags ``fixed_pt`` and ``bit_accurate_loihi``, and is a thin stateful
wrapper around the core's :mod:`caldera.kernels` (the arithmetic every ``fixed_pt``
backend shares) and :mod:`caldera_loihi.synapses`. Besides computing, each model
exposes what the mapper and the activity counters need: ``role`` (``neuron``
or ``synapse``), ``num_neurons``, and after each step ``last_spikes`` /
``last_active`` (neurons) or ``last_input`` (synapses).
"""

from __future__ import annotations

import typing as ty

import numpy as np
from caldera import arith
from caldera import declarations as decl
from caldera import kernels as k
from caldera.errors import ParameterError
from caldera.lazy import lazy_module
from caldera.model import (
    LavaPyType,
    PyLoihiProcessModel,
    PyOutPort,
    SendFirstMixin,
    implements,
    requires,
    tag,
)
from caldera.procs.conv import Conv, conv_matrix
from caldera.procs.dense import DelayDense, Dense
from caldera.procs.lif import LIF, LIFReset, TernaryLIF
from caldera.procs.rf import RF
from caldera.procs.sdn import ActivationMode, Sigma, SigmaDelta
from caldera.procs.sparse import DelaySparse, Sparse
from caldera.protocols import LoihiProtocol
from caldera.resources import Loihi2NeuroCore
from caldera.variable import is_sparse

from caldera_loihi import synapses
from caldera_loihi.hints import CONVERT_HINT

sp = lazy_module("scipy.sparse")  # imported on first use (see caldera.lazy)


def _require_integers(model: ty.Any, names: ty.Iterable[str]) -> None:
    k.require_integers(model, names, hint=CONVERT_HINT)


class LoihiCoreModel(PyLoihiProcessModel):
    """Base of the models that run on neuro-cores (the mapper places them; the executor counts them)."""

    role: str = ""
    _loihi_executor: ty.Any = None  # set by the executor that runs the model

    @property
    def num_neurons(self) -> int:
        return 0

    @property
    def loihi_report_dict(self) -> dict:
        """The executor's report as plain data (how a parallel partition's report reaches the caller)."""
        if self._loihi_executor is None:
            raise RuntimeError(f"{self.process_name}: not run by a loihi executor")
        return self._loihi_executor.report().to_dict()


# -- neurons -------------------------------------------------------------------------------
#: the chip's thresholds are 17-bit mantissas (shifted by 6), also those of TernaryLIF
_LIF_RANGES = {
    **k.LIF_RANGES,
    "vth_hi": (-(2**17) + 1, 2**17 - 1, "17-bit signed mantissa"),
    "vth_lo": (-(2**17) + 1, 2**17 - 1, "17-bit signed mantissa"),
}


class _NeuronModel(LoihiCoreModel):
    role = "neuron"
    schedule = "recv_first"

    @property
    def num_neurons(self) -> int:
        return int(np.prod(self.process.vars[self._state_var].shape))

    _state_var = "v"

    def _record(self, spikes: np.ndarray, active: np.ndarray) -> None:
        self.last_spikes = spikes
        self.last_active = active


class _LifBase(decl.LifFixedBaseFields, _NeuronModel):
    """Loihi's LIF (see :func:`caldera.kernels.lif_subthreshold`)."""

    param_ranges = _LIF_RANGES
    _thresholds: tuple[str, ...] = ("vth",)

    def validate(self) -> None:
        _require_integers(self, ("du", "dv", "bias_mant", "bias_exp", "u", "v", *self._thresholds))
        self._prepare_all()

    def _prepare_all(self) -> None:
        for name in ("du", "dv", "vth"):  # the emulator keeps one value of these per population
            value = getattr(self, name, 0)
            if np.size(value) > 1 and np.any(np.asarray(value) != np.asarray(value).flat[0]):
                raise ParameterError(
                    f"{k.describe(self)}: {name} has one value per neuron; the Loihi emulator (backend 'loihi') "
                    "takes one value per population: run it on backend 'cpu', or split the population"
                )
        self.du = k.scalar(self.du)
        self.dv = k.scalar(self.dv)
        self.params = k.lif_params(self.du, self.dv, self.bias_mant, self.bias_exp)
        self._bias = self.params.bias if np.any(self.params.bias) else None
        self._uv = None  # work arrays, made at the first step (u and v may change shape only through set)
        self._thresholds_changed()

    def on_var_set(self, name: str) -> None:
        self._prepare_all()

    def _thresholds_changed(self) -> None:
        raise NotImplementedError

    def _fire(self, v: np.ndarray) -> np.ndarray:
        """Spikes; v reset in place."""
        raise NotImplementedError

    def _update(self) -> np.ndarray:
        a_in = np.asarray(self.a_in.recv()).astype(np.int32)
        uv = self._uv
        if uv is None or uv.shape[1:] != np.shape(self.u):
            uv = self._uv = np.empty((2, *np.shape(self.u)), np.int32)
            self._scratch = k.lif_scratch(uv.shape[1:], self.params.mu, self.params.mv)
        uv[0], uv[1] = self.u, self.v
        sc = self._scratch
        k.lif_subthreshold_into(uv, sc.factors, ((uv[0], a_in),), self._bias, sc.magnitude, sc.magnitude_flat)
        u, v = uv
        s = self._fire(v)
        self.u[:] = u
        self.v[:] = v
        self._record(s, (u != 0) | (v != 0) | (s != 0))
        return s

    def run_spk(self) -> None:
        self.s_out.send(self._update())


@implements(proc=LIF, protocol=LoihiProtocol)
@requires(Loihi2NeuroCore)
@tag("bit_accurate_loihi", "fixed_pt")
class LoihiLifModel(decl.LifFixedFields, _LifBase):
    def _thresholds_changed(self) -> None:
        self._vth = k.threshold(self.vth)

    def _fire(self, v):
        return k.fire(v, self._vth)


@implements(proc=LIFReset, protocol=LoihiProtocol)
@requires(Loihi2NeuroCore)
@tag("bit_accurate_loihi", "fixed_pt")
class LoihiLifResetModel(LoihiLifModel):
    """LIF whose u and v are zeroed (by the chip's reset timer) when ``t % interval == offset``."""

    def __init__(self, proc_params) -> None:
        super().__init__(proc_params)
        self.reset_interval, self.reset_offset = k.reset_timer(proc_params)

    def run_spk(self) -> None:
        if k.reset_due(self.time_step, (self.reset_interval, self.reset_offset)):
            self.u[:] = 0
            self.v[:] = 0
        self.s_out.send(self._update())


@implements(proc=TernaryLIF, protocol=LoihiProtocol)
@requires(Loihi2NeuroCore)
@tag("bit_accurate_loihi", "fixed_pt")
class LoihiTernaryLifModel(decl.TernaryLifFixedFields, _LifBase):
    s_out = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=2)  # the chip's messages are int32
    _thresholds = ("vth_hi", "vth_lo")

    def _thresholds_changed(self) -> None:
        self._hi = np.left_shift(self.vth_hi, arith.VTH_SHIFT)
        self._lo = np.left_shift(self.vth_lo, arith.VTH_SHIFT)

    def _fire(self, v):
        return k.fire_ternary(v, self._hi, self._lo)


@implements(proc=SigmaDelta, protocol=LoihiProtocol)
@requires(Loihi2NeuroCore)
@tag("bit_accurate_loihi", "fixed_pt")
class LoihiSigmaDeltaModel(decl.SigmaDeltaFixedFields, _NeuronModel):
    """Sigma decoding, activation (UNIT or RELU) and delta encoding; output shifted right by ``state_exp``."""

    _state_var = "sigma"

    def validate(self) -> None:
        _require_integers(self, ("vth", "bias"))
        mode = self.proc_params["act_mode"]
        if mode not in (ActivationMode.UNIT, ActivationMode.RELU):
            raise ParameterError(f"{k.describe(self)}: activation mode {mode!r} is not implemented (UNIT, RELU)")

    def run_spk(self) -> None:
        relu = self.proc_params["act_mode"] == ActivationMode.RELU
        s, sigma, act, residue, error = k.sigma_delta_vars(self, self.a_in.recv(), relu)
        self.sigma, self.act, self.residue, self.error = sigma, act, residue, error
        self._record(s != 0, (sigma != 0) | (s != 0))
        self.s_out.send(np.right_shift(s, self.state_exp))


@implements(proc=Sigma, protocol=LoihiProtocol)
@requires(Loihi2NeuroCore)
@tag("bit_accurate_loihi", "fixed_pt")
class LoihiSigmaModel(decl.SigmaFixedFields, _NeuronModel):
    """Sigma decoding: the running sum of the input, sent every step (a graded message)."""

    _state_var = "sigma"

    def run_spk(self) -> None:
        self.sigma = self.a_in.recv() + self.sigma
        self._record(self.sigma != 0, self.sigma != 0)
        self.s_out.send(self.sigma)


@implements(proc=RF, protocol=LoihiProtocol)
@requires(Loihi2NeuroCore)
@tag("bit_accurate_loihi", "fixed_pt")
class LoihiRFModel(decl.RFFixedFields, _NeuronModel):
    """Resonate-and-fire: a spike when the real part crosses ``vth`` as the phase crosses zero."""

    _state_var = "real"

    def validate(self) -> None:
        _require_integers(self, ("sin_decay", "cos_decay", "vth"))
        k.require_decay_bits(self, self.decay_bits)

    def run_spk(self) -> None:
        e = self.state_exp
        a_real = np.left_shift(self.a_real_in.recv(), e)
        a_imag = np.left_shift(self.a_imag_in.recv(), e)
        nr, ni = k.rf_step(
            a_real, a_imag, self.real, self.imag, int(self.cos_decay), int(self.sin_decay), k.scalar(self.decay_bits)
        )
        s = k.rf_spikes(nr, ni, self.imag, self.vth)
        self.real[:], self.imag[:] = nr, ni
        self._record(s != 0, (nr != 0) | (ni != 0))
        self.s_out.send(s)


# -- synapses ------------------------------------------------------------------------------
def _check_weights(model: ty.Any, given: ty.Any, num_weight_bits: int, name: str = "weights") -> arith.SignMode:
    """The core's weight check (one message on every backend), ending with how to convert a float network."""
    return k.check_weights(
        k.describe(model), given, model.proc_params.get("sign_mode"), num_weight_bits, name=name, hint=CONVERT_HINT
    )


class _SynapseModel(SendFirstMixin, LoihiCoreModel):
    role = "synapse"
    _weights_var = "weights"

    def _record_input(self, s_in: np.ndarray) -> None:
        self.last_input = s_in

    def synapse_matrix(self) -> ty.Any:
        """The stored integer weights as ``(n_out, n_in)`` (dense or CSR), for the mapper."""
        return self.weights

    def delays_matrix(self) -> ty.Any:
        return None

    @property
    def graded(self) -> bool:
        return bool(self._graded)

    @property
    def num_weight_bits(self) -> int:
        return int(self.proc_params.get("num_weight_bits", 8))

    @property
    def sign_mode(self) -> arith.SignMode:
        return self._sign_mode


class _MatrixModel(_SynapseModel):
    """``a_out[t] = (W @ s_in[t-1]) << weight_exp`` with stored (clipped, truncated) integer weights."""

    def validate(self) -> None:
        self._prepare(self.process.vars["weights"].init)

    def on_var_set(self, name: str) -> None:
        if name == "weights":
            self._prepare(self.weights)

    def _prepare(self, given: ty.Any) -> None:
        self._sign_mode = _check_weights(self, given, self.num_weight_bits)
        self.weights = k.stored_weights(self.weights, self._sign_mode, self.num_weight_bits)
        self._graded, self._exp = k.synapse_params(self.num_message_bits, self.proc_params.get("weight_exp", 0))
        self._m = synapses.prepare_matrix(self.weights)
        self.a_buff = np.asarray(self.a_buff, dtype=np.int64)

    def send_spk(self) -> None:
        self.a_out.send(self.a_buff)

    def recv_spk(self) -> None:
        s_in = self.s_in.recv()
        self._record_input(s_in)
        self.a_buff = arith.shift(synapses.accumulate(self._m, s_in, self._graded), self._exp)


@implements(proc=Dense, protocol=LoihiProtocol)
@requires(Loihi2NeuroCore)
@tag("bit_accurate_loihi", "fixed_pt")
class LoihiDenseModel(decl.DenseFixedFields, _MatrixModel):
    pass


@implements(proc=Sparse, protocol=LoihiProtocol)
@requires(Loihi2NeuroCore)
@tag("bit_accurate_loihi", "fixed_pt")
class LoihiSparseModel(decl.SparseFixedFields, _MatrixModel):
    pass


class _DelayModel(_SynapseModel):
    """``a_buff`` (n_out, max_delay + 1): column 0 goes out next; a synapse of delay d adds into column d."""

    def validate(self) -> None:
        self._prepare(self.process.vars["weights"].init)

    def on_var_set(self, name: str) -> None:
        if name in ("weights", "delays"):
            self._prepare(self.weights)

    def delays_matrix(self) -> ty.Any:
        return self.delays

    def _prepare(self, given: ty.Any) -> None:
        self._sign_mode = _check_weights(self, given, self.num_weight_bits)
        self.weights = k.stored_weights(self.weights, self._sign_mode, self.num_weight_bits)
        k.check_delays(k.describe(self), self.delays)
        depth = self.a_buff.shape[-1]
        stacked = k.delay_stack(self.weights, self.delays, depth, np.int64)
        self._stack = synapses.prepare_matrix(sp.csr_matrix(stacked) if is_sparse(self.weights) else stacked)
        self._depth, self._n_out = depth, self.weights.shape[0]
        self._graded, self._exp = k.synapse_params(self.num_message_bits, self.proc_params.get("weight_exp", 0))
        self.a_buff = np.asarray(self.a_buff, dtype=np.int64)

    def send_spk(self) -> None:
        self.a_out.send(self.a_buff[:, 0])

    def recv_spk(self) -> None:
        s_in = self.s_in.recv()
        self._record_input(s_in)
        act = synapses.accumulate(self._stack, s_in, self._graded).reshape(self._depth, self._n_out).T
        self.a_buff = k.delay_advance(self.a_buff, arith.shift(act, self._exp))


@implements(proc=DelayDense, protocol=LoihiProtocol)
@requires(Loihi2NeuroCore)
@tag("bit_accurate_loihi", "fixed_pt")
class LoihiDelayDenseModel(decl.DelayDenseFixedFields, _DelayModel):
    pass


@implements(proc=DelaySparse, protocol=LoihiProtocol)
@requires(Loihi2NeuroCore)
@tag("bit_accurate_loihi", "fixed_pt")
class LoihiDelaySparseModel(decl.DelaySparseFixedFields, _DelayModel):
    pass


@implements(proc=Conv, protocol=LoihiProtocol)
@requires(Loihi2NeuroCore)
@tag("bit_accurate_loihi", "fixed_pt")
class LoihiConvModel(decl.ConvFixedFields, _SynapseModel):
    """A true 2-D convolution over XYC arrays (shared kernel weights), result clamped to 24 bits."""

    _weights_var = "weight"

    def validate(self) -> None:
        self._prepare(self.proc_params["weight"])

    def on_var_set(self, name: str) -> None:
        if name in ("weight", "weight_exp"):
            self._prepare(self.weight)

    def _prepare(self, given: ty.Any) -> None:
        p = self.proc_params
        self._sign_mode = _check_weights(self, given, 8, name="weight")
        csr = conv_matrix(
            tuple(p["input_shape"]),
            np.asarray(self.weight).astype(np.int64),
            tuple(int(x) for x in self.stride),
            tuple(int(x) for x in self.padding),
            tuple(int(x) for x in self.dilation),
            k.scalar(self.groups),
        )
        self._matrix = csr
        self._m = synapses.prepare_matrix(csr)
        self._graded, self._exp = k.synapse_params(self.num_message_bits, self.weight_exp)
        self._out_shape = tuple(self.a_buf.shape)

    def synapse_matrix(self) -> ty.Any:
        return self._matrix

    @property
    def kernel_weights(self) -> int:
        """Distinct stored weights (a convolution shares its kernel across positions)."""
        return int(np.asarray(self.weight).size)

    def send_spk(self) -> None:
        self.a_out.send(self.a_buf)

    def recv_spk(self) -> None:
        s_in = self.s_in.recv()
        flat = np.asarray(s_in).reshape(-1)
        self._record_input(flat)
        out = synapses.accumulate(self._m, flat, self._graded).reshape(self._out_shape)
        self.a_buf = arith.signed_clamp(arith.shift(out, self._exp), 24)


MODELS = [
    LoihiLifModel,
    LoihiLifResetModel,
    LoihiTernaryLifModel,
    LoihiSigmaDeltaModel,
    LoihiSigmaModel,
    LoihiRFModel,
    LoihiDenseModel,
    LoihiSparseModel,
    LoihiDelayDenseModel,
    LoihiDelaySparseModel,
    LoihiConvModel,
]

CORE_PROCESSES = frozenset(m.implements_process for m in MODELS)
"""Processes the chip itself runs; on the loihi backend only the models above may implement them."""

__all__ = ["LoihiCoreModel", "MODELS", "CORE_PROCESSES", "CONVERT_HINT", *[m.__name__ for m in MODELS]]
