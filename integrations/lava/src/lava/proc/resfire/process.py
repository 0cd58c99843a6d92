"""Lava's ``lava.proc.resfire.process``: RFZero (caldera.procs)."""

from __future__ import annotations

from caldera.procs.resfire import RFZero

from lava._compat import missing

__all__ = ["RFZero"]
__getattr__ = missing(__name__)
