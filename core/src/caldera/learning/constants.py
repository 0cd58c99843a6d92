"""Names and bit widths of Loihi's learning engine (as Lava 0.10 documents them)."""

from __future__ import annotations

from enum import IntEnum

# -- symbols -----------------------------------------------------------------------------
X0, Y0, U = "x0", "y0", "u"
SPIKE_DEPENDENCIES = (X0, Y0)
DEPENDENCIES = (X0, Y0, U)
X1, X2 = "x1", "x2"
Y1, Y2, Y3 = "y1", "y2", "y3"
PRE_TRACES = (X1, X2)
POST_TRACES = (Y1, Y2, Y3)
TRACES = PRE_TRACES + POST_TRACES
W, D, T = "w", "d", "t"
SYNAPTIC_VARIABLES = (W, D, T)
C = "C"
DW, DD, DT = "dw", "dd", "dt"
TARGETS = (DW, DD, DT)
#: synaptic variable of the rule string -> Var of the learning connection
SYNAPTIC_VARIABLE_VAR_MAPPING = {W: "weights", D: "tag_2", T: "tag_1"}
#: target of a rule -> the Var it changes
TARGET_VAR = {DW: "weights", DD: "tag_2", DT: "tag_1"}

# -- widths (bits) -----------------------------------------------------------------------
W_EPOCH_TIME = 6
W_WEIGHTS_U = 8
W_WEIGHTS_S = W_WEIGHTS_U + 1
W_TAG_2_U = 8
W_TAG_2_S = W_TAG_2_U + 1
W_TAG_1_U = 8
W_TAG_1_S = W_TAG_1_U + 1
W_SYN_VAR_U = {"weights": W_WEIGHTS_U, "tag_2": W_TAG_2_U, "tag_1": W_TAG_1_U}
W_SYN_VAR_S = {"weights": W_WEIGHTS_S, "tag_2": W_TAG_2_S, "tag_1": W_TAG_1_S}
W_TRACE = 7
W_TRACE_FRACTIONAL_PART = 8
W_CONST = 8
W_S_MANT = 4
W_ACCUMULATOR_U = 15
W_ACCUMULATOR_S = W_ACCUMULATOR_U + 1
FACTOR_TO_WIDTH = {
    X0: 1,
    Y0: 1,
    X1: W_TRACE,
    X2: W_TRACE,
    Y1: W_TRACE,
    Y2: W_TRACE,
    Y3: W_TRACE,
    W: W_WEIGHTS_S,
    D: W_TAG_2_S,
    T: W_TAG_1_S,
    C: W_CONST,
}
#: the scaling constant of a product is s_mantissa * 2**s_exp with these ranges
S_MANT_RANGE = (-8, 7)
S_EXP_RANGE = (-7, 8)


class GradedSpikeCfg(IntEnum):
    """How a graded pre-synaptic spike updates the pre-synaptic trace x1 (Lava's names)."""

    USE_REGULAR_IMPULSE = 0
    OVERWRITE = 1
    ADD_WITH_SATURATION = 2
    ADD_WITHOUT_SATURATION = 3
