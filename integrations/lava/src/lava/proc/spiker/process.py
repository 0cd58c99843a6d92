"""Lava's ``lava.proc.spiker.process``: Spiker (caldera.procs)."""

from __future__ import annotations

from caldera.procs.spiker import Spiker

from lava._compat import missing

__all__ = ["Spiker"]
__getattr__ = missing(
    __name__,
    {
        "Spiker32bit": "not supported: Lava 0.10 has no CPU model of it (Loihi hardware only); use Spiker (one payload, first sent at step period + 1) or lava.proc.io.source.RingBuffer",
    },
)
