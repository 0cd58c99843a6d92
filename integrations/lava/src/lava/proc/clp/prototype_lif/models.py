"""Lava's ``lava.proc.clp.prototype_lif.models``: PrototypeLIF's fixed_pt model (caldera_cpu.models)."""

from __future__ import annotations

from caldera_cpu.models.clp import PrototypeLIFBitAcc

from lava._compat import missing

__all__ = ["PrototypeLIFBitAcc"]
__getattr__ = missing(__name__)
