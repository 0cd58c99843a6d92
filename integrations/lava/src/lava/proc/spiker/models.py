"""Lava's ``lava.proc.spiker.models``: Spiker's NumPy model (caldera_cpu.models)."""

from __future__ import annotations

from caldera_cpu.models.more import SpikerModel

from lava._compat import missing

__all__ = ["SpikerModel"]
__getattr__ = missing(__name__)
