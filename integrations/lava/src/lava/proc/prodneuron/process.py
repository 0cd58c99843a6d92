"""Lava's ``lava.proc.prodneuron.process``: the product neuron (caldera.procs)."""

from __future__ import annotations

from caldera.procs.graded import ProdNeuron

from lava._compat import missing

__all__ = ["ProdNeuron"]
__getattr__ = missing(__name__)
