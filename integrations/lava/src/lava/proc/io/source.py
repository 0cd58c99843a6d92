"""Lava's ``lava.proc.io.source``: RingBuffer, the spike source (caldera.procs.io)."""

from __future__ import annotations

from caldera.procs.io.source import RingBuffer
from caldera_cpu.models.io import PySendModelFixed, PySendModelFloat

from lava._compat import missing

__all__ = ["RingBuffer", "PySendModelFloat", "PySendModelFixed"]
__getattr__ = missing(
    __name__,
    {
        "AbstractPyRingBuffer": "not supported: an abstract base of Lava's models; subclass the concrete model instead",
    },
)
