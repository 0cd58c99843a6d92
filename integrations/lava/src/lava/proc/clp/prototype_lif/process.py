"""Lava's ``lava.proc.clp.prototype_lif.process``: PrototypeLIF (caldera.procs)."""

from __future__ import annotations

from caldera.procs.clp import PrototypeLIF

from lava._compat import missing

__all__ = ["PrototypeLIF"]
__getattr__ = missing(__name__)
