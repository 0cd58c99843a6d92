"""Lava's ``lava.magma.core.learning.constants``: Loihi's learning bit widths and ``GradedSpikeCfg``
(caldera.learning.constants, the same values)."""

from caldera.learning.constants import (
    FACTOR_TO_WIDTH,
    W_ACCUMULATOR_S,
    W_ACCUMULATOR_U,
    W_CONST,
    W_EPOCH_TIME,
    W_S_MANT,
    W_SYN_VAR_S,
    W_SYN_VAR_U,
    W_TAG_1_S,
    W_TAG_1_U,
    W_TAG_2_S,
    W_TAG_2_U,
    W_TRACE,
    W_TRACE_FRACTIONAL_PART,
    W_WEIGHTS_S,
    W_WEIGHTS_U,
    GradedSpikeCfg,
)

from lava._compat import missing

#: Lava's name of the factor widths (keys: the rule symbols "x0", "x1", ..., "C")
FACTOR_TO_WIDTH_DICT = FACTOR_TO_WIDTH

__all__ = [
    "W_EPOCH_TIME",
    "W_WEIGHTS_U",
    "W_WEIGHTS_S",
    "W_TAG_2_U",
    "W_TAG_2_S",
    "W_TAG_1_U",
    "W_TAG_1_S",
    "W_SYN_VAR_U",
    "W_SYN_VAR_S",
    "W_TRACE",
    "W_TRACE_FRACTIONAL_PART",
    "W_CONST",
    "W_S_MANT",
    "W_ACCUMULATOR_U",
    "W_ACCUMULATOR_S",
    "FACTOR_TO_WIDTH_DICT",
    "GradedSpikeCfg",
]
_INTERNAL = "not supported: an index table of Lava's learning engine"
__getattr__ = missing(__name__, {"DEP_TO_IDX_DICT": _INTERNAL, "TRACE_TO_IDX_DICT": _INTERNAL})
