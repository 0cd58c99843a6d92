# cython: boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled kernels of caldera-nengo (the ``cython`` backend's model of NengoNetwork).

Element by element the same arithmetic as the NumPy kernels in ``kernels.py``
(same operations in the same order, IEEE double, no fused multiply-add); the C
library's expm1/log1p may differ from NumPy's vectorized ones in the last bit,
so the two backends agree to rounding.
"""

from cpython.mem cimport PyMem_Free, PyMem_Malloc
from libc.math cimport expm1, log1p


def lif_step(double dt, const double[:] J, double[:] out, double[:] v, double[:] ref,
             double tau_rc, double tau_ref, double min_voltage, double amplitude):
    """Nengo's LIF step over a population (see kernels.lif_step)."""
    cdef Py_ssize_t i, n = J.shape[0]
    cdef double r, d, vi, ji, e, spike = amplitude / dt
    # expm1 of a whole step is one number: computed once (the same value the call would give); only
    # neurons leaving their refractory period inside this step need their own
    cdef double e_full = expm1(-dt / tau_rc)
    for i in range(n):
        r = ref[i] - dt
        d = dt - r
        if d < 0:
            d = 0
        elif d > dt:
            d = dt
        ji = J[i]
        vi = v[i]
        e = e_full if d == dt else expm1(-d / tau_rc)
        vi = vi - (ji - vi) * e
        if vi > 1:
            out[i] = spike
            r = tau_ref + (dt + tau_rc * log1p(-(vi - 1) / (ji - 1)))
            vi = 0
        else:
            out[i] = 0
            if vi < min_voltage:
                vi = min_voltage
        v[i] = vi
        ref[i] = r


def bsr_dot_inc(const double[:, :, :] A, const Py_ssize_t[:] indices, const Py_ssize_t[:] indptr,
                const double[:] X, double[:] Y):
    """Y += A @ X for a block-sparse-row matrix (blocks A[k] of shape (r, c))."""
    cdef Py_ssize_t nrow = indptr.shape[0] - 1, br = A.shape[1], bc = A.shape[2]
    cdef Py_ssize_t i, k, a, b, col
    cdef double s
    for i in range(nrow):
        for a in range(br):
            s = 0
            for k in range(indptr[i], indptr[i + 1]):
                col = indices[k] * bc
                for b in range(bc):
                    s = s + A[k, a, b] * X[col + b]
            Y[i * br + a] += s


cdef class ScalarFilters:
    """A run of first-order filters (Lowpass) on one-element signals, stepped in one call.

    Each filter ``i`` does what its own kernel does, in the same order as the run:
    ``x = a*x + b*u; y = x`` (or ``y += x``). The signals stay where the Simulator keeps
    them (Nengo's SignalDict never moves an array); this object holds references to them.
    """

    cdef double **x
    cdef double **u
    cdef double **y
    cdef double *a
    cdef double *b
    cdef char *inc
    cdef Py_ssize_t n
    cdef list keep

    def __cinit__(self, list filters):
        cdef Py_ssize_t i
        self.n = len(filters)
        self.x = <double **> PyMem_Malloc(self.n * sizeof(double *))
        self.u = <double **> PyMem_Malloc(self.n * sizeof(double *))
        self.y = <double **> PyMem_Malloc(self.n * sizeof(double *))
        self.a = <double *> PyMem_Malloc(self.n * sizeof(double))
        self.b = <double *> PyMem_Malloc(self.n * sizeof(double))
        self.inc = <char *> PyMem_Malloc(self.n * sizeof(char))
        if not (self.x and self.u and self.y and self.a and self.b and self.inc):
            raise MemoryError()
        self.keep = []
        for i in range(self.n):
            a, b, X, U, Y, inc = filters[i]
            for arr in (X, U, Y):
                if arr.dtype.str != "<f8" or arr.size != 1 or not arr.flags.writeable and arr is not U:
                    raise ValueError("ScalarFilters: one-element float64 arrays expected")
            self.keep.append((X, U, Y))
            self.x[i] = <double *> <size_t> X.__array_interface__["data"][0]
            self.u[i] = <double *> <size_t> U.__array_interface__["data"][0]
            self.y[i] = <double *> <size_t> Y.__array_interface__["data"][0]
            self.a[i] = a
            self.b[i] = b
            self.inc[i] = 1 if inc else 0

    def __dealloc__(self):
        PyMem_Free(self.x)
        PyMem_Free(self.u)
        PyMem_Free(self.y)
        PyMem_Free(self.a)
        PyMem_Free(self.b)
        PyMem_Free(self.inc)

    def __len__(self):
        return self.n

    def __call__(self):
        cdef Py_ssize_t i
        cdef double v
        for i in range(self.n):
            v = self.a[i] * self.x[i][0] + self.b[i] * self.u[i][0]
            self.x[i][0] = v
            if self.inc[i]:
                self.y[i][0] += v
            else:
                self.y[i][0] = v
