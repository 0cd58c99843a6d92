"""Lava's ``lava.proc.clp.id_broadcast.models``: IdBroadcast's NumPy model (caldera_cpu.models)."""

from __future__ import annotations

from caldera_cpu.models.clp import IdBroadcastModel

from lava._compat import missing

__all__ = ["IdBroadcastModel"]
__getattr__ = missing(__name__)
