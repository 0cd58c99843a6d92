"""The chip's arithmetic as pure, vectorised functions of (parameters, state, input) -> (state, output).

The models in :mod:`caldera_loihi.models` are thin stateful wrappers around
these; nothing here keeps state. The rules are Lava 0.10's bit-accurate ones
(the golden suite is the arbiter), built on :mod:`caldera.arith`:

* LIF: ``u <- wrap24(trunc(u * (4096 - du - 1) / 4096) + (a_in << 6))``,
  ``v <- sat24(trunc(v * (4096 - dv) / 4096) + u + (bias_mant << bias_exp))``,
  spike where ``v > vth << 6``, then ``v <- 0`` there.
* Synapses: integer weights (8-bit, truncated to ``num_weight_bits`` by sign
  mode), the summed input shifted by ``weight_exp``; a spike sent in step t is
  delivered in step t + 1 (+ its delay).
"""

from __future__ import annotations

import typing as ty

import numpy as np
from caldera import arith
from caldera.errors import ParameterError
from caldera.lazy import lazy_module
from caldera.variable import is_sparse

sp = lazy_module("scipy.sparse")  # imported on first use (see caldera.lazy)

# -- neurons -------------------------------------------------------------------------------


def decay_multiplier(d: int, offset: int = 0) -> float:
    """``(4096 - d - offset) / 4096``: multiplying an int32 state by it in float64 is exact (see arith.decay)."""
    return (arith.DECAY_UNITY - (int(d) + offset)) / arith.DECAY_UNITY


def lif_subthreshold(
    u: np.ndarray, v: np.ndarray, a_in: np.ndarray, mu: float, mv: float, bias: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One step of Loihi's LIF sub-threshold dynamics; returns new ``(u, v)`` as int32 arrays."""
    y = u * mu
    np.trunc(y, out=y)
    un = y.astype(np.int32)
    un += np.left_shift(np.asarray(a_in).astype(np.int32), arith.ACT_SHIFT)
    un = arith.wrap_u(un)
    y = v * mv
    np.trunc(y, out=y)
    vn = y.astype(np.int32)
    vn += un
    vn += bias
    return un, arith.saturate_v(vn)


def lif_fire(v: np.ndarray, vth_eff: int) -> tuple[np.ndarray, np.ndarray]:
    """Spikes where ``v > vth_eff``; returns ``(spikes, v after reset)``."""
    s = v > vth_eff
    if s.any():
        v = v.copy()
        v[s] = 0
    return s, v


def ternary_fire(v: np.ndarray, vth_hi: np.ndarray, vth_lo: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """+1 above ``vth_hi``, -1 below ``vth_lo`` (both already shifted); reset v where either fired."""
    s = (v > vth_hi).astype(np.int32) - (v < vth_lo).astype(np.int32)
    if s.any():
        v = v.copy()
        v[s != 0] = 0
    return s, v


def sigma_delta_step(
    a_in: np.ndarray,
    sigma: np.ndarray,
    act: np.ndarray,
    residue: np.ndarray,
    error: np.ndarray,
    bias: np.ndarray,
    vth: np.ndarray,
    relu: bool,
    cum_error: bool,
) -> tuple[np.ndarray, ...]:
    """Sigma-delta neuron: returns ``(s_out_scaled, sigma, act, residue, error)``."""
    sigma = a_in + sigma
    act_new = sigma + bias
    if relu:
        act_new = np.maximum(act_new, 0)
    delta = act_new - act + residue
    if cum_error:
        error = error + delta
        s = np.where(np.abs(error) >= vth, delta, 0)
        error = error * (1 - (np.abs(s) > 0))
    else:
        s = np.where(np.abs(delta) >= vth, delta, 0)
    residue = delta - s
    return s, sigma, act_new, residue, error


def rf_step(
    a_real: np.ndarray,
    a_imag: np.ndarray,
    real: np.ndarray,
    imag: np.ndarray,
    cos_d: int,
    sin_d: int,
    decay_bits: int,
    limit: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Resonate-and-fire rotation with decays scaled by ``2**decay_bits`` (truncation toward zero), clipped."""

    def scale(x: np.ndarray) -> np.ndarray:
        return np.sign(x) * np.right_shift(np.abs(x), decay_bits)

    r, i = np.int64(real), np.int64(imag)
    nr = scale(cos_d * r) - scale(sin_d * i) + a_real
    ni = scale(sin_d * r) + scale(cos_d * i) + a_imag
    return np.clip(nr, -limit, limit), np.clip(ni, -limit, limit)


# -- synapses ------------------------------------------------------------------------------


def _values(w: ty.Any) -> np.ndarray:
    return w.data if is_sparse(w) else np.asarray(w)


def check_weights(
    what: str, weights: ty.Any, sign_mode: ty.Any, num_weight_bits: int, weight_bits: int = 8
) -> arith.SignMode:
    """Integers within the chip's weight range for their sign mode; returns the sign mode. Never clips silently."""
    vals = _values(weights)
    if vals.size and not np.all(np.isfinite(vals)):
        raise ParameterError(f"{what}: weights must be finite")
    if vals.size and vals.dtype.kind == "f" and not np.all(vals == np.round(vals)):
        raise ParameterError(
            f"{what}: weights must be integers on the loihi backend (fixed_pt); got fractional values. "
            "Convert a floating_pt network with caldera_loihi.convert.to_fixed()"
        )
    if sign_mode is None:
        sign_mode = arith.determine_sign_mode(vals if vals.size else np.zeros(1))
    elif not isinstance(sign_mode, arith.SignMode):
        sign_mode = arith.SignMode(int(sign_mode))
    lo, hi = arith.weight_range(sign_mode, weight_bits)
    if vals.size and (vals.min() < lo or vals.max() > hi):
        bad = vals.min() if vals.min() < lo else vals.max()
        over = lo - bad if bad < lo else bad - hi
        raise ParameterError(
            f"{what}: weight {int(bad)} is not representable in the chip's {weight_bits}-bit weights: with sign "
            f"mode {sign_mode.name} the range is {lo}..{hi} (over by {int(over)}); scale the weights down and "
            "raise weight_exp"
        )
    if not 1 <= int(num_weight_bits) <= weight_bits:
        raise ParameterError(f"{what}: num_weight_bits={num_weight_bits} is outside 1..{weight_bits}")
    return sign_mode


def stored_weights(weights: ty.Any, sign_mode: arith.SignMode, num_weight_bits: int) -> ty.Any:
    """The weights as the synapse stores them: clipped to the sign mode, truncated to ``num_weight_bits``."""
    return arith.truncate_weights(arith.clip_weights(weights, sign_mode, 8), sign_mode, int(num_weight_bits))


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


__all__ = [
    "decay_multiplier",
    "lif_subthreshold",
    "lif_fire",
    "ternary_fire",
    "sigma_delta_step",
    "rf_step",
    "check_weights",
    "stored_weights",
    "SynapseMatrix",
    "prepare_matrix",
    "accumulate",
    "fan_out_counts",
]
