"""Lava's ``lava.proc.graded.models``: NumPy models of the graded vectors (caldera_cpu.models)."""

from __future__ import annotations

from caldera_cpu.models.graded import PyGradedReluVecModelFixed, PyGradedVecModelFixed
from caldera_cpu.models.more import InvSqrtModelFloat, InvSqrtModelFP, NormVecDelayModel

from lava._compat import missing

__all__ = [
    "PyGradedVecModelFixed",
    "PyGradedReluVecModelFixed",
    "NormVecDelayModel",
    "InvSqrtModelFloat",
    "InvSqrtModelFP",
]
__getattr__ = missing(
    __name__,
    {
        "AbstractGradedVecModel": "not supported: an abstract base of Lava's models; subclass the concrete model instead",
        "AbstractGradedReluVecModel": "not supported: an abstract base of Lava's models; subclass the concrete model instead",
        "make_fpinv_table": "not supported: Lava's internal table; caldera_cpu.models.more.inv_sqrt_fixed computes "
        "the fixed-point inverse square root",
        "clz": "not supported: use int.bit_length (clz = 24 - value.bit_length())",
        "inv_sqrt": "not supported: caldera_cpu.models.more.inv_sqrt_fixed(value, iterations, frac_bits) is the same "
        "algorithm on one integer",
    },
)
