"""Lava's ``lava.proc.atrlif.process``: adaptive-threshold-and-refractory LIF (caldera.procs)."""

from __future__ import annotations

from caldera.procs.atrlif import ATRLIF

from lava._compat import missing

__all__ = ["ATRLIF"]
__getattr__ = missing(__name__)
