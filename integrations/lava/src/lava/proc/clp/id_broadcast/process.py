"""Lava's ``lava.proc.clp.id_broadcast.process``: IdBroadcast (caldera.procs)."""

from __future__ import annotations

from caldera.procs.clp import IdBroadcast

from lava._compat import missing

__all__ = ["IdBroadcast"]
__getattr__ = missing(__name__)
