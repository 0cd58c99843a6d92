"""Lava's ``lava.proc.atrlif.models``: NumPy models of ATRLIF (caldera_cpu.models)."""

from __future__ import annotations

from caldera_cpu.models.atrlif import PyATRLIFModelFixed, PyATRLIFModelFloat

from lava._compat import missing

__all__ = ["PyATRLIFModelFloat", "PyATRLIFModelFixed"]
__getattr__ = missing(__name__)
