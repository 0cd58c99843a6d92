"""NumPy models of the connection processes: Dense, Sparse, their delayed forms, Conv.

All are send-first: ``send_spk`` emits what was accumulated last step,
``recv_spk`` takes this step's spikes. Binary spikes are delivered
event-driven (only the columns of the inputs that spiked are summed);
graded messages (``num_message_bits > 0``) use a matrix-vector product.
``fixed_pt`` weights are checked against the 8-bit range of their sign
mode, then truncated to ``num_weight_bits`` as Loihi stores them.
"""

from __future__ import annotations

import numpy as np
from caldera import arith, kernels
from caldera import declarations as decl
from caldera.lazy import lazy_module
from caldera.model import PyLoihiProcessModel, SendFirstMixin, implements, requires, tag
from caldera.procs.conv import Conv, conv_matrix
from caldera.procs.dense import DelayDense, Dense
from caldera.procs.sparse import DelaySparse, Sparse
from caldera.protocols import LoihiProtocol
from caldera.resources import CPU
from caldera.variable import is_sparse

sp = lazy_module("scipy.sparse")  # imported on first use (see caldera.lazy)


# -- Dense / Sparse ------------------------------------------------------------------------
class _MatrixConnection(SendFirstMixin, PyLoihiProcessModel):
    """a_out[t] = W @ s_in[t-1]; event-driven for binary spikes."""

    fixed = False

    def validate(self) -> None:
        if self.fixed:  # check the values as given, before the Var's integer dtype truncates them
            kernels.connection_sign_mode(self, self.process.vars["weights"].init)
        self._prepare()

    def on_var_set(self, name: str) -> None:
        if name == "weights":
            self._prepare()

    def _prepare(self) -> None:
        w = self.weights
        if self.fixed:
            w = kernels.connection_weights(self, w)
            self.weights = w
        self._graded, self._weight_exp = kernels.synapse_params(
            self.num_message_bits, self.proc_params.get("weight_exp", 0) if self.fixed else 0
        )
        self._prepare_matrix(w)
        self.a_buff = np.asarray(self.a_buff, dtype=self._acc_dtype)

    def send_spk(self) -> None:
        self.a_out.send(self.a_buff)

    def recv_spk(self) -> None:
        s_in = self.s_in.recv()
        acc = self._accumulate(s_in)
        if self._weight_exp:
            acc = arith.shift(acc, self._weight_exp)
        self.a_buff = acc


#: Below this many weights one BLAS product over all inputs beats finding the spiking ones.
_SMALL_MATRIX = 1 << 14


class _DenseBase(_MatrixConnection):
    """Small matrices: one BLAS product. Otherwise few spikes: sum the rows of W.T that spiked;
    many spikes or graded input: BLAS in float64.

    For ``fixed_pt`` the float64 product is exact as long as every partial sum
    stays below 2**53, which is checked per message (else an int64 product is used).
    """

    def _prepare_matrix(self, w) -> None:
        self._acc_dtype = np.int64 if self.fixed else np.float64
        self._wT = np.ascontiguousarray(np.asarray(w, dtype=self._acc_dtype).T)
        self._wf = np.ascontiguousarray(w, dtype=np.float64)
        self._n_out, self._n_in = self._wf.shape
        self._wmax = float(np.abs(self._wf).max()) if self._wf.size else 0.0
        # integer weights whose sums over all inputs stay below 2**24 are exact in float32 too
        self._w32 = (
            np.ascontiguousarray(w, dtype=np.float32) if self.fixed and self._wmax * self._n_in < 2.0**24 else None
        )
        self._s32 = np.empty(self._n_in, np.float32)  # the spikes as the float vector of the product
        self._s64 = np.empty(self._n_in, np.float64)

    def _matvec(self, s: np.ndarray) -> np.ndarray:
        if self.fixed:
            if s.dtype == bool and self._w32 is not None:
                return self._w32.dot(s.astype(np.float32)).astype(np.int64)
            sf = s.astype(np.float64, copy=False)
            bound = self._wmax * float(np.abs(sf).max(initial=0.0)) * self._n_in
            if bound >= 2.0**53:
                return self._wT.T.dot(s.astype(np.int64))
            return self._wf.dot(sf).astype(np.int64)
        return self._wf.dot(s.astype(np.float64, copy=False))

    def _accumulate(self, s_in: np.ndarray) -> np.ndarray:
        if self._graded:
            return self._matvec(s_in)
        if self._wf.size <= _SMALL_MATRIX:  # finding the spikes would cost more than the product
            if self._w32 is not None:  # spiked (any nonzero) as 1.0 / 0.0 in one call
                return self._w32.dot(np.not_equal(s_in, 0, out=self._s32, casting="unsafe")).astype(np.int64)
            if not self.fixed:
                return self._wf.dot(np.not_equal(s_in, 0, out=self._s64, casting="unsafe"))
        idx = np.flatnonzero(s_in)
        k = idx.size
        if k == 0:
            return np.zeros(self._n_out, self._acc_dtype)
        if k == 1:
            return self._wT[idx[0]].copy()
        if 8 * k < self._n_in:
            return self._wT[idx].sum(axis=0)
        return self._matvec(s_in.astype(bool))


@implements(proc=Dense, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyDenseModelFloat(decl.DenseFloatFields, _DenseBase):
    pass


@implements(proc=Dense, protocol=LoihiProtocol)
@requires(CPU)
@tag("bit_accurate_loihi", "fixed_pt")
class PyDenseModelBitAcc(decl.DenseFixedFields, _DenseBase):
    fixed = True


class _SparseBase(_MatrixConnection):
    """Event-driven: only the synapses of inputs that spiked are touched.

    The weights are kept by input (CSR of W.T); the synapses of the spiking
    inputs are gathered and summed per output with ``np.bincount``, in
    increasing input order — the order of a CSR product, so float results
    are identical to ``W @ s`` — at a cost proportional to the spikes' fan-out.
    """

    def _prepare_matrix(self, w) -> None:
        self._acc_dtype = np.int64 if self.fixed else np.float64
        self._w = sp.csr_matrix(w, dtype=self._acc_dtype)
        wt = sp.csr_matrix(self._w.T)
        wt.sort_indices()
        self._t_indptr = wt.indptr.astype(np.int64)
        self._t_out = wt.indices.astype(np.intp)
        self._t_w = wt.data.astype(np.float64)  # exact for fixed_pt: integer sums far below 2**53
        self._n_out = self._w.shape[0]

    def _accumulate(self, s_in: np.ndarray) -> np.ndarray:
        if self._graded:
            return self._w.dot(s_in.astype(self._acc_dtype, copy=False))
        idx = np.flatnonzero(s_in)
        if idx.size == 0:
            return np.zeros(self._n_out, self._acc_dtype)
        starts = self._t_indptr[idx]
        lengths = self._t_indptr[idx + 1] - starts
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(self._n_out, self._acc_dtype)
        # positions of every synapse of every spiking input, without a Python loop
        offsets = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        pos = np.arange(total) + offsets
        acc = np.bincount(self._t_out[pos], weights=self._t_w[pos], minlength=self._n_out)
        return acc.astype(np.int64) if self.fixed else acc


@implements(proc=Sparse, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PySparseModelFloat(decl.SparseFloatFields, _SparseBase):
    pass


@implements(proc=Sparse, protocol=LoihiProtocol)
@requires(CPU)
@tag("bit_accurate_loihi", "fixed_pt")
class PySparseModelBitAcc(decl.SparseFixedFields, _SparseBase):
    fixed = True


# -- delays --------------------------------------------------------------------------------
class _DelayBase(SendFirstMixin, PyLoihiProcessModel):
    """a_buff (num_out, max_delay + 1): column 0 is sent next; a delay d lands in column d."""

    fixed = False

    def validate(self) -> None:
        if self.fixed:
            kernels.connection_sign_mode(self, self.process.vars["weights"].init)
        self._prepare()

    def on_var_set(self, name: str) -> None:
        if name in ("weights", "delays"):
            self._prepare()

    def _prepare(self) -> None:
        w = self.weights
        if self.fixed:
            w = kernels.connection_weights(self, w)
            self.weights = w
            kernels.check_delays(kernels.describe(self), self.delays)
        self._graded, self._weight_exp = kernels.synapse_params(
            self.num_message_bits, self.proc_params.get("weight_exp", 0) if self.fixed else 0
        )
        acc = np.int64 if self.fixed else np.float64
        n_out, n_in = w.shape
        depth = self.a_buff.shape[-1]
        stacked = kernels.delay_stack(w, self.delays, depth, acc)
        self._m = sp.csr_matrix(stacked) if is_sparse(w) else stacked
        self._depth, self._n_out, self._acc = depth, n_out, acc
        self.a_buff = np.asarray(self.a_buff, dtype=acc)

    def send_spk(self) -> None:
        self.a_out.send(self.a_buff[:, 0])

    def recv_spk(self) -> None:
        s_in = self.s_in.recv()
        s = s_in if self._graded else s_in.astype(bool)
        act = np.asarray(self._m.dot(s.astype(self._acc))).reshape(self._depth, self._n_out).T
        if self.fixed:
            act = arith.shift(act, self._weight_exp)
        self.a_buff = kernels.delay_advance(self.a_buff, act)


@implements(proc=DelayDense, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyDelayDenseModelFloat(decl.DelayDenseFloatFields, _DelayBase):
    pass


@implements(proc=DelayDense, protocol=LoihiProtocol)
@requires(CPU)
@tag("bit_accurate_loihi", "fixed_pt")
class PyDelayDenseModelBitAcc(decl.DelayDenseFixedFields, _DelayBase):
    fixed = True


@implements(proc=DelaySparse, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyDelaySparseModelFloat(decl.DelaySparseFloatFields, _DelayBase):
    pass


@implements(proc=DelaySparse, protocol=LoihiProtocol)
@requires(CPU)
@tag("bit_accurate_loihi", "fixed_pt")
class PyDelaySparseModelBitAcc(decl.DelaySparseFixedFields, _DelayBase):
    fixed = True


# -- Conv ----------------------------------------------------------------------------------
class _ConvBase(SendFirstMixin, PyLoihiProcessModel):
    """A true 2-D convolution over XYC arrays, as a precomputed sparse matrix."""

    fixed = False

    def validate(self) -> None:
        self._prepare()

    def on_var_set(self, name: str) -> None:
        if name in ("weight", "weight_exp"):
            self._prepare()

    def _prepare(self) -> None:
        p = self.proc_params
        if self.fixed:
            kernels.connection_sign_mode(self, p["weight"] if not hasattr(self, "matrix") else self.weight, "weight")
        acc = np.int64 if self.fixed else np.float64
        #: the convolution as a sparse (outputs, inputs) matrix
        self.matrix = conv_matrix(
            tuple(p["input_shape"]),
            np.asarray(self.weight).astype(acc),
            tuple(int(x) for x in self.stride),
            tuple(int(x) for x in self.padding),
            tuple(int(x) for x in self.dilation),
            int(self.groups.reshape(-1)[0]),
        )
        self._graded, self._exp = kernels.synapse_params(self.num_message_bits, self.weight_exp if self.fixed else 0)
        self._acc = acc
        self._out_shape = tuple(self.a_buf.shape)

    def send_spk(self) -> None:
        self.a_out.send(self.a_buf)

    def recv_spk(self) -> None:
        s_in = self.s_in.recv()
        s = s_in if self._graded else s_in.astype(bool)
        out = self.matrix.dot(s.reshape(-1).astype(self._acc)).reshape(self._out_shape)
        if self.fixed:
            out = arith.signed_clamp(arith.shift(out, self._exp), 24)
        self.a_buf = out


@implements(proc=Conv, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyConvModelFloat(decl.ConvFloatFields, _ConvBase):
    pass


@implements(proc=Conv, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyConvModelFixed(decl.ConvFixedFields, _ConvBase):
    fixed = True


MODELS = [
    PyDenseModelFloat,
    PyDenseModelBitAcc,
    PySparseModelFloat,
    PySparseModelBitAcc,
    PyDelayDenseModelFloat,
    PyDelayDenseModelBitAcc,
    PyDelaySparseModelFloat,
    PyDelaySparseModelBitAcc,
    PyConvModelFloat,
    PyConvModelFixed,
]
