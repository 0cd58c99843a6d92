# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled kernels of the standard models and the compiled step loop.

A kernel holds typed views on its model's state arrays (the model attributes
stay the source of truth), one flat input buffer per InPort and one flat output
buffer per OutPort: ``float64`` for ``floating_pt`` models, ``int64`` for
``fixed_pt`` ones (values already wrapped to the OutPort's dtype, as
``PyOutPort.send`` would). ``send()`` emits what a send-first kernel computed
in the previous step; ``step(t)`` consumes the inputs of step ``t``.

The arithmetic reproduces ``caldera_cpu.models`` operation by operation:
int32 results wrap modulo 2**32 (computed on unsigned integers), decays are
``trunc(x * (4096 - d) / 4096)`` in float64 (exact), u wraps into
(-2**23, 2**23] by one period, v saturates at +-(2**23 - 1).
"""

from libc.stdint cimport int64_t, int32_t, uint32_t, uint64_t, int16_t, int8_t, uint8_t
from libc.math cimport trunc
from libc.string cimport memcpy
from libc.stdlib cimport malloc, free

import numpy as np

cdef enum:
    MAX_UV = 8388608  # 2**23


cdef inline int32_t w32(int64_t x) noexcept nogil:
    """Two's-complement wrap to int32 (numpy's int32 overflow)."""
    return <int32_t><uint32_t><uint64_t>x


cdef inline int32_t add32(int32_t a, int32_t b) noexcept nogil:
    return <int32_t>(<uint32_t>a + <uint32_t>b)


cdef inline int32_t wrap_u(int32_t x) noexcept nogil:
    if x > MAX_UV:
        return x - 2 * MAX_UV
    if x <= -MAX_UV:
        return x + 2 * MAX_UV
    return x


cdef inline int32_t sat_v(int32_t x) noexcept nogil:
    if x > MAX_UV - 1:
        return MAX_UV - 1
    if x < -MAX_UV + 1:
        return -MAX_UV + 1
    return x


cdef inline int64_t shift64(int64_t x, int e) noexcept nogil:
    if e >= 0:
        return <int64_t>(<uint64_t>x << e)
    return x >> (-e)


cdef inline int32_t abs32(int32_t x) noexcept nogil:
    # numpy's abs on int32: abs(INT32_MIN) stays INT32_MIN
    return <int32_t>(<uint32_t>(-<int64_t>x)) if x < 0 else x


cdef class Kernel:
    """Base of every kernel: buffers and the three entry points."""

    cdef public list inputs     # flat numpy buffers, one per InPort (float64 or int64)
    cdef public list outputs    # flat numpy buffers, one per OutPort (float64 or int64)
    cdef public bint send_first
    cdef public bint out_wrap32  # outputs are int32 values (for fan-in sums)

    def __init__(self):
        self.inputs = []
        self.outputs = []
        self.send_first = False
        self.out_wrap32 = False

    cdef int send(self) except -1:
        return 0

    cdef int step(self, int64_t t) except -1:
        return 0

    cdef int post(self, int64_t t) except -1:
        return 0

    def py_send(self) -> None:
        """Emit last step's result into the output buffers (send-first kernels)."""
        self.send()

    def py_step(self, int64_t t) -> None:
        """Consume the input buffers of step ``t``."""
        self.step(t)

    def py_post(self, int64_t t) -> None:
        """The management phase after step ``t`` (Monitor Var probes)."""
        self.post(t)


# -- LIF family -----------------------------------------------------------------------------
cdef class LifFloatKernel(Kernel):
    """floating_pt LIF, LIFReset, LIFRefractory and TernaryLIF."""

    input_attrs = ('a',)  # inputs the compiled loop may point at a source's output

    cdef public double[::1] a
    cdef double[::1] u, v, kdu, kdv, bias, vth_hi, vth_lo, s
    cdef int64_t[::1] ref_end
    cdef int mode            # 0 LIF, 1 ternary
    cdef int64_t reset_interval, reset_offset, refractory
    cdef public object _keep

    def __init__(self, u, v, kdu, kdv, bias, vth_hi, vth_lo, int mode=0, int64_t reset_interval=0,
                 int64_t reset_offset=0, int64_t refractory=0, ref_end=None):
        Kernel.__init__(self)
        n = u.size
        self.u, self.v = u, v
        self.kdu, self.kdv, self.bias, self.vth_hi, self.vth_lo = kdu, kdv, bias, vth_hi, vth_lo
        self.mode, self.reset_interval, self.reset_offset, self.refractory = mode, reset_interval, reset_offset, refractory
        # a one-element placeholder when there is no refractory period: the view must always be valid
        self.ref_end = ref_end if refractory > 0 else np.zeros(1, np.int64)
        self._keep = (u, v, ref_end)
        a = np.zeros(n); s = np.zeros(n)
        self.inputs = [a]; self.outputs = [s]
        self.a, self.s = a, s

    cdef int step(self, int64_t t) except -1:
        cdef Py_ssize_t i, n = self.u.shape[0]
        cdef double ui, vi, sp
        cdef double* u_ = &self.u[0]
        cdef double* v_ = &self.v[0]
        cdef double* kdu_ = &self.kdu[0]
        cdef double* kdv_ = &self.kdv[0]
        cdef double* bias_ = &self.bias[0]
        cdef double* vth_hi_ = &self.vth_hi[0]
        cdef double* vth_lo_ = &self.vth_lo[0]
        cdef double* a_ = &self.a[0]
        cdef double* s_ = &self.s[0]
        cdef int64_t* ref_end_ = &self.ref_end[0]
        if self.reset_interval > 0 and t % self.reset_interval == self.reset_offset:
            for i in range(n):
                u_[i] = 0.0 * u_[i]
                v_[i] = 0.0 * v_[i]
        for i in range(n):
            ui = u_[i] * kdu_[i]
            ui = ui + a_[i]
            u_[i] = ui
            if self.refractory > 0:
                if ref_end_[i] < t:
                    v_[i] = v_[i] * kdv_[i] + (ui + bias_[i])
            else:
                v_[i] = v_[i] * kdv_[i] + ui + bias_[i]
            vi = v_[i]
            if self.mode == 1:
                sp = (-1.0 if vi < vth_lo_[i] else 0.0) + (1.0 if vi > vth_hi_[i] else 0.0)
            else:
                sp = 1.0 if vi > vth_hi_[i] else 0.0
            if sp != 0.0:
                v_[i] = 0.0
                if self.refractory > 0:
                    ref_end_[i] = t + self.refractory
            s_[i] = sp
        return 0


cdef class LifFixedKernel(Kernel):
    """fixed_pt (bit-accurate) LIF, LIFReset and TernaryLIF."""

    input_attrs = ('a',)  # inputs the compiled loop may point at a source's output

    cdef public int64_t[::1] a
    cdef int32_t[::1] u, v, eb
    cdef double[::1] mu, mv
    cdef int64_t[::1] vth_hi, vth_lo, s
    cdef int mode
    cdef int64_t reset_interval, reset_offset
    cdef public object _keep

    def __init__(self, u, v, mu, mv, eb, vth_hi, vth_lo, int mode=0, int64_t reset_interval=0,
                 int64_t reset_offset=0):
        Kernel.__init__(self)
        n = u.size
        self.u, self.v, self.mu, self.mv, self.eb = u, v, mu, mv, eb
        self.vth_hi, self.vth_lo = vth_hi, vth_lo
        self.mode, self.reset_interval, self.reset_offset = mode, reset_interval, reset_offset
        self._keep = (u, v)
        a = np.zeros(n, np.int64); s = np.zeros(n, np.int64)
        self.inputs = [a]; self.outputs = [s]
        self.a, self.s = a, s
        self.out_wrap32 = True

    cdef int step(self, int64_t t) except -1:
        cdef Py_ssize_t i, n = self.u.shape[0]
        cdef int32_t ui, vi
        cdef int64_t sp
        cdef int32_t* u_ = &self.u[0]
        cdef int32_t* v_ = &self.v[0]
        cdef int32_t* eb_ = &self.eb[0]
        cdef double* mu_ = &self.mu[0]
        cdef double* mv_ = &self.mv[0]
        cdef int64_t* vth_hi_ = &self.vth_hi[0]
        cdef int64_t* vth_lo_ = &self.vth_lo[0]
        cdef int64_t* a_ = &self.a[0]
        cdef int64_t* s_ = &self.s[0]
        if self.reset_interval > 0 and t % self.reset_interval == self.reset_offset:
            for i in range(n):
                u_[i] = 0
                v_[i] = 0
        for i in range(n):
            ui = <int32_t>trunc(u_[i] * mu_[i])
            ui = add32(ui, <int32_t>(<uint32_t><uint64_t>a_[i] << 6))
            ui = wrap_u(ui)
            u_[i] = ui
            vi = <int32_t>trunc(v_[i] * mv_[i])
            vi = add32(add32(vi, ui), eb_[i])
            vi = sat_v(vi)
            if self.mode == 1:
                sp = (-1 if vi < vth_lo_[i] else 0) + (1 if vi > vth_hi_[i] else 0)
            else:
                sp = 1 if vi > vth_hi_[i] else 0
            if sp != 0:
                vi = 0
            v_[i] = vi
            s_[i] = sp
        return 0


cdef class CubaFloatKernel(Kernel):
    """floating_pt CubaLIF: two decaying currents, a leaky voltage with a refractory period."""

    input_attrs = ('ae', 'ai')  # inputs the compiled loop may point at a source's output

    cdef public double[::1] ae
    cdef public double[::1] ai
    cdef double[::1] ue, ui, v, kde, kdi, kdv, bias, vth, s
    cdef int64_t[::1] ref_end
    cdef int64_t refractory
    cdef Py_ssize_t pstride  # 0 when every parameter is the same for all neurons (less memory traffic)
    cdef public object _keep

    def __init__(self, ue, ui, v, kde, kdi, kdv, bias, vth, ref_end, int64_t refractory):
        Kernel.__init__(self)
        n = v.size
        self.ue, self.ui, self.v, self.kde, self.kdi, self.kdv = ue, ui, v, kde, kdi, kdv
        self.bias, self.vth, self.ref_end, self.refractory = bias, vth, ref_end, refractory
        self._keep = (ue, ui, v, ref_end)
        params = (kde, kdi, kdv, bias, vth)
        self.pstride = 0 if n and all(np.all(p == p[0]) for p in params) else 1
        ae = np.zeros(n); ai = np.zeros(n); s = np.zeros(n)
        self.inputs = [ae, ai]; self.outputs = [s]
        self.ae, self.ai, self.s = ae, ai, s

    cdef int step(self, int64_t t) except -1:
        cdef Py_ssize_t i, n = self.v.shape[0], ps = self.pstride
        cdef double e, h, vi
        cdef double* ue_ = &self.ue[0]
        cdef double* ui_ = &self.ui[0]
        cdef double* v_ = &self.v[0]
        cdef double* kde_ = &self.kde[0]
        cdef double* kdi_ = &self.kdi[0]
        cdef double* kdv_ = &self.kdv[0]
        cdef double* bias_ = &self.bias[0]
        cdef double* vth_ = &self.vth[0]
        cdef double* ae_ = &self.ae[0]
        cdef double* ai_ = &self.ai[0]
        cdef double* s_ = &self.s[0]
        cdef int64_t* ref_end_ = &self.ref_end[0]
        for i in range(n):
            e = ue_[i] * kde_[i * ps] + ae_[i]
            h = ui_[i] * kdi_[i * ps] + ai_[i]
            ue_[i] = e
            ui_[i] = h
            vi = v_[i]
            if ref_end_[i] < t:
                vi = vi * kdv_[i * ps] + (e + h + bias_[i * ps])
            if vi > vth_[i * ps]:
                vi = 0.0
                ref_end_[i] = t + self.refractory
                s_[i] = 1.0
            else:
                s_[i] = 0.0
            v_[i] = vi
        return 0


cdef class CubaFixedKernel(Kernel):
    """fixed_pt CubaLIF: Loihi's LIF arithmetic on two currents, refractory hold of v."""

    input_attrs = ('ae', 'ai')  # inputs the compiled loop may point at a source's output

    cdef public int64_t[::1] ae
    cdef public int64_t[::1] ai
    cdef int32_t[::1] ue, ui, v, eb
    cdef int64_t[::1] ref_end, s
    cdef double me, mi, mv
    cdef int64_t vth, refractory
    cdef public object _keep

    def __init__(self, ue, ui, v, double me, double mi, double mv, eb, int64_t vth, ref_end, int64_t refractory):
        Kernel.__init__(self)
        n = v.size
        self.ue, self.ui, self.v, self.eb, self.ref_end = ue, ui, v, eb, ref_end
        self.me, self.mi, self.mv, self.vth, self.refractory = me, mi, mv, vth, refractory
        self._keep = (ue, ui, v, ref_end)
        ae = np.zeros(n, np.int64); ai = np.zeros(n, np.int64); s = np.zeros(n, np.int64)
        self.inputs = [ae, ai]; self.outputs = [s]
        self.ae, self.ai, self.s = ae, ai, s
        self.out_wrap32 = True

    cdef int step(self, int64_t t) except -1:
        cdef Py_ssize_t i, n = self.v.shape[0]
        cdef int32_t e, h, vi
        cdef int32_t* ue_ = &self.ue[0]
        cdef int32_t* ui_ = &self.ui[0]
        cdef int32_t* v_ = &self.v[0]
        cdef int32_t* eb_ = &self.eb[0]
        cdef int64_t* ref_end_ = &self.ref_end[0]
        cdef int64_t* ae_ = &self.ae[0]
        cdef int64_t* ai_ = &self.ai[0]
        cdef int64_t* s_ = &self.s[0]
        for i in range(n):
            e = <int32_t>trunc(ue_[i] * self.me)
            e = wrap_u(add32(e, <int32_t>(<uint32_t><uint64_t>ae_[i] << 6)))
            h = <int32_t>trunc(ui_[i] * self.mi)
            h = wrap_u(add32(h, <int32_t>(<uint32_t><uint64_t>ai_[i] << 6)))
            ue_[i] = e
            ui_[i] = h
            vi = v_[i]
            if ref_end_[i] < t:
                vi = sat_v(add32(add32(add32(<int32_t>trunc(vi * self.mv), e), h), eb_[i]))
            if vi > self.vth:
                vi = 0
                ref_end_[i] = t + self.refractory
                s_[i] = 1
            else:
                s_[i] = 0
            v_[i] = vi
        return 0


# -- connections ----------------------------------------------------------------------------
cdef class SynFloatKernel(Kernel):
    """floating_pt Dense / Sparse / Conv: a_out[t] = W @ s_in[t-1], column-compressed, event-driven."""

    input_attrs = ('s_in',)  # inputs the compiled loop may point at a source's output

    cdef public double[::1] s_in
    cdef int64_t[::1] indptr
    cdef int32_t[::1] indices
    cdef double[::1] data, acc, out
    cdef bint graded
    cdef public object _keep

    def __init__(self, indptr, indices, data, acc, bint graded):
        Kernel.__init__(self)
        self.indptr, self.indices, self.data, self.acc = indptr, indices, data, acc
        self.graded = graded
        self.send_first = True
        self._keep = acc
        n_in = indptr.size - 1
        s_in = np.zeros(n_in); out = np.zeros(acc.size)
        self.inputs = [s_in]; self.outputs = [out]
        self.s_in, self.out = s_in, out

    cdef int send(self) except -1:
        cdef Py_ssize_t n = self.acc.shape[0]
        cdef double* acc_ = &self.acc[0]
        cdef double* out_ = &self.out[0]
        if n:
            memcpy(&out_[0], &acc_[0], n * sizeof(double))
        return 0

    cdef int step(self, int64_t t) except -1:
        cdef Py_ssize_t j, k, n_in = self.s_in.shape[0], n = self.acc.shape[0]
        cdef double x
        cdef int64_t* indptr_ = &self.indptr[0]
        cdef int32_t* indices_ = &self.indices[0]
        cdef double* data_ = &self.data[0]
        cdef double* acc_ = &self.acc[0]
        cdef double* s_in_ = &self.s_in[0]
        for k in range(n):
            acc_[k] = 0.0
        for j in range(n_in):
            x = s_in_[j]
            if x != 0.0:
                if self.graded:
                    for k in range(indptr_[j], indptr_[j + 1]):
                        acc_[indices_[k]] += data_[k] * x
                else:
                    for k in range(indptr_[j], indptr_[j + 1]):
                        acc_[indices_[k]] += data_[k]
        return 0


cdef class SynFixedKernel(Kernel):
    """fixed_pt Dense / Sparse / Conv: integer sums, weight exponent, optional 24-bit clamp (Conv).

    The weights are stored as int16 when they fit (Loihi's 9-bit weights always do): a quarter
    of the memory of int64, and fewer bytes to read for every spike delivered.
    """

    input_attrs = ('s_in',)  # inputs the compiled loop may point at a source's output

    cdef public int64_t[::1] s_in
    cdef int64_t[::1] indptr, data, acc, out
    cdef int16_t[::1] data16
    cdef int32_t[::1] indices
    cdef bint graded, clamp24, use16
    cdef int weight_exp
    cdef public object _keep

    def __init__(self, indptr, indices, data, acc, bint graded, int weight_exp, bint clamp24=False):
        Kernel.__init__(self)
        data = np.asarray(data)
        self.use16 = data.size == 0 or (int(data.min()) >= -2**15 and int(data.max()) < 2**15)
        if self.use16:
            self.data16 = np.ascontiguousarray(data, dtype=np.int16)
        else:
            self.data = np.ascontiguousarray(data, dtype=np.int64)
        self.indptr, self.indices, self.acc = indptr, indices, acc
        self.graded, self.weight_exp, self.clamp24 = graded, weight_exp, clamp24
        self.send_first = True
        self.out_wrap32 = True
        self._keep = acc
        n_in = indptr.size - 1
        s_in = np.zeros(n_in, np.int64); out = np.zeros(acc.size, np.int64)
        self.inputs = [s_in]; self.outputs = [out]
        self.s_in, self.out = s_in, out

    cdef int send(self) except -1:
        cdef Py_ssize_t k, n = self.acc.shape[0]
        cdef int64_t* acc_ = &self.acc[0]
        cdef int64_t* out_ = &self.out[0]
        for k in range(n):
            out_[k] = w32(acc_[k])
        return 0

    cdef int step(self, int64_t t) except -1:
        cdef Py_ssize_t j, k, n_in = self.s_in.shape[0], n = self.acc.shape[0]
        cdef int64_t x, y
        cdef int64_t* indptr_ = &self.indptr[0]
        cdef int64_t* data_ = NULL
        cdef int16_t* data16_ = NULL
        cdef int64_t* acc_ = &self.acc[0]
        cdef int64_t* s_in_ = &self.s_in[0]
        cdef int32_t* indices_ = &self.indices[0]
        if indptr_[n_in] > 0:  # (an empty table has no first element to point at)
            if self.use16:
                data16_ = &self.data16[0]
            else:
                data_ = &self.data[0]
        for k in range(n):
            acc_[k] = 0
        for j in range(n_in):
            x = s_in_[j]
            if x != 0:
                if self.use16:
                    if self.graded:
                        for k in range(indptr_[j], indptr_[j + 1]):
                            acc_[indices_[k]] += <int64_t>data16_[k] * x
                    else:
                        for k in range(indptr_[j], indptr_[j + 1]):
                            acc_[indices_[k]] += data16_[k]
                elif self.graded:
                    for k in range(indptr_[j], indptr_[j + 1]):
                        acc_[indices_[k]] += data_[k] * x
                else:
                    for k in range(indptr_[j], indptr_[j + 1]):
                        acc_[indices_[k]] += data_[k]
        if self.weight_exp != 0 or self.clamp24:
            for k in range(n):
                y = shift64(acc_[k], self.weight_exp)
                if self.clamp24:
                    y = ((y + MAX_UV) & (2 * MAX_UV - 1)) - MAX_UV
                acc_[k] = y
        return 0


cdef class DenseFloatKernel(Kernel):
    """floating_pt Dense with a dense transposed table: contiguous rows, vectorisable adds."""

    input_attrs = ('s_in',)  # inputs the compiled loop may point at a source's output

    cdef public double[::1] s_in
    cdef double[:, ::1] wT
    cdef double[::1] acc, out
    cdef bint graded
    cdef public object _keep

    def __init__(self, wT, acc, bint graded):
        Kernel.__init__(self)
        self.wT, self.acc, self.graded = wT, acc, graded
        self.send_first = True
        self._keep = acc
        s_in = np.zeros(wT.shape[0]); out = np.zeros(acc.size)
        self.inputs = [s_in]; self.outputs = [out]
        self.s_in, self.out = s_in, out

    cdef int send(self) except -1:
        cdef Py_ssize_t n = self.acc.shape[0]
        cdef double* acc_ = &self.acc[0]
        cdef double* out_ = &self.out[0]
        if n:
            memcpy(&out_[0], &acc_[0], n * sizeof(double))
        return 0

    cdef int step(self, int64_t t) except -1:
        cdef Py_ssize_t i, j, n_in = self.wT.shape[0], n = self.acc.shape[0]
        cdef double x
        cdef double* a
        cdef double* w
        cdef double* acc_ = &self.acc[0]
        cdef double* s_in_ = &self.s_in[0]
        if n == 0:
            return 0
        a = &acc_[0]
        for i in range(n):
            a[i] = 0.0
        for j in range(n_in):
            x = s_in_[j]
            if x != 0.0:
                w = &self.wT[j, 0]
                if self.graded:
                    for i in range(n):
                        a[i] += w[i] * x
                else:
                    for i in range(n):
                        a[i] += w[i]
        return 0


cdef class DenseFixedKernel(Kernel):
    """fixed_pt Dense with a dense transposed table; binary spikes sum in int32 when that cannot overflow.

    The table is int16 when the weights fit (Loihi's weights are 8 bits plus a sign, so they
    always do): a large Dense is bound by reading its table every step, half the bytes of int32.
    """

    input_attrs = ('s_in',)  # inputs the compiled loop may point at a source's output

    cdef public int64_t[::1] s_in
    cdef int16_t[:, ::1] wT16
    cdef int32_t[:, ::1] wT32
    cdef int64_t[:, ::1] wT64
    cdef int32_t[::1] acc32
    cdef int64_t[::1] acc, out
    cdef bint graded, use32, use16
    cdef int weight_exp
    cdef public object _keep

    def __init__(self, w_T, acc, bint graded, int weight_exp):
        Kernel.__init__(self)
        n_in, n_out = w_T.shape
        wmax = int(np.abs(w_T).max()) if w_T.size else 0
        self.use32 = (not graded) and wmax * max(n_in, 1) < 2**31
        self.use16 = self.use32 and wmax < 2**15
        if self.use16:
            self.wT16 = np.ascontiguousarray(w_T, dtype=np.int16)
            self.acc32 = np.zeros(n_out, np.int32)
        elif self.use32:
            self.wT32 = np.ascontiguousarray(w_T, dtype=np.int32)
            self.acc32 = np.zeros(n_out, np.int32)
        else:
            self.wT64 = np.ascontiguousarray(w_T, dtype=np.int64)
        self.acc, self.graded, self.weight_exp = acc, graded, weight_exp
        self.send_first = True
        self.out_wrap32 = True
        self._keep = acc
        s_in = np.zeros(n_in, np.int64); out = np.zeros(n_out, np.int64)
        self.inputs = [s_in]; self.outputs = [out]
        self.s_in, self.out = s_in, out

    cdef int send(self) except -1:
        cdef Py_ssize_t k, n = self.acc.shape[0]
        cdef int64_t* acc_ = &self.acc[0]
        cdef int64_t* out_ = &self.out[0]
        for k in range(n):
            out_[k] = w32(acc_[k])
        return 0

    cdef int step(self, int64_t t) except -1:
        cdef Py_ssize_t i, j, n_in = self.s_in.shape[0], n = self.acc.shape[0]
        cdef int64_t x
        cdef int32_t* a32
        cdef int32_t* w32p
        cdef int16_t* w16p
        cdef int64_t* a64
        cdef int64_t* w64p
        cdef int32_t* acc32_ = &self.acc32[0]
        cdef int64_t* acc_ = &self.acc[0]
        cdef int64_t* s_in_ = &self.s_in[0]
        if n == 0:
            return 0
        a64 = &acc_[0]
        if self.use32:
            a32 = &acc32_[0]
            for i in range(n):
                a32[i] = 0
            if self.use16:
                for j in range(n_in):
                    if s_in_[j] != 0:
                        w16p = &self.wT16[j, 0]
                        for i in range(n):
                            a32[i] += w16p[i]
            else:
                for j in range(n_in):
                    if s_in_[j] != 0:
                        w32p = &self.wT32[j, 0]
                        for i in range(n):
                            a32[i] += w32p[i]
            for i in range(n):
                a64[i] = shift64(<int64_t>a32[i], self.weight_exp)
            return 0
        for i in range(n):
            a64[i] = 0
        for j in range(n_in):
            x = s_in_[j]
            if x != 0:
                w64p = &self.wT64[j, 0]
                if self.graded:
                    for i in range(n):
                        a64[i] += w64p[i] * x
                else:
                    for i in range(n):
                        a64[i] += w64p[i]
        if self.weight_exp != 0:
            for i in range(n):
                a64[i] = shift64(a64[i], self.weight_exp)
        return 0


cdef class DelayFloatKernel(Kernel):
    """floating_pt DelayDense / DelaySparse: a ring of per-delay accumulators (a_buff[:, d])."""

    input_attrs = ('s_in',)  # inputs the compiled loop may point at a source's output

    cdef public double[::1] s_in
    cdef int64_t[::1] indptr
    cdef int32_t[::1] indices, delays
    cdef double[::1] data, out
    cdef double[:, ::1] buf, scratch
    cdef bint graded
    cdef public object _keep

    def __init__(self, indptr, indices, data, delays, buf, bint graded):
        Kernel.__init__(self)
        self.indptr, self.indices, self.data, self.delays, self.buf = indptr, indices, data, delays, buf
        self.graded = graded
        self.send_first = True
        self.scratch = np.zeros_like(buf)
        self._keep = buf
        s_in = np.zeros(indptr.size - 1); out = np.zeros(buf.shape[0])
        self.inputs = [s_in]; self.outputs = [out]
        self.s_in, self.out = s_in, out

    cdef int send(self) except -1:
        cdef Py_ssize_t i
        cdef double* out_ = &self.out[0]
        for i in range(self.buf.shape[0]):
            out_[i] = self.buf[i, 0]
        return 0

    cdef int step(self, int64_t t) except -1:
        cdef Py_ssize_t i, j, k, n_out = self.buf.shape[0], depth = self.buf.shape[1], n_in = self.s_in.shape[0]
        cdef double x
        cdef int64_t* indptr_ = &self.indptr[0]
        cdef int32_t* indices_ = &self.indices[0]
        cdef int32_t* delays_ = &self.delays[0]
        cdef double* data_ = &self.data[0]
        cdef double* s_in_ = &self.s_in[0]
        for i in range(n_out):
            for k in range(depth):
                self.scratch[i, k] = 0.0
        for j in range(n_in):
            x = s_in_[j]
            if x != 0.0:
                for k in range(indptr_[j], indptr_[j + 1]):
                    self.scratch[indices_[k], delays_[k]] += data_[k] * x if self.graded else data_[k]
        for i in range(n_out):
            for k in range(depth - 1):
                self.buf[i, k] = self.buf[i, k + 1] + self.scratch[i, k]
            self.buf[i, depth - 1] = 0.0 + self.scratch[i, depth - 1]
        return 0


cdef class DelayFixedKernel(Kernel):
    """fixed_pt DelayDense / DelaySparse: integer per-delay sums, weight exponent before accumulation."""

    input_attrs = ('s_in',)  # inputs the compiled loop may point at a source's output

    cdef public int64_t[::1] s_in
    cdef int64_t[::1] indptr, data, out
    cdef int32_t[::1] indices, delays
    cdef int64_t[:, ::1] buf, scratch
    cdef bint graded
    cdef int weight_exp
    cdef public object _keep

    def __init__(self, indptr, indices, data, delays, buf, bint graded, int weight_exp):
        Kernel.__init__(self)
        self.indptr, self.indices, self.data, self.delays, self.buf = indptr, indices, data, delays, buf
        self.graded, self.weight_exp = graded, weight_exp
        self.send_first = True
        self.out_wrap32 = True
        self.scratch = np.zeros_like(buf)
        self._keep = buf
        s_in = np.zeros(indptr.size - 1, np.int64); out = np.zeros(buf.shape[0], np.int64)
        self.inputs = [s_in]; self.outputs = [out]
        self.s_in, self.out = s_in, out

    cdef int send(self) except -1:
        cdef Py_ssize_t i
        cdef int64_t* out_ = &self.out[0]
        for i in range(self.buf.shape[0]):
            out_[i] = w32(self.buf[i, 0])
        return 0

    cdef int step(self, int64_t t) except -1:
        cdef Py_ssize_t i, j, k, n_out = self.buf.shape[0], depth = self.buf.shape[1], n_in = self.s_in.shape[0]
        cdef int64_t x
        cdef int64_t* indptr_ = &self.indptr[0]
        cdef int64_t* data_ = &self.data[0]
        cdef int64_t* s_in_ = &self.s_in[0]
        cdef int32_t* indices_ = &self.indices[0]
        cdef int32_t* delays_ = &self.delays[0]
        for i in range(n_out):
            for k in range(depth):
                self.scratch[i, k] = 0
        for j in range(n_in):
            x = s_in_[j]
            if x != 0:
                for k in range(indptr_[j], indptr_[j + 1]):
                    self.scratch[indices_[k], delays_[k]] += data_[k] * x if self.graded else data_[k]
        for i in range(n_out):
            for k in range(depth - 1):
                self.buf[i, k] = self.buf[i, k + 1] + shift64(self.scratch[i, k], self.weight_exp)
            self.buf[i, depth - 1] = shift64(self.scratch[i, depth - 1], self.weight_exp)
        return 0


# -- SigmaDelta -----------------------------------------------------------------------------
cdef class SigmaDeltaFloatKernel(Kernel):
    input_attrs = ('a',)  # inputs the compiled loop may point at a source's output

    cdef public double[::1] a
    cdef double[::1] sigma, act, residue, error, bias, vth, s
    cdef bint relu, cum_error
    cdef public object _keep

    def __init__(self, sigma, act, residue, error, bias, vth, bint relu, bint cum_error):
        Kernel.__init__(self)
        self.sigma, self.act, self.residue, self.error, self.bias, self.vth = sigma, act, residue, error, bias, vth
        self.relu, self.cum_error = relu, cum_error
        self._keep = (sigma, act, residue, error)
        n = sigma.size
        a = np.zeros(n); s = np.zeros(n)
        self.inputs = [a]; self.outputs = [s]
        self.a, self.s = a, s

    cdef int step(self, int64_t t) except -1:
        cdef Py_ssize_t i, n = self.sigma.shape[0]
        cdef double sg, ac, d, so, er
        cdef double* sigma_ = &self.sigma[0]
        cdef double* act_ = &self.act[0]
        cdef double* residue_ = &self.residue[0]
        cdef double* error_ = &self.error[0]
        cdef double* bias_ = &self.bias[0]
        cdef double* vth_ = &self.vth[0]
        cdef double* a_ = &self.a[0]
        cdef double* s_ = &self.s[0]
        for i in range(n):
            sg = a_[i] + sigma_[i]
            sigma_[i] = sg
            ac = sg + bias_[i]
            if self.relu and not (ac >= 0.0):
                ac = 0.0 if ac < 0.0 else ac
            d = ac - act_[i] + residue_[i]
            if self.cum_error:
                er = error_[i] + d
                so = d if abs(er) >= vth_[i] else 0.0
                if so != 0.0:
                    er = er * 0.0
                error_[i] = er
            else:
                so = d if abs(d) >= vth_[i] else 0.0
            residue_[i] = d - so
            act_[i] = ac
            s_[i] = so
        return 0


cdef class SigmaDeltaFixedKernel(Kernel):
    input_attrs = ('a',)  # inputs the compiled loop may point at a source's output

    cdef public int64_t[::1] a
    cdef int32_t[::1] sigma, act, residue, error, bias, vth, state_exp
    cdef int64_t[::1] s
    cdef bint relu, cum_error
    cdef public object _keep

    def __init__(self, sigma, act, residue, error, bias, vth, state_exp, bint relu, bint cum_error):
        Kernel.__init__(self)
        self.sigma, self.act, self.residue, self.error, self.bias, self.vth = sigma, act, residue, error, bias, vth
        self.state_exp = state_exp
        self.relu, self.cum_error = relu, cum_error
        self.out_wrap32 = True
        self._keep = (sigma, act, residue, error)
        n = sigma.size
        a = np.zeros(n, np.int64); s = np.zeros(n, np.int64)
        self.inputs = [a]; self.outputs = [s]
        self.a, self.s = a, s

    cdef int step(self, int64_t t) except -1:
        cdef Py_ssize_t i, n = self.sigma.shape[0]
        cdef int32_t sg, ac, d, so, er
        cdef int32_t* sigma_ = &self.sigma[0]
        cdef int32_t* act_ = &self.act[0]
        cdef int32_t* residue_ = &self.residue[0]
        cdef int32_t* error_ = &self.error[0]
        cdef int32_t* bias_ = &self.bias[0]
        cdef int32_t* vth_ = &self.vth[0]
        cdef int32_t* state_exp_ = &self.state_exp[0]
        cdef int64_t* a_ = &self.a[0]
        cdef int64_t* s_ = &self.s[0]
        for i in range(n):
            sg = add32(w32(a_[i]), sigma_[i])
            sigma_[i] = sg
            ac = add32(sg, bias_[i])
            if self.relu and ac < 0:
                ac = 0
            d = <int32_t>(<uint32_t>ac - <uint32_t>act_[i] + <uint32_t>residue_[i])
            if self.cum_error:
                er = add32(error_[i], d)
                so = d if abs32(er) >= vth_[i] else 0
                if abs32(so) > 0:
                    er = 0
                error_[i] = er
            else:
                so = d if abs32(d) >= vth_[i] else 0
            residue_[i] = add32(d, <int32_t>(<uint32_t>0 - <uint32_t>so))
            act_[i] = ac
            s_[i] = so >> state_exp_[i]
        return 0


# -- sources, sinks, monitors -----------------------------------------------------------------
cdef class SourceKernel(Kernel):
    """RingBuffer: send column (t - 1) % T of the data (float64 or int32)."""

    cdef double[:, ::1] fdata
    cdef int32_t[:, ::1] idata
    cdef double[::1] fout
    cdef int64_t[::1] iout
    cdef bint fixed
    cdef public object _keep

    def __init__(self, data2d, bint fixed):
        Kernel.__init__(self)
        self.fixed = fixed
        self._keep = data2d
        n = data2d.shape[0]
        if fixed:
            self.idata = data2d
            out = np.zeros(n, np.int64); self.iout = out
            self.out_wrap32 = True
        else:
            self.fdata = data2d
            out = np.zeros(n); self.fout = out
        self.outputs = [out]

    cdef int step(self, int64_t t) except -1:
        cdef Py_ssize_t i, c
        cdef double* fout_ = &self.fout[0]
        cdef int64_t* iout_ = &self.iout[0]
        if self.fixed:
            c = (t - 1) % self.idata.shape[1]
            for i in range(self.idata.shape[0]):
                iout_[i] = self.idata[i, c]
        else:
            c = (t - 1) % self.fdata.shape[1]
            for i in range(self.fdata.shape[0]):
                fout_[i] = self.fdata[i, c]
        return 0


cdef class SinkKernel(Kernel):
    """RingBufferSink: store the input in column (t - 1) % T of the data."""

    cdef double[:, ::1] fdata
    cdef int32_t[:, ::1] idata
    cdef double[::1] fin
    cdef int64_t[::1] iin
    cdef bint fixed
    cdef public object _keep

    def __init__(self, data2d, bint fixed):
        Kernel.__init__(self)
        self.fixed = fixed
        self._keep = data2d
        n = data2d.shape[0]
        if fixed:
            self.idata = data2d
            a = np.zeros(n, np.int64); self.iin = a
        else:
            self.fdata = data2d
            a = np.zeros(n); self.fin = a
        self.inputs = [a]

    cdef int step(self, int64_t t) except -1:
        cdef Py_ssize_t i, c
        cdef double* fin_ = &self.fin[0]
        cdef int64_t* iin_ = &self.iin[0]
        if self.fixed:
            c = (t - 1) % self.idata.shape[1]
            for i in range(self.idata.shape[0]):
                self.idata[i, c] = w32(iin_[i])
        else:
            c = (t - 1) % self.fdata.shape[1]
            for i in range(self.fdata.shape[0]):
                self.fdata[i, c] = fin_[i]
        return 0


cdef enum:
    K_F64 = 0
    K_I64 = 1
    K_I32 = 2
    K_I16 = 3
    K_I8 = 4
    K_U8 = 5


_DTYPE_CODES = {np.dtype(np.float64): K_F64, np.dtype(np.int64): K_I64, np.dtype(np.int32): K_I32,
                np.dtype(np.int16): K_I16, np.dtype(np.int8): K_I8, np.dtype(np.uint8): K_U8,
                np.dtype(np.bool_): K_U8}


def dtype_supported(dt) -> bool:
    """Whether a Monitor can read a Var of this dtype in the compiled loop."""
    return np.dtype(dt) in _DTYPE_CODES


cdef inline double read_elem(char* p, int code, Py_ssize_t i) noexcept nogil:
    if code == K_F64:
        return (<double*>p)[i]
    if code == K_I64:
        return <double>(<int64_t*>p)[i]
    if code == K_I32:
        return <double>(<int32_t*>p)[i]
    if code == K_I16:
        return <double>(<int16_t*>p)[i]
    if code == K_I8:
        return <double>(<int8_t*>p)[i]
    return <double>(<uint8_t*>p)[i]


cdef class MonitorKernel(Kernel):
    """Monitor: OutPort probes record the input of step t in row t - 1; Var probes after the step."""

    cdef list port_data, var_data, var_src, port_in
    cdef int n_port, n_var
    cdef double** pdata
    cdef char** pin
    cdef int* pin_code
    cdef Py_ssize_t* pn
    cdef Py_ssize_t* prows
    cdef double** vdata
    cdef char** vsrc
    cdef int* vcode
    cdef Py_ssize_t* vn
    cdef Py_ssize_t* vrows

    def __init__(self, port_probes, var_probes):
        """port_probes: [(data2d float64, input kind 'f'|'i', size)], var_probes: [(data2d, src 1-d array)]."""
        Kernel.__init__(self)
        self.n_port, self.n_var = len(port_probes), len(var_probes)
        self.port_data, self.var_data, self.var_src, self.port_in = [], [], [], []
        self.pdata = <double**>malloc(max(1, self.n_port) * sizeof(double*))
        self.pin = <char**>malloc(max(1, self.n_port) * sizeof(char*))
        self.pin_code = <int*>malloc(max(1, self.n_port) * sizeof(int))
        self.pn = <Py_ssize_t*>malloc(max(1, self.n_port) * sizeof(Py_ssize_t))
        self.prows = <Py_ssize_t*>malloc(max(1, self.n_port) * sizeof(Py_ssize_t))
        self.vdata = <double**>malloc(max(1, self.n_var) * sizeof(double*))
        self.vsrc = <char**>malloc(max(1, self.n_var) * sizeof(char*))
        self.vcode = <int*>malloc(max(1, self.n_var) * sizeof(int))
        self.vn = <Py_ssize_t*>malloc(max(1, self.n_var) * sizeof(Py_ssize_t))
        self.vrows = <Py_ssize_t*>malloc(max(1, self.n_var) * sizeof(Py_ssize_t))
        for p, (data, kind, size) in enumerate(port_probes):
            buf = np.zeros(size, np.float64 if kind == "f" else np.int64)
            self.inputs.append(buf)
            self.port_in.append(buf)
            self.port_data.append(data)
            self.pdata[p] = <double*><size_t>data.ctypes.data
            self.pin[p] = <char*><size_t>buf.ctypes.data
            self.pin_code[p] = K_F64 if kind == "f" else K_I64
            self.pn[p] = size
            self.prows[p] = data.shape[0]
        for p, (data, src) in enumerate(var_probes):
            if not (src.flags.c_contiguous and dtype_supported(src.dtype)):
                raise TypeError(f"cannot probe a Var of dtype {src.dtype} in the compiled loop")
            self.var_data.append(data)
            self.var_src.append(src)
            self.vdata[p] = <double*><size_t>data.ctypes.data
            self.vsrc[p] = <char*><size_t>src.ctypes.data
            self.vcode[p] = _DTYPE_CODES[src.dtype]
            self.vn[p] = src.size
            self.vrows[p] = data.shape[0]

    def __dealloc__(self):
        free(self.pdata); free(self.pin); free(self.pin_code); free(self.pn); free(self.prows)
        free(self.vdata); free(self.vsrc); free(self.vcode); free(self.vn); free(self.vrows)

    cdef int step(self, int64_t t) except -1:
        cdef int p
        cdef Py_ssize_t i, row = t - 1
        cdef double* d
        for p in range(self.n_port):
            if row < self.prows[p]:
                d = self.pdata[p] + row * self.pn[p]
                for i in range(self.pn[p]):
                    d[i] = read_elem(self.pin[p], self.pin_code[p], i)
        return 0

    cdef int post(self, int64_t t) except -1:
        cdef int p
        cdef Py_ssize_t i, row = t - 1
        cdef double* d
        for p in range(self.n_var):
            if row < self.vrows[p]:
                d = self.vdata[p] + row * self.vn[p]
                for i in range(self.vn[p]):
                    d[i] = read_elem(self.vsrc[p], self.vcode[p], i)
        return 0


# -- the compiled step loop -------------------------------------------------------------------
cdef class Op:
    cdef int run(self, int64_t t) except -1:
        return 0


cdef class SendOp(Op):
    cdef Kernel k

    def __init__(self, Kernel k):
        self.k = k

    cdef int run(self, int64_t t) except -1:
        return self.k.send()


cdef class StepOp(Op):
    cdef Kernel k

    def __init__(self, Kernel k):
        self.k = k

    cdef int run(self, int64_t t) except -1:
        return self.k.step(t)


cdef class PostOp(Op):
    cdef Kernel k

    def __init__(self, Kernel k):
        self.k = k

    cdef int run(self, int64_t t) except -1:
        return self.k.post(t)


cdef class GatherOp(Op):
    """dst = sum of the source buffers (same kind); int32 wrap of the sum when every source is int32."""

    cdef object dst
    cdef list srcs
    cdef char* dptr
    cdef char** sptr
    cdef int nsrc
    cdef Py_ssize_t n
    cdef bint fixed, wrap32

    def __init__(self, dst, list srcs, bint wrap32):
        self.dst, self.srcs = dst, srcs
        self.nsrc = len(srcs)
        self.n = dst.size
        self.fixed = dst.dtype == np.int64
        self.wrap32 = wrap32
        for s in srcs:
            if s.dtype != dst.dtype or s.size != dst.size:
                raise TypeError("gather: source and destination buffers differ in kind or size")
        self.dptr = <char*><size_t>dst.ctypes.data
        self.sptr = <char**>malloc(max(1, self.nsrc) * sizeof(char*))
        for i, s in enumerate(srcs):
            self.sptr[i] = <char*><size_t>s.ctypes.data

    def __dealloc__(self):
        free(self.sptr)

    cdef int run(self, int64_t t) except -1:
        cdef Py_ssize_t i
        cdef int s
        cdef double* fd
        cdef int64_t* idst
        if self.n == 0:
            return 0
        if self.nsrc == 1:
            memcpy(self.dptr, self.sptr[0], self.n * 8)
            return 0
        if self.fixed:
            idst = <int64_t*>self.dptr
            memcpy(self.dptr, self.sptr[0], self.n * 8)
            for s in range(1, self.nsrc):
                for i in range(self.n):
                    idst[i] += (<int64_t*>self.sptr[s])[i]
            if self.wrap32:
                for i in range(self.n):
                    idst[i] = w32(idst[i])
        else:
            fd = <double*>self.dptr
            memcpy(self.dptr, self.sptr[0], self.n * 8)
            for s in range(1, self.nsrc):
                for i in range(self.n):
                    fd[i] += (<double*>self.sptr[s])[i]
        return 0


cdef class Engine:
    """A static schedule of ops, stepped in C: no Python call per model per step."""

    cdef list ops
    cdef public int64_t time_step

    def __init__(self, list ops, int64_t time_step):
        for o in ops:
            if not isinstance(o, Op):
                raise TypeError(f"not an op: {o!r}")
        self.ops = ops
        self.time_step = time_step

    def run(self, int64_t n) -> None:
        """Run ``n`` steps."""
        cdef int64_t s, t
        cdef Py_ssize_t i, m = len(self.ops)
        cdef list ops = self.ops
        for s in range(n):
            t = self.time_step + 1
            for i in range(m):
                (<Op>ops[i]).run(t)
            self.time_step = t

