"""Lava's ``lava.proc.s4d.process``: S4d, SigmaS4dDelta and SigmaS4dDeltaLayer (caldera.procs)."""

from __future__ import annotations

from caldera.procs.s4d import S4d, SigmaS4dDelta, SigmaS4dDeltaLayer

from lava._compat import missing

__all__ = ["S4d", "SigmaS4dDelta", "SigmaS4dDeltaLayer"]
__getattr__ = missing(__name__)
