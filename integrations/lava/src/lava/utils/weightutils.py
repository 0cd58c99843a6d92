"""Lava's ``lava.utils.weightutils``: Loihi's weight sign modes, clipping and truncation (caldera.arith).

``truncate_weights`` and ``clip_weights`` compute exactly what Lava's fixed-point synapses do (caldera's
``fixed_pt`` models use the same functions).
"""

from __future__ import annotations

import typing as ty

import numpy as np
from caldera.arith import SignMode, determine_sign_mode, truncate_weights
from caldera.arith import clip_weights as _clip

from lava._compat import missing


def clip_weights(weights: ty.Any, sign_mode: SignMode, num_bits: int, learning_simulation: bool = False) -> ty.Any:
    """Clip (integer-cast) weights to the range of ``sign_mode``; with ``learning_simulation`` a MIXED
    matrix keeps one value less at the top, as Lava's learning simulation does."""
    out = _clip(weights, sign_mode, num_bits)
    if learning_simulation and sign_mode == SignMode.MIXED:
        hi = (1 << num_bits) - 2
        if hasattr(out, "tocsr"):
            out.data = np.minimum(out.data, hi)
        else:
            out = np.minimum(out, hi)
    return out


__all__ = ["SignMode", "determine_sign_mode", "truncate_weights", "clip_weights"]
_OPT = (
    "not supported: caldera's fixed_pt models take integer weights and weight_exp as given; "
    "caldera_loihi.convert (caldera-loihi) converts floating-point networks to Loihi's weights and exponents"
)
__getattr__ = missing(__name__, {"optimize_weight_bits": _OPT, "OptimizedWeights": _OPT})
