"""The emulator's synaptic accumulation: exact integer ``W @ s``, event-driven, with fan-out counts.

The weights' checks and storage rules (sign modes, 8-bit range, truncation to
``num_weight_bits``) are the core's (:mod:`caldera.kernels`), shared with every
``fixed_pt`` backend; what is here is how the emulator sums them and counts the
synaptic operations for its activity report.
"""

from __future__ import annotations

import typing as ty

import numpy as np
from caldera.lazy import lazy_module
from caldera.variable import is_sparse

sp = lazy_module("scipy.sparse")  # imported on first use (see caldera.lazy)


class SynapseMatrix(ty.NamedTuple):
    """A prepared integer weight matrix ``(n_out, n_in)`` for exact, event-driven accumulation."""

    dense: np.ndarray | None  # int64 (n_out, n_in), or None for sparse
    dense_t: np.ndarray | None  # int64 (n_in, n_out), rows = fan-out of one input
    csr: sp.csr_matrix | None  # int64
    wf: np.ndarray | None  # float64 copy for exact BLAS products when bounded
    w32: np.ndarray | None  # float32 copy when every sum of binary inputs stays below 2**24 (exact, faster)
    wmax: float
    n_out: int
    n_in: int


def prepare_matrix(w: ty.Any) -> SynapseMatrix:
    """Precompute what :func:`accumulate` needs for ``w`` (dense array or scipy sparse)."""
    if is_sparse(w):
        csr = sp.csr_matrix(w, dtype=np.int64)
        wmax = float(np.abs(csr.data).max()) if csr.nnz else 0.0
        return SynapseMatrix(None, None, csr, None, None, wmax, csr.shape[0], csr.shape[1])
    d = np.asarray(w, dtype=np.int64)
    wmax = float(np.abs(d).max()) if d.size else 0.0
    w32 = np.ascontiguousarray(d, dtype=np.float32) if wmax * d.shape[1] < 2.0**24 else None
    return SynapseMatrix(
        d, np.ascontiguousarray(d.T), None, np.ascontiguousarray(d, dtype=np.float64), w32, wmax, d.shape[0], d.shape[1]
    )


def accumulate(m: SynapseMatrix, s_in: np.ndarray, graded: bool) -> np.ndarray:
    """``W @ s`` exactly, as int64: binary spikes sum only the columns that spiked (event-driven)."""
    if not graded:
        idx = np.flatnonzero(s_in)
        if idx.size == 0:
            return np.zeros(m.n_out, np.int64)
        if m.csr is not None:
            x = np.zeros(m.n_in, np.int64)
            x[idx] = 1
            return m.csr.dot(x)
        if 8 * idx.size < m.n_in:
            return m.dense_t[idx].sum(axis=0)
        if m.w32 is not None:  # exact: every partial sum is an integer below 2**24
            s32 = np.zeros(m.n_in, np.float32)
            s32[idx] = 1.0
            return m.w32.dot(s32).astype(np.int64)
        s = np.zeros(m.n_in, np.float64)
        s[idx] = 1.0
        return m.wf.dot(s).astype(np.int64)  # exact: |sum| <= 256 * n_in < 2**53
    s = np.asarray(s_in).astype(np.int64)
    if m.csr is not None:
        return m.csr.dot(s)
    if m.wmax * float(np.abs(s).max(initial=0)) * m.n_in < 2.0**53:
        return m.wf.dot(s.astype(np.float64)).astype(np.int64)
    return m.dense.dot(s)


def fan_out_counts(m: SynapseMatrix) -> np.ndarray:
    """Non-zero synapses per input (the synaptic operations one input spike causes)."""
    if m.csr is not None:
        return np.bincount(m.csr.indices, minlength=m.n_in).astype(np.int64)
    return np.count_nonzero(m.dense, axis=0).astype(np.int64)


__all__ = ["SynapseMatrix", "prepare_matrix", "accumulate", "fan_out_counts"]
