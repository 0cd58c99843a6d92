"""Lava's ``lava.proc.sdn.process``: Sigma and SigmaDelta neurons (caldera.procs)."""

from __future__ import annotations

from caldera.procs.sdn import ActivationMode, Sigma, SigmaDelta

from lava._compat import missing

__all__ = ["ActivationMode", "Sigma", "SigmaDelta"]
# Lava's Delta encoder is implemented by caldera-dl (caldera_dl.procs.Delta, same parameters)
__getattr__ = missing(__name__, optional={"Delta": ("caldera-dl", "caldera_dl.procs", "Delta")})
