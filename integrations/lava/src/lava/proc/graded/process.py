"""Lava's ``lava.proc.graded.process``: graded-spike vectors (caldera.procs)."""

from __future__ import annotations

from caldera.procs.graded import GradedReluVec, GradedVec

from lava._compat import missing

__all__ = ["GradedVec", "GradedReluVec"]
__getattr__ = missing(
    __name__,
    {
        "NormVecDelay": "not supported: no caldera counterpart",
        "InvSqrt": "not supported: no caldera counterpart",
        "loihi2round": "not supported: Lava's internal rounding helper",
    },
)
