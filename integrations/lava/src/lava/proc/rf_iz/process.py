"""Lava's ``lava.proc.rf_iz.process``: resonate-and-fire Izhikevich neurons (caldera.procs)."""

from __future__ import annotations

from caldera.procs.rf_iz import RF_IZ

from lava._compat import missing

__all__ = ["RF_IZ"]
__getattr__ = missing(__name__)
