"""Lava's ``lava.proc.sdn.process``: Sigma and SigmaDelta neurons (caldera.procs)."""

from __future__ import annotations

from caldera.procs.sdn import ActivationMode, Sigma, SigmaDelta

from lava._compat import missing

__all__ = ["ActivationMode", "Sigma", "SigmaDelta"]
__getattr__ = missing(
    __name__,
    {
        "Delta": "not supported: caldera has no stand-alone Delta process; SigmaDelta (sigma, activation, delta) covers Lava's use",
    },
)
