"""Quantization of a Nengo ensemble for Loihi, following nengo-loihi's rules (``builder/discretize.py``).

A Nengo ensemble becomes one block of Loihi compartments (CUBA LIF with a
refractory period). In floating point its compartments compute, per step::

    u[t] = (1 - decay_u) u[t-1] + decay_u-scaled input        (synaptic current, one filter per block)
    v[t] = (1 - decay_v) v[t-1] + decay_v-scaled (u[t] + bias)  (LIF; SpikingRectifiedLinear: no decay)

where a spike of the presynaptic population (value 1, not Nengo's 1/dt)
adds its weight to the integral of u: the weights are Nengo's decoders,
transforms and encoders in units of the neurons' input current per spike.
The chip has no input scaling, so the scaling by the decays moves into the
weights, threshold and bias, and everything becomes integers:

- ``du = round(clip(4095 decay_u - 1, 0, 4095))`` (the chip adds 1 back), ``dv = round(4095 decay_v)``.
- ``u_infactor`` / ``v_infactor``: one over the summed integer decay series of a unit impulse
  (:func:`decay_magnitude`), for the decays that scale their input.
- ``w_scale = 255 / w_max`` (the block's largest weight maps to the largest 8-bit mantissa); for the first
  ``w_exp`` in 0, -1, ..., -7 where the threshold ``vth * v_scale`` fits 17 bits (times 2**6) and the bias
  ``bias * v_scale * v_infactor`` fits 12 bits << 7, with ``v_scale = w_scale 2**(6 + w_exp) /
  (u_infactor v_infactor)``; a block without weights scales its bias to the largest representable one.
- threshold mantissa ``round(vth_scaled / 2**6)``; bias as ``mant << exp`` with the smallest ``exp`` that
  keeps ``|mant| <= 4095``.
- each synapse: ``dw_exp = floor(log2(w_max / w_max_i))`` extra bits for weaker synapses, weight exponent
  ``w_exp_i = max(w_exp - dw_exp, -6)``, mantissas ``round(w w_scale 2**(w_exp - w_exp_i))`` clipped to +-255
  (nengo-loihi scales by ``2**dw_exp`` also where the exponent stopped at -6; here the scale follows the
  exponent actually used). Loihi 2 stores
  8-bit weights: where a matrix mixes signs one of the 8 bits is the sign, so the mantissa is rounded to
  an even number (what the chip keeps) and clipped to -256..254.

These functions are pure (NumPy in, integers out); :mod:`caldera_nengo.loihi` applies them.
"""

from __future__ import annotations

import typing as ty

import numpy as np
from nengo.exceptions import BuildError

MAX_DECAY = 2**12 - 1
VTH_MANT_MAX = 2**17 - 1
VTH_SHIFT = 6
VTH_MAX = VTH_MANT_MAX * 2**VTH_SHIFT
BIAS_MANT_MAX = 2**12 - 1
BIAS_EXP_MAX = 2**3 - 1
BIAS_MAX = BIAS_MANT_MAX * 2**BIAS_EXP_MAX
Q_BITS = 21  # the synaptic accumulator's bits (bounds the threshold of a block without weights)
DECAY_SCALE_MIN = 0.5 / 2**12  # below half a decay unit a decay cannot scale its input
WEIGHT_EXP_MIN = -6


def decay_magnitude(decay: ty.Any, x0: float = 2**21, bits: int = 12, offset: int = 0) -> ty.Any:
    """Estimated sum of the integer decay series ``x[i] = floor(r x[i-1])``, ``x[0] = x0``, over ``x0``.

    ``r = (2**bits - offset - decay) / 2**bits``. Each integer decay loses on average ``q = 0.494`` (nengo-loihi's
    empirical figure) to rounding, so the series is ``y[i] = r y[i-1] - q``, which ends after ``n`` terms when
    it reaches zero; its sum is that of the geometric series less the accumulated losses.
    """
    q = 0.494
    r = (2**bits - offset - np.asarray(decay, dtype=np.float64)) / 2**bits
    n = -np.log1p(x0 * (1 - r) / q) / np.log(r)
    geometric = (1 - r ** (n + 1)) / (1 - r)
    losses = q / ((1 - r) * x0) * (n + 1 - geometric)
    return geometric - losses


def decays(tau_s: float, dt: float, tau_rc: float | None) -> tuple[float, float, bool]:
    """``(decay_u, decay_v, scale_v)`` in floating point: the synapse's ``tau_s`` (0: no filter) and the
    membrane's ``tau_rc`` (None: a non-leaky integrator, SpikingRectifiedLinear)."""
    decay_u = 1.0 if tau_s == 0 else float(-np.expm1(-dt / tau_s))
    if decay_u <= DECAY_SCALE_MIN:
        raise BuildError(f"synapse tau={tau_s}: the current decay is too small for Loihi's 12 bits (tau too large)")
    if tau_rc is None:
        return decay_u, 0.0, False
    decay_v = float(-np.expm1(-dt / tau_rc))
    if decay_v <= DECAY_SCALE_MIN:
        raise BuildError(f"LIF tau_rc={tau_rc}: the voltage decay is too small for Loihi's 12 bits (tau_rc too large)")
    return decay_u, decay_v, True


def decay_ints(decay_u: float, decay_v: float) -> tuple[int, int]:
    """The chip's 12-bit ``du`` (one less: the chip adds 1) and ``dv``."""
    du = int(np.round(np.clip(decay_u * MAX_DECAY - 1, 0, MAX_DECAY)))
    dv = int(np.round(decay_v * MAX_DECAY))
    return du, dv


def bias_mant_exp(bias: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``bias ~ mant << exp`` with ``|mant| <= 4095`` and the smallest exponent 0..7."""
    r = np.maximum(np.abs(bias) / BIAS_MANT_MAX, 1)
    exp = np.ceil(np.log2(r)).astype(np.int32)
    mant = np.round(bias / 2.0**exp).astype(np.int32)
    return mant, exp


class BlockQuantization(ty.NamedTuple):
    """One ensemble's integers: ``du``, ``dv``, ``vth`` (mantissa, the chip shifts it by 6), ``bias_mant``,
    ``bias_exp``, per synapse ``(weights, weight_exp)``, and the scales (``v_scale``: floating-point voltage
    to chip units)."""

    du: int
    dv: int
    vth: int
    bias_mant: np.ndarray
    bias_exp: np.ndarray
    synapses: list[tuple[np.ndarray, int]]
    v_scale: float
    w_scale: float
    w_exp: int


def quantize_weights(w: np.ndarray, scale: float) -> np.ndarray:
    """Mantissas ``round(w scale)`` within +-255, as Loihi 2 stores them (even where the signs mix)."""
    m = np.clip(np.round(w * scale), -255, 255)
    if m.min() < 0 < m.max():  # mixed signs: 8 bits including the sign, so the last bit goes
        m = np.clip(2 * np.round(m / 2), -256, 254)
    return m.astype(np.int32)


def discretize_block(
    label: str,
    decay_u: float,
    decay_v: float,
    scale_v: bool,
    vth: float,
    bias: np.ndarray,
    weights: list[np.ndarray],
) -> BlockQuantization:
    """Quantize one block (see the module's docstring); ``weights`` in the block's input units per spike."""
    du, dv = decay_ints(decay_u, decay_v)
    u_infactor = 1.0 / float(decay_magnitude(du, offset=1))
    v_infactor = 1.0 / float(decay_magnitude(dv)) if scale_v else 1.0
    bias = np.asarray(bias, dtype=np.float64)
    w_maxs = [float(np.max(np.abs(w))) if np.size(w) else 0.0 for w in weights]
    w_max = max(w_maxs, default=0.0)
    b_max = float(np.max(np.abs(bias))) if bias.size else 0.0
    w_exp = 0
    if w_max > 1e-8:
        w_scale = 255.0 / w_max
        s_scale = 1.0 / (u_infactor * v_infactor)
        for w_exp in range(0, -8, -1):
            v_scale = s_scale * w_scale * 2.0 ** (6 + w_exp)
            vth_s = np.round(vth * v_scale)
            bias_s = np.round(bias * v_scale * v_infactor)
            if vth_s <= VTH_MAX and np.all(np.abs(bias_s) <= BIAS_MAX):
                break
        else:
            raise BuildError(f"{label}: no weight exponent makes the threshold and biases fit Loihi's bits")
    elif b_max > 1e-8:
        b_scale = BIAS_MAX / b_max
        while b_scale * b_max > 1:
            v_scale = b_scale / v_infactor
            w_scale = b_scale * u_infactor / 2.0**6
            vth_s = np.round(vth * v_scale)
            bias_s = np.round(bias * b_scale)
            if vth_s <= VTH_MAX:
                break
            b_scale /= 2.0
        else:
            raise BuildError(f"{label}: no bias scaling makes the threshold fit Loihi's bits")
    else:
        v_scale = min(VTH_MAX, 2**Q_BITS - 1) / (vth + 1)
        vth_s = np.round(vth * v_scale)
        bias_s = np.round(bias * v_scale * v_infactor)
        w_scale = v_scale * v_infactor * u_infactor / 2.0**6
    vth_mant = int(np.round(vth_s / 2**VTH_SHIFT))
    if not 0 < vth_mant <= VTH_MANT_MAX:
        raise BuildError(f"{label}: threshold mantissa {vth_mant} outside Loihi's 1..{VTH_MANT_MAX}")
    bias_mant, bias_exp = bias_mant_exp(bias_s)
    synapses = []
    for w, w_max_i in zip(weights, w_maxs):
        # a weaker synapse gets a smaller exponent and keeps all mantissa bits (down to exponent -6)
        dw_exp = int(np.floor(np.log2(w_max / w_max_i))) if w_max_i > 1e-16 else w_exp - WEIGHT_EXP_MIN
        w_exp_i = max(w_exp - dw_exp, WEIGHT_EXP_MIN)
        synapses.append(
            (quantize_weights(np.asarray(w, dtype=np.float64), w_scale * 2.0 ** (w_exp - w_exp_i)), w_exp_i)
        )
    return BlockQuantization(du, dv, vth_mant, bias_mant, bias_exp, synapses, float(v_scale), float(w_scale), w_exp)


__all__ = ["BlockQuantization", "decay_ints", "decay_magnitude", "decays", "discretize_block", "quantize_weights"]
