"""Lava's ``lava.proc.prodneuron.models``: NumPy model of ProdNeuron (caldera_cpu.models)."""

from __future__ import annotations

from caldera_cpu.models.graded import PyProdNeuronModelFixed

from lava._compat import missing

__all__ = ["PyProdNeuronModelFixed"]
__getattr__ = missing(__name__)
