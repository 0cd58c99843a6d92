"""Loihi fixed-point arithmetic, shared by every backend that claims ``fixed_pt``.

These are the rules Lava 0.10's bit-accurate models apply (and the golden
traces record): 12-bit decays with truncation toward zero, a 24-bit current
that wraps, a 24-bit voltage that saturates, activations and thresholds
MSB-aligned by 6 bits, weights clipped to 8 bits and truncated to
``num_weight_bits`` according to their sign mode, ``weight_exp`` applied as a
shift of the summed input. Written once, vectorised, free of model state.
"""

from __future__ import annotations

from enum import Enum, unique

import numpy as np

DECAY_BITS = 12
DECAY_UNITY = 1 << DECAY_BITS
UV_BITS = 24
MAX_UV = 1 << (UV_BITS - 1)  # 2**23
ACT_SHIFT = 6
VTH_SHIFT = 6


def decay(x: np.ndarray, d: int | np.ndarray) -> np.ndarray:
    """``x * (4096 - d) / 4096`` truncated toward zero (Lava: ``sign(y) * (|y| >> 12)``), as int32.

    Computed in float64, which is exact here: ``x`` is an int32 (at most 31
    significant bits) and ``(4096 - d) / 4096`` a dyadic fraction of at most 13
    bits, so the product needs at most 44 of float64's 53 bits.
    """
    m = (DECAY_UNITY - np.asarray(d, dtype=np.float64)) * (1.0 / DECAY_UNITY)
    y = np.multiply(x, m, dtype=np.float64)
    np.trunc(y, out=y)
    return y.astype(np.int32)


def decay_reference(x: np.ndarray, d: int | np.ndarray) -> np.ndarray:
    """Lava's integer formulation of :func:`decay` (kept for tests)."""
    y = np.asarray(x, dtype=np.int64) * (DECAY_UNITY - np.asarray(d, dtype=np.int64))
    return (np.sign(y) * np.right_shift(np.abs(y), DECAY_BITS)).astype(np.int32)


def scale_down(x: np.ndarray, bits: int | np.ndarray) -> np.ndarray:
    """``x / 2**bits`` truncated toward zero: ``sign(x) * (|x| >> bits)`` (a decay product back to state units)."""
    return np.sign(x) * np.right_shift(np.abs(x), bits)


def wrap_u(x: np.ndarray) -> np.ndarray:
    """Wrap a current into Loihi's 24-bit range the way Lava does: (-2**23, 2**23].

    Like Lava, one period is added or subtracted (values further out are not
    folded again).
    """
    if x.size == 0 or (x.max() <= MAX_UV and x.min() > -MAX_UV):
        return x
    w = np.where(x > MAX_UV, x - 2 * MAX_UV, x)
    return np.where(w <= -MAX_UV, x + 2 * MAX_UV, w)


def saturate_v(x: np.ndarray) -> np.ndarray:
    """Clip a voltage to Loihi's 24-bit range [-(2**23 - 1), 2**23 - 1]."""
    if x.size == 0 or (x.max() < MAX_UV and x.min() > -MAX_UV):
        return x
    return np.clip(x, -MAX_UV + 1, MAX_UV - 1)


def shift(x: np.ndarray, exp: int | np.ndarray) -> np.ndarray:
    """Multiply by ``2**exp`` with shifts (arithmetic right shift for negative ``exp``)."""
    exp = np.asarray(exp)
    if exp.ndim == 0:
        e = int(exp)
        if e == 0:
            return x
        return np.left_shift(x, e) if e > 0 else np.right_shift(x, -e)
    return np.where(exp >= 0, np.left_shift(x, np.maximum(exp, 0)), np.right_shift(x, np.maximum(-exp, 0)))


def signed_clamp(x: np.ndarray, bits: int) -> np.ndarray:
    """Wrap ``x`` into a signed ``bits``-bit integer (two's complement)."""
    base = 1 << bits
    return (x + base // 2) % base - base // 2


@unique
class SignMode(Enum):
    """Sign mode of a weight matrix (Lava's ``SignMode``)."""

    NULL = 0
    MIXED = 1
    EXCITATORY = 2
    INHIBITORY = 3


def determine_sign_mode(weights) -> SignMode:
    """EXCITATORY if no weight is negative, INHIBITORY if none is positive, else MIXED."""
    if np.min(weights) >= 0:
        return SignMode.EXCITATORY
    if np.max(weights) <= 0:
        return SignMode.INHIBITORY
    return SignMode.MIXED


def weight_range(sign_mode: SignMode, num_bits: int = 8) -> tuple[int, int]:
    """Inclusive range of weights the synapse stores for a sign mode (before truncation)."""
    if sign_mode == SignMode.MIXED:
        return -(1 << num_bits), (1 << num_bits) - 1
    if sign_mode == SignMode.INHIBITORY:
        return -((1 << num_bits) - 1), 0
    return 0, (1 << num_bits) - 1


def clip_weights(weights, sign_mode: SignMode, num_bits: int = 8):
    """Clip weights to the range of ``sign_mode`` (dense arrays or scipy sparse)."""
    lo, hi = weight_range(sign_mode, num_bits)
    if hasattr(weights, "tocsr"):
        w = weights.tocsr(copy=True).astype(np.int32)
        w.data = np.clip(w.data, lo, hi)
        return w
    return np.clip(np.asarray(weights).astype(np.int32), lo, hi)


def truncate_weights(weights, sign_mode: SignMode, num_weight_bits: int, max_num_weight_bits: int = 8):
    """Drop the least significant bits so only ``num_weight_bits`` remain (one more for MIXED's sign).

    Negative weights are truncated toward minus infinity, except in INHIBITORY
    mode where the magnitude is truncated: that is Lava's rule.
    """
    num_truncate = max_num_weight_bits - num_weight_bits + int(sign_mode == SignMode.MIXED)
    if hasattr(weights, "tocsr"):
        w = weights.tocsr(copy=True).astype(np.int32)
        d = -w.data if sign_mode == SignMode.INHIBITORY else w.data
        d = (d >> num_truncate) << num_truncate
        w.data = -d if sign_mode == SignMode.INHIBITORY else d
        w.eliminate_zeros()
        return w
    w = np.asarray(weights).astype(np.int32)
    if sign_mode == SignMode.INHIBITORY:
        return -(((-w) >> num_truncate) << num_truncate)
    return (w >> num_truncate) << num_truncate


__all__ = [
    "DECAY_BITS",
    "DECAY_UNITY",
    "UV_BITS",
    "MAX_UV",
    "ACT_SHIFT",
    "VTH_SHIFT",
    "decay",
    "decay_reference",
    "scale_down",
    "wrap_u",
    "saturate_v",
    "shift",
    "signed_clamp",
    "SignMode",
    "determine_sign_mode",
    "weight_range",
    "clip_weights",
    "truncate_weights",
]
