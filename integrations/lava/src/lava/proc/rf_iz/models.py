"""Lava's ``lava.proc.rf_iz.models``: NumPy models of RF_IZ (caldera_cpu.models)."""

from __future__ import annotations

from caldera_cpu.models.neurons import PyRF_IZModelFixed, PyRF_IZModelFloat

from lava._compat import missing

__all__ = ["PyRF_IZModelFloat", "PyRF_IZModelFixed"]
__getattr__ = missing(__name__)
