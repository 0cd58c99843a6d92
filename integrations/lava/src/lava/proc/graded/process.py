"""Lava's ``lava.proc.graded.process``: graded-spike vectors (caldera.procs)."""

from __future__ import annotations

from caldera.procs.graded import GradedReluVec, GradedVec
from caldera.procs.normalize import InvSqrt, NormVecDelay

from lava._compat import missing

__all__ = ["GradedVec", "GradedReluVec", "NormVecDelay", "InvSqrt"]
__getattr__ = missing(
    __name__,
    {
        "loihi2round": "not supported: Lava's internal rounding helper",
    },
)
