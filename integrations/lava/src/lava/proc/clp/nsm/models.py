"""Lava's ``lava.proc.clp.nsm.models``: the fixed_pt models of Readout and Allocator (caldera_cpu.models)."""

from __future__ import annotations

from caldera_cpu.models.clp import PyAllocatorModel, PyReadoutModel

from lava._compat import missing

__all__ = ["PyReadoutModel", "PyAllocatorModel"]
__getattr__ = missing(__name__)
