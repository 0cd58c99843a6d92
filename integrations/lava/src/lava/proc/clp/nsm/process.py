"""Lava's ``lava.proc.clp.nsm.process``: Readout and Allocator (caldera.procs)."""

from __future__ import annotations

from caldera.procs.clp import Allocator, Readout

from lava._compat import missing

__all__ = ["Readout", "Allocator"]
__getattr__ = missing(__name__)
