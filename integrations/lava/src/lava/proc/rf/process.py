"""Lava's ``lava.proc.rf.process``: resonate-and-fire neurons (caldera.procs)."""

from __future__ import annotations

from caldera.procs.rf import RF

from lava._compat import missing

__all__ = ["RF"]
__getattr__ = missing(__name__)
