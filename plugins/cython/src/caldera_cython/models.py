"""Compiled models of the standard processes.

Each model declares its Vars and ports with the core's mixins
(:mod:`caldera.declarations`, the same the NumPy and emulator models use),
checks and prepares its parameters with the core's public functions
(:mod:`caldera.kernels`: ``require_integers``, ``connection_weights``,
``lif_params``, ``cuba_params``, ``threshold``, ``synapse_params``,
``reset_timer``) and steps with a kernel from :mod:`caldera_cython._kernels`.
No model here extends another backend's model or reads its attributes. The
model attributes (``u``, ``v``, ``a_buff``, ...) stay the Vars' storage: the
kernel works on views of them, so ``Var.get``/``Var.set`` between runs see
and change exactly what the kernel uses. A Var write rebuilds the kernel
(``on_var_set``), because some Vars feed precomputed tables (weights,
scaled biases and thresholds).

Run by the core's :class:`~caldera.executor.InProcessExecutor`, a model
copies its received messages into the kernel's input buffers and sends its
output buffers; run by :class:`caldera_cython.executor.CompiledExecutor`, the
buffers are wired to each other and no Python runs per step. A Monitor needs
no model of its own: the compiled loop records the probes of whichever
Monitor model was selected (see the executor).
"""

from __future__ import annotations

import typing as ty

import numpy as np
from caldera import declarations as decl
from caldera import kernels as ck
from caldera.lazy import lazy_module
from caldera.model import PyLoihiProcessModel, implements, requires, tag
from caldera.procs.conv import Conv, conv_matrix
from caldera.procs.cuba import CubaLIF
from caldera.procs.dense import DelayDense, Dense
from caldera.procs.io.sink import RingBufferSink
from caldera.procs.io.source import RingBuffer
from caldera.procs.lif import LIF, LIFRefractory, LIFReset, TernaryLIF
from caldera.procs.sdn import ActivationMode, SigmaDelta
from caldera.procs.sparse import DelaySparse, Sparse
from caldera.protocols import LoihiProtocol
from caldera.resources import CPU
from caldera.variable import is_sparse

from caldera_cython import _kernels as K

sp = lazy_module("scipy.sparse")  # imported on first use (see caldera.lazy)


def flat(model: ty.Any, name: str, dtype: ty.Any) -> np.ndarray:
    """A flat, writable view of the model attribute ``name`` in ``dtype``.

    If the attribute is not yet a C-contiguous array of that dtype it is
    replaced by one (same values), so that the attribute stays the storage.
    """
    arr = getattr(model, name)
    if not (
        isinstance(arr, np.ndarray) and arr.dtype == np.dtype(dtype) and arr.flags.c_contiguous and arr.flags.writeable
    ):
        arr = np.ascontiguousarray(np.array(arr, dtype=dtype))
        setattr(model, name, arr)
    return arr.reshape(-1)


def per_neuron(value: ty.Any, shape: tuple[int, ...], dtype: ty.Any = np.float64) -> np.ndarray:
    """A scalar or per-neuron parameter broadcast to the population ``shape``, flat (a private copy)."""
    arr = np.asarray(value, dtype=dtype)
    if arr.ndim == 1 and arr.size == 1:
        arr = arr.reshape(())
    return np.array(np.broadcast_to(arr, shape), dtype=dtype, order="C", copy=True).reshape(-1)


def column_compressed(w: ty.Any, dtype: ty.Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(indptr, row indices, values) of ``w`` by input column, rows ascending, zeros dropped."""
    m = sp.csc_matrix(w, dtype=dtype)
    m.eliminate_zeros()
    m.sort_indices()
    return m.indptr.astype(np.int64), m.indices.astype(np.int32, copy=False), np.ascontiguousarray(m.data, dtype=dtype)


class CompiledModel(PyLoihiProcessModel):
    """A kernel built from the model's state, and the port plumbing around it.

    ``kernel_inputs`` / ``kernel_outputs`` name the ports whose messages feed
    ``kernel.inputs`` / come from ``kernel.outputs``, in order. ``check`` sees
    the parameters as given (before the Vars' dtypes cast them), ``prepare``
    turns the Vars into what the kernel reads (at build time with ``name``
    None, after a write with the Var's name); then the kernel is (re)built.
    """

    kernel_inputs: tuple[str, ...] = ("a_in",)
    kernel_outputs: tuple[str, ...] = ("s_out",)
    kernel: ty.Any = None

    def check(self) -> None:
        pass

    def prepare(self, name: str | None = None) -> None:
        pass

    def make_kernel(self) -> ty.Any:
        raise NotImplementedError

    def validate(self) -> None:
        self.check()
        self.prepare()
        self.kernel = self.make_kernel()

    def on_var_set(self, name: str) -> None:
        self.prepare(name)
        self.kernel = self.make_kernel()

    def _recv_inputs(self) -> None:
        for name, buf in zip(self.kernel_inputs, self.kernel.inputs):
            buf[...] = getattr(self, name).recv().reshape(-1)

    def _send_outputs(self) -> None:
        for name, buf in zip(self.kernel_outputs, self.kernel.outputs):
            port = getattr(self, name)
            port.send(buf.reshape(port.shape))


class CompiledRecvFirst(CompiledModel):
    schedule = "recv_first"

    def run_spk(self) -> None:
        self._recv_inputs()
        self.kernel.py_step(self.time_step)
        self._send_outputs()


class CompiledSendFirst(CompiledModel):
    schedule = "send_first"
    kernel_inputs = ("s_in",)
    kernel_outputs = ("a_out",)

    def send_spk(self) -> None:
        self.kernel.py_send()
        self._send_outputs()

    def recv_spk(self) -> None:
        self._recv_inputs()
        self.kernel.py_step(self.time_step)

    def run_spk(self) -> None:
        self.send_spk()
        self.recv_spk()


def _register(proc: type, *tags: str) -> ty.Callable[[type], type]:
    def deco(cls: type) -> type:
        return implements(proc=proc, protocol=LoihiProtocol)(requires(CPU)(tag(*tags)(cls)))

    return deco


# -- LIF family: floating_pt -----------------------------------------------------------------
class _LifFloat(CompiledRecvFirst):
    mode = 0

    def _kernel_thresholds(self, n: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        vth = per_neuron(self.vth, n)
        return vth, vth

    def _extra(self) -> dict:
        return {}

    def make_kernel(self) -> ty.Any:
        u, v = flat(self, "u", np.float64), flat(self, "v", np.float64)
        n = self.u.shape
        hi, lo = self._kernel_thresholds(n)
        return K.LifFloatKernel(
            u,
            v,
            1 - per_neuron(self.du, n),
            1 - per_neuron(self.dv, n),
            per_neuron(self.bias_mant, n),
            hi,
            lo,
            mode=self.mode,
            **self._extra(),
        )


class _ResetTimer:
    """LIFReset's timer (:func:`caldera.kernels.reset_timer`), passed to the kernel."""

    def __init__(self, proc_params) -> None:
        super().__init__(proc_params)
        self.reset_interval, self.reset_offset = ck.reset_timer(proc_params)

    def _extra(self) -> dict:
        return {"reset_interval": self.reset_interval, "reset_offset": self.reset_offset}


@_register(LIF, "floating_pt")
class CyLifModelFloat(decl.LifFloatFields, _LifFloat):
    pass


@_register(TernaryLIF, "floating_pt")
class CyTernLifModelFloat(decl.TernaryLifFloatFields, _LifFloat):
    mode = 1

    def _kernel_thresholds(self, n: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        return per_neuron(self.vth_hi, n), per_neuron(self.vth_lo, n)


@_register(LIFReset, "floating_pt")
class CyLifResetModelFloat(decl.LifFloatFields, _ResetTimer, _LifFloat):
    pass


@_register(LIFRefractory, "floating_pt")
class CyLifRefractoryModelFloat(decl.LifRefractoryFloatFields, _LifFloat):
    def __init__(self, proc_params) -> None:
        super().__init__(proc_params)
        self.refractory_period = proc_params["refractory_period"]

    def _extra(self) -> dict:
        return {"refractory": int(self.refractory_period), "ref_end": flat(self, "refractory_period_end", np.int64)}


# -- LIF family: fixed_pt --------------------------------------------------------------------
class _LifFixed(CompiledRecvFirst):
    mode = 0
    thresholds: tuple[str, ...] = ("vth",)

    def check(self) -> None:
        ck.require_integers(self, ("du", "dv", "bias_mant", "bias_exp", *self.thresholds))

    def prepare(self, name: str | None = None) -> None:
        self.du, self.dv = ck.per_neuron_int(self.du), ck.per_neuron_int(self.dv)  # one per population or neuron

    def _kernel_thresholds(self, n: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        vth = per_neuron(ck.threshold(self.vth), n, np.int64)
        return vth, vth

    def _extra(self) -> dict:
        return {}

    def make_kernel(self) -> ty.Any:
        u, v = flat(self, "u", np.int32), flat(self, "v", np.int32)
        n = self.u.shape
        hi, lo = self._kernel_thresholds(n)
        p = ck.lif_params(self.du, self.dv, self.bias_mant, self.bias_exp)
        eb = per_neuron(p.bias, n, np.int32)
        return K.LifFixedKernel(
            u, v, per_neuron(p.mu, n), per_neuron(p.mv, n), eb, hi, lo, mode=self.mode, **self._extra()
        )


@_register(LIF, "bit_accurate_loihi", "fixed_pt")
class CyLifModelBitAcc(decl.LifFixedFields, _LifFixed):
    pass


@_register(TernaryLIF, "fixed_pt")
class CyTernLifModelFixed(decl.TernaryLifFixedFields, _LifFixed):
    mode = 1
    thresholds = ("vth_hi", "vth_lo")

    def _kernel_thresholds(self, n: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        return per_neuron(ck.threshold(self.vth_hi), n, np.int64), per_neuron(ck.threshold(self.vth_lo), n, np.int64)


@_register(LIFReset, "bit_accurate_loihi", "fixed_pt")
class CyLifResetModelBitAcc(decl.LifFixedFields, _ResetTimer, _LifFixed):
    pass


# -- CubaLIF ---------------------------------------------------------------------------------
class _Cuba(CompiledRecvFirst):
    kernel_inputs = ("a_in_exc", "a_in_inh")

    def __init__(self, proc_params) -> None:
        super().__init__(proc_params)
        self.refractory_period = proc_params["refractory_period"]


@_register(CubaLIF, "floating_pt")
class CyCubaLIFModelFloat(decl.CubaLifFloatFields, _Cuba):
    def make_kernel(self) -> ty.Any:
        v = flat(self, "v", np.float64)
        n = self.v.shape
        return K.CubaFloatKernel(
            flat(self, "u_exc", np.float64),
            flat(self, "u_inh", np.float64),
            v,
            1 - per_neuron(self.du_exc, n),
            1 - per_neuron(self.du_inh, n),
            1 - per_neuron(self.dv, n),
            per_neuron(self.bias_mant, n),
            per_neuron(self.vth, n),
            flat(self, "refractory_period_end", np.int64),
            int(self.refractory_period),
        )


@_register(CubaLIF, "fixed_pt")
class CyCubaLIFModelFixed(decl.CubaLifFixedFields, _Cuba):
    def check(self) -> None:
        ck.require_integers(self, ("du_exc", "du_inh", "dv", "bias_mant", "bias_exp", "vth"))

    def prepare(self, name: str | None = None) -> None:
        for single in ("du_exc", "du_inh", "dv", "vth"):
            setattr(self, single, ck.scalar(getattr(self, single)))

    def make_kernel(self) -> ty.Any:
        v = flat(self, "v", np.int32)
        p = ck.cuba_params(self.du_exc, self.du_inh, self.dv, self.bias_mant, self.bias_exp)
        return K.CubaFixedKernel(
            flat(self, "u_exc", np.int32),
            flat(self, "u_inh", np.int32),
            v,
            p.m_exc,
            p.m_inh,
            p.mv,
            per_neuron(p.bias, self.v.shape, np.int32),
            int(ck.threshold(self.vth)),
            flat(self, "refractory_period_end", np.int64),
            int(self.refractory_period),
        )


# -- Dense / Sparse / Conv -------------------------------------------------------------------
class _Synapse(CompiledSendFirst):
    """A connection: ``fixed_pt`` weights checked as given, then held as the synapse stores them."""

    fixed = False
    restore_on: tuple[str, ...] = ("weights",)  # the Vars whose writes make the weights be stored again

    def check(self) -> None:
        if self.fixed:  # the values as given, before the Var's integer dtype truncates them
            ck.connection_sign_mode(self, self.process.vars["weights"].init)

    def prepare(self, name: str | None = None) -> None:
        if self.fixed and (name is None or name in self.restore_on):
            self.weights = ck.connection_weights(self, self.weights)

    def delivery(self) -> ck.SynapseParams:
        """Graded or binary input, and the weight exponent (fixed_pt only), from the core's preparation."""
        return ck.synapse_params(self.num_message_bits, self.proc_params.get("weight_exp", 0) if self.fixed else 0)


class _Matrix(_Synapse):
    def make_kernel(self) -> ty.Any:
        graded, exp = self.delivery()
        if self.fixed:
            ip, ix, data = column_compressed(self.weights, np.int64)
            acc = flat(self, "a_buff", np.int64)
            return K.SynFixedKernel(ip, ix, data, acc, graded, exp)
        ip, ix, data = column_compressed(self.weights, np.float64)
        return K.SynFloatKernel(ip, ix, data, flat(self, "a_buff", np.float64), graded)


#: a Dense whose weights are at least this dense keeps a dense (transposed) table instead of columns
DENSE_TABLE_MIN_DENSITY = 0.25


class _Dense(_Matrix):
    def make_kernel(self) -> ty.Any:
        w = np.asarray(self.weights)
        if w.size == 0 or np.count_nonzero(w) < DENSE_TABLE_MIN_DENSITY * w.size:
            return super().make_kernel()  # few synapses: event-driven columns
        graded, exp = self.delivery()
        if self.fixed:
            return K.DenseFixedKernel(
                np.ascontiguousarray(w.T, dtype=np.int64), flat(self, "a_buff", np.int64), graded, exp
            )
        return K.DenseFloatKernel(np.ascontiguousarray(w.T, dtype=np.float64), flat(self, "a_buff", np.float64), graded)


@_register(Dense, "floating_pt")
class CyDenseModelFloat(decl.DenseFloatFields, _Dense):
    pass


@_register(Dense, "bit_accurate_loihi", "fixed_pt")
class CyDenseModelBitAcc(decl.DenseFixedFields, _Dense):
    fixed = True


@_register(Sparse, "floating_pt")
class CySparseModelFloat(decl.SparseFloatFields, _Matrix):
    pass


@_register(Sparse, "bit_accurate_loihi", "fixed_pt")
class CySparseModelBitAcc(decl.SparseFixedFields, _Matrix):
    fixed = True


class _Conv(CompiledSendFirst):
    """The convolution as the core's sparse matrix (:func:`caldera.procs.conv.conv_matrix`), summed by columns."""

    fixed = False

    def check(self) -> None:
        if self.fixed:
            ck.connection_sign_mode(self, self.proc_params["weight"], name="weight")

    def prepare(self, name: str | None = None) -> None:
        if self.fixed and name in ("weight", "weight_exp"):
            ck.connection_sign_mode(self, self.weight, name="weight")

    def make_kernel(self) -> ty.Any:
        p = self.proc_params
        dtype = np.int64 if self.fixed else np.float64
        matrix = conv_matrix(
            tuple(p["input_shape"]),
            np.asarray(self.weight).astype(dtype),
            tuple(int(x) for x in self.stride),
            tuple(int(x) for x in self.padding),
            tuple(int(x) for x in self.dilation),
            ck.scalar(self.groups),
        )
        graded, exp = ck.synapse_params(self.num_message_bits, self.weight_exp if self.fixed else 0)
        ip, ix, data = column_compressed(matrix, dtype)
        if self.fixed:
            return K.SynFixedKernel(ip, ix, data, flat(self, "a_buf", np.int64), graded, exp, clamp24=True)
        return K.SynFloatKernel(ip, ix, data, flat(self, "a_buf", np.float64), graded)


@_register(Conv, "floating_pt")
class CyConvModelFloat(decl.ConvFloatFields, _Conv):
    pass


@_register(Conv, "fixed_pt")
class CyConvModelFixed(decl.ConvFixedFields, _Conv):
    fixed = True


class _Delay(_Synapse):
    restore_on = ("weights", "delays")

    def prepare(self, name: str | None = None) -> None:
        super().prepare(name)
        if self.fixed and (name is None or name in self.restore_on):
            ck.check_delays(ck.describe(self), self.delays)

    def make_kernel(self) -> ty.Any:
        dtype = np.int64 if self.fixed else np.float64
        w = self.weights if is_sparse(self.weights) else np.asarray(self.weights)
        ip, ix, data = column_compressed(w, dtype)
        cols = np.repeat(np.arange(w.shape[1]), np.diff(ip))
        if ix.size == 0:
            d = np.zeros(0, np.int32)
        elif is_sparse(self.delays):  # the delay of each stored synapse, without densifying
            d = np.asarray(sp.csr_matrix(self.delays)[ix, cols]).reshape(-1)
        else:
            d = np.asarray(self.delays)[ix, cols]
        delays = np.ascontiguousarray(d, dtype=np.int32)
        buf = self.a_buff
        if not (isinstance(buf, np.ndarray) and buf.dtype == dtype and buf.flags.c_contiguous):
            self.a_buff = buf = np.ascontiguousarray(buf, dtype=dtype)
        graded, exp = self.delivery()
        if self.fixed:
            return K.DelayFixedKernel(ip, ix, data, delays, buf, graded, exp)
        return K.DelayFloatKernel(ip, ix, data, delays, buf, graded)


@_register(DelayDense, "floating_pt")
class CyDelayDenseModelFloat(decl.DelayDenseFloatFields, _Delay):
    pass


@_register(DelayDense, "bit_accurate_loihi", "fixed_pt")
class CyDelayDenseModelBitAcc(decl.DelayDenseFixedFields, _Delay):
    fixed = True


@_register(DelaySparse, "floating_pt")
class CyDelaySparseModelFloat(decl.DelaySparseFloatFields, _Delay):
    pass


@_register(DelaySparse, "bit_accurate_loihi", "fixed_pt")
class CyDelaySparseModelBitAcc(decl.DelaySparseFixedFields, _Delay):
    fixed = True


# -- SigmaDelta ------------------------------------------------------------------------------
class _SigmaDelta(CompiledRecvFirst):
    fixed = False

    def __init__(self, proc_params) -> None:
        super().__init__(proc_params)
        self.act_mode = proc_params["act_mode"]

    def make_kernel(self) -> ty.Any:
        if self.act_mode not in (ActivationMode.UNIT, ActivationMode.RELU):
            raise NotImplementedError(f"activation mode {self.act_mode} is not implemented")
        relu = self.act_mode == ActivationMode.RELU
        cum = bool(np.asarray(self.cum_error).reshape(-1)[0])
        dt = np.int32 if self.fixed else np.float64
        states = [flat(self, name, dt) for name in ("sigma", "act", "residue", "error")]
        n = self.sigma.shape
        bias, vth = per_neuron(self.bias, n, dt), per_neuron(self.vth, n, dt)
        if self.fixed:
            return K.SigmaDeltaFixedKernel(*states, bias, vth, per_neuron(self.state_exp, n, np.int32), relu, cum)
        return K.SigmaDeltaFloatKernel(*states, bias, vth, relu, cum)


@_register(SigmaDelta, "floating_pt")
class CySigmaDeltaModelFloat(decl.SigmaDeltaFloatFields, _SigmaDelta):
    pass


@_register(SigmaDelta, "fixed_pt")
class CySigmaDeltaModelFixed(decl.SigmaDeltaFixedFields, _SigmaDelta):
    fixed = True


# -- RingBuffer, RingBufferSink --------------------------------------------------------------
def _data2d(model: ty.Any, dtype: ty.Any) -> np.ndarray:
    arr = model.data
    if not (isinstance(arr, np.ndarray) and arr.dtype == np.dtype(dtype) and arr.flags.c_contiguous):
        arr = np.ascontiguousarray(arr, dtype=dtype)
        model.data = arr
    return arr.reshape(-1, arr.shape[-1])


class _Source(CompiledRecvFirst):
    kernel_inputs = ()
    fixed = False

    def make_kernel(self) -> ty.Any:
        return K.SourceKernel(_data2d(self, np.int32 if self.fixed else np.float64), self.fixed)


@_register(RingBuffer, "floating_pt")
class CySendModelFloat(decl.RingBufferFloatFields, _Source):
    pass


@_register(RingBuffer, "fixed_pt")
class CySendModelFixed(decl.RingBufferFixedFields, _Source):
    fixed = True


class _Sink(CompiledRecvFirst):
    kernel_outputs = ()
    fixed = False

    def make_kernel(self) -> ty.Any:
        return K.SinkKernel(_data2d(self, np.int32 if self.fixed else np.float64), self.fixed)


@_register(RingBufferSink, "floating_pt")
class CyReceiveModelFloat(decl.RingBufferSinkFloatFields, _Sink):
    pass


@_register(RingBufferSink, "fixed_pt")
class CyReceiveModelFixed(decl.RingBufferSinkFixedFields, _Sink):
    fixed = True


MODELS = [
    CyLifModelFloat,
    CyTernLifModelFloat,
    CyLifResetModelFloat,
    CyLifRefractoryModelFloat,
    CyLifModelBitAcc,
    CyTernLifModelFixed,
    CyLifResetModelBitAcc,
    CyCubaLIFModelFloat,
    CyCubaLIFModelFixed,
    CyDenseModelFloat,
    CyDenseModelBitAcc,
    CySparseModelFloat,
    CySparseModelBitAcc,
    CyDelayDenseModelFloat,
    CyDelayDenseModelBitAcc,
    CyDelaySparseModelFloat,
    CyDelaySparseModelBitAcc,
    CyConvModelFloat,
    CyConvModelFixed,
    CySigmaDeltaModelFloat,
    CySigmaDeltaModelFixed,
    CySendModelFloat,
    CySendModelFixed,
    CyReceiveModelFloat,
    CyReceiveModelFixed,
]

__all__ = ["MODELS", "CompiledModel", "flat", "per_neuron", "column_compressed"]
