"""Compiled models of the standard processes.

Each class extends the matching ``caldera_cpu`` model — same fields, same
parameter checks — and replaces the per-step arithmetic by a kernel from
:mod:`caldera_cython._kernels`, whose parameters come from the core's public
preparation functions (:mod:`caldera.kernels`: ``lif_params``, ``cuba_params``,
``threshold``, ``synapse_params``), the ones the NumPy and emulator models use. The
model attributes (``u``, ``v``, ``a_buff``, ...) stay the Vars' storage: the
kernel works on views of them, so ``Var.get``/``Var.set`` between runs see
and change exactly what the kernel uses. A Var write rebuilds the kernel
(``on_var_set``), because some Vars feed precomputed tables (weights,
scaled biases and thresholds).

Run by the core's :class:`~caldera.executor.InProcessExecutor`, a model
copies its received messages into the kernel's input buffers and sends its
output buffers; run by :class:`caldera_cython.executor.CompiledExecutor`, the
buffers are wired to each other and no Python runs per step.
"""

from __future__ import annotations

import typing as ty

import numpy as np
from caldera import kernels as ck
from caldera.lazy import lazy_module
from caldera.model import implements, requires, tag
from caldera.procs.conv import Conv
from caldera.procs.cuba import CubaLIF
from caldera.procs.dense import DelayDense, Dense
from caldera.procs.io.sink import RingBufferSink
from caldera.procs.io.source import RingBuffer
from caldera.procs.lif import LIF, LIFRefractory, LIFReset, TernaryLIF
from caldera.procs.monitor import Monitor
from caldera.procs.sdn import ActivationMode, SigmaDelta
from caldera.procs.sparse import DelaySparse, Sparse
from caldera.protocols import LoihiProtocol
from caldera.resources import CPU
from caldera.variable import is_sparse
from caldera_cpu.models import connections as cc
from caldera_cpu.models import cuba as ccuba
from caldera_cpu.models import io as cio
from caldera_cpu.models import lif as clif
from caldera_cpu.models import neurons as cn

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


class CompiledModel:
    """Mixin: a kernel built from the model's state, and the port plumbing around it.

    ``kernel_inputs`` / ``kernel_outputs`` name the ports whose messages feed
    ``kernel.inputs`` / come from ``kernel.outputs``, in order.
    """

    kernel_inputs: tuple[str, ...] = ("a_in",)
    kernel_outputs: tuple[str, ...] = ("s_out",)
    kernel: ty.Any = None

    def make_kernel(self) -> ty.Any:
        raise NotImplementedError

    def validate(self) -> None:
        super().validate()
        self.kernel = self.make_kernel()

    def on_var_set(self, name: str) -> None:
        hook = getattr(super(), "on_var_set", None)
        if hook is not None:
            hook(name)
        self.kernel = self.make_kernel()

    def _recv_inputs(self) -> None:
        for name, buf in zip(self.kernel_inputs, self.kernel.inputs):
            buf[...] = getattr(self, name).recv().reshape(-1)

    def _send_outputs(self) -> None:
        for name, buf in zip(self.kernel_outputs, self.kernel.outputs):
            port = getattr(self, name)
            port.send(buf.reshape(port.shape))


class CompiledRecvFirst(CompiledModel):
    def run_spk(self) -> None:
        self._recv_inputs()
        self.kernel.py_step(self.time_step)
        self._send_outputs()


class CompiledSendFirst(CompiledModel):
    kernel_inputs = ("s_in",)
    kernel_outputs = ("a_out",)

    def send_spk(self) -> None:
        self.kernel.py_send()
        self._send_outputs()

    def recv_spk(self) -> None:
        self._recv_inputs()
        self.kernel.py_step(self.time_step)


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


@_register(LIF, "floating_pt")
class CyLifModelFloat(_LifFloat, clif.PyLifModelFloat):
    pass


@_register(TernaryLIF, "floating_pt")
class CyTernLifModelFloat(_LifFloat, clif.PyTernLifModelFloat):
    mode = 1

    def _kernel_thresholds(self, n: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        return per_neuron(self.vth_hi, n), per_neuron(self.vth_lo, n)


@_register(LIFReset, "floating_pt")
class CyLifResetModelFloat(_LifFloat, clif.PyLifResetModelFloat):
    def _extra(self) -> dict:
        return {"reset_interval": self.reset_interval, "reset_offset": self.reset_offset}


@_register(LIFRefractory, "floating_pt")
class CyLifRefractoryModelFloat(_LifFloat, clif.PyLifRefractoryModelFloat):
    def _extra(self) -> dict:
        return {"refractory": int(self.refractory_period), "ref_end": flat(self, "refractory_period_end", np.int64)}


# -- LIF family: fixed_pt --------------------------------------------------------------------
class _LifFixed(CompiledRecvFirst):
    mode = 0

    def _kernel_thresholds(self, n: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        vth = per_neuron(ck.threshold(self.vth), n, np.int64)
        return vth, vth

    def _extra(self) -> dict:
        return {}

    def make_kernel(self) -> ty.Any:
        u, v = flat(self, "u", np.int32), flat(self, "v", np.int32)
        n = self.u.shape
        hi, lo = self._kernel_thresholds(n)
        p = ck.lif_params(self.du, self.dv, self.bias_mant, self.bias_exp, self.ds_offset, self.dm_offset)
        eb = per_neuron(p.bias, n, np.int32)
        return K.LifFixedKernel(
            u, v, per_neuron(p.mu, n), per_neuron(p.mv, n), eb, hi, lo, mode=self.mode, **self._extra()
        )


@_register(LIF, "bit_accurate_loihi", "fixed_pt")
class CyLifModelBitAcc(_LifFixed, clif.PyLifModelBitAcc):
    pass


@_register(TernaryLIF, "fixed_pt")
class CyTernLifModelFixed(_LifFixed, clif.PyTernLifModelFixed):
    mode = 1

    def _kernel_thresholds(self, n: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        return per_neuron(ck.threshold(self.vth_hi), n, np.int64), per_neuron(ck.threshold(self.vth_lo), n, np.int64)


@_register(LIFReset, "bit_accurate_loihi", "fixed_pt")
class CyLifResetModelBitAcc(_LifFixed, clif.PyLifResetModelBitAcc):
    def _extra(self) -> dict:
        return {"reset_interval": self.reset_interval, "reset_offset": self.reset_offset}


# -- CubaLIF ---------------------------------------------------------------------------------
@_register(CubaLIF, "floating_pt")
class CyCubaLIFModelFloat(CompiledRecvFirst, ccuba.PyCubaLIFModelFloat):
    kernel_inputs = ("a_in_exc", "a_in_inh")

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
class CyCubaLIFModelFixed(CompiledRecvFirst, ccuba.PyCubaLIFModelFixed):
    kernel_inputs = ("a_in_exc", "a_in_inh")

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
class _Matrix(CompiledSendFirst):
    def _prepare_matrix(self, w: ty.Any) -> None:
        # the kernel keeps its own table: skip the NumPy model's matrices (memory of large networks)
        self._acc_dtype = np.int64 if self.fixed else np.float64

    def _matrix(self) -> ty.Any:
        return self.weights

    def delivery(self) -> ck.SynapseParams:
        """Graded or binary input, and the weight exponent (fixed_pt only), from the core's preparation."""
        return ck.synapse_params(self.num_message_bits, self.proc_params.get("weight_exp", 0) if self.fixed else 0)

    def make_kernel(self) -> ty.Any:
        graded, exp = self.delivery()
        if self.fixed:
            ip, ix, data = column_compressed(self._matrix(), np.int64)
            acc = flat(self, "a_buff", np.int64)
            return K.SynFixedKernel(ip, ix, data, acc, graded, exp)
        ip, ix, data = column_compressed(self._matrix(), np.float64)
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
class CyDenseModelFloat(_Dense, cc.PyDenseModelFloat):
    pass


@_register(Dense, "bit_accurate_loihi", "fixed_pt")
class CyDenseModelBitAcc(_Dense, cc.PyDenseModelBitAcc):
    pass


@_register(Sparse, "floating_pt")
class CySparseModelFloat(_Matrix, cc.PySparseModelFloat):
    pass


@_register(Sparse, "bit_accurate_loihi", "fixed_pt")
class CySparseModelBitAcc(_Matrix, cc.PySparseModelBitAcc):
    pass


class _Conv(CompiledSendFirst):
    def make_kernel(self) -> ty.Any:
        graded, exp = ck.synapse_params(self.num_message_bits, self.weight_exp if self.fixed else 0)
        if self.fixed:
            ip, ix, data = column_compressed(self.matrix, np.int64)
            return K.SynFixedKernel(ip, ix, data, flat(self, "a_buf", np.int64), graded, exp, clamp24=True)
        ip, ix, data = column_compressed(self.matrix, np.float64)
        return K.SynFloatKernel(ip, ix, data, flat(self, "a_buf", np.float64), graded)


@_register(Conv, "floating_pt")
class CyConvModelFloat(_Conv, cc.PyConvModelFloat):
    pass


@_register(Conv, "fixed_pt")
class CyConvModelFixed(_Conv, cc.PyConvModelFixed):
    pass


class _Delay(CompiledSendFirst):
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
        graded, exp = ck.synapse_params(
            self.num_message_bits, self.proc_params.get("weight_exp", 0) if self.fixed else 0
        )
        if self.fixed:
            return K.DelayFixedKernel(ip, ix, data, delays, buf, graded, exp)
        return K.DelayFloatKernel(ip, ix, data, delays, buf, graded)


@_register(DelayDense, "floating_pt")
class CyDelayDenseModelFloat(_Delay, cc.PyDelayDenseModelFloat):
    pass


@_register(DelayDense, "bit_accurate_loihi", "fixed_pt")
class CyDelayDenseModelBitAcc(_Delay, cc.PyDelayDenseModelBitAcc):
    pass


@_register(DelaySparse, "floating_pt")
class CyDelaySparseModelFloat(_Delay, cc.PyDelaySparseModelFloat):
    pass


@_register(DelaySparse, "bit_accurate_loihi", "fixed_pt")
class CyDelaySparseModelBitAcc(_Delay, cc.PyDelaySparseModelBitAcc):
    pass


# -- SigmaDelta ------------------------------------------------------------------------------
class _SigmaDelta(CompiledRecvFirst):
    fixed = False

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
class CySigmaDeltaModelFloat(_SigmaDelta, cn.PySigmaDeltaModelFloat):
    pass


@_register(SigmaDelta, "fixed_pt")
class CySigmaDeltaModelFixed(_SigmaDelta, cn.PySigmaDeltaModelFixed):
    fixed = True


# -- RingBuffer, RingBufferSink, Monitor -----------------------------------------------------
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
class CySendModelFloat(_Source, cio.PySendModelFloat):
    pass


@_register(RingBuffer, "fixed_pt")
class CySendModelFixed(_Source, cio.PySendModelFixed):
    fixed = True


class _Sink(CompiledRecvFirst):
    kernel_outputs = ()
    fixed = False

    def make_kernel(self) -> ty.Any:
        return K.SinkKernel(_data2d(self, np.int32 if self.fixed else np.float64), self.fixed)


@_register(RingBufferSink, "floating_pt")
class CyReceiveModelFloat(_Sink, cio.PyReceiveModelFloat):
    pass


@_register(RingBufferSink, "fixed_pt")
class CyReceiveModelFixed(_Sink, cio.PyReceiveModelFixed):
    fixed = True


class _CompiledMonitor:
    """Marks the Monitor models whose probes the compiled step loop records (see the executor)."""

    compiled_monitor = True


@_register(Monitor, "floating_pt")
class CyMonitorModelFloat(_CompiledMonitor, cio.PyMonitorModelFloat):
    pass


@_register(Monitor, "fixed_pt")
class CyMonitorModelFixed(_CompiledMonitor, cio.PyMonitorModelFixed):
    pass


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
    CyMonitorModelFloat,
    CyMonitorModelFixed,
]

__all__ = ["MODELS", "CompiledModel", "flat", "per_neuron", "column_compressed"]
