"""Lava's ``lava.proc.graded.models``: NumPy models of the graded vectors (caldera_cpu.models)."""

from __future__ import annotations

from caldera_cpu.models.graded import PyGradedReluVecModelFixed, PyGradedVecModelFixed

from lava._compat import missing

__all__ = ["PyGradedVecModelFixed", "PyGradedReluVecModelFixed"]
__getattr__ = missing(
    __name__,
    {
        "AbstractGradedVecModel": "not supported: an abstract base of Lava's models; subclass the concrete model instead",
        "AbstractGradedReluVecModel": "not supported: an abstract base of Lava's models; subclass the concrete model instead",
        "NormVecDelayModel": "not supported: no NormVecDelay process",
        "InvSqrtModelFloat": "not supported: no InvSqrt process",
        "InvSqrtModelFP": "not supported: no InvSqrt process",
        "make_fpinv_table": "not supported",
        "clz": "not supported",
        "inv_sqrt": "not supported",
    },
)
