"""Lava's ``lava.proc.resfire.models``: RFZero's fixed_pt model (caldera_cpu.models)."""

from __future__ import annotations

from caldera_cpu.models.more import PyRFZeroModelFixed

from lava._compat import missing

__all__ = ["PyRFZeroModelFixed"]
__getattr__ = missing(__name__)
