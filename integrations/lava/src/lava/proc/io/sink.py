"""Lava's ``lava.proc.io.sink``: RingBuffer (the sink) and Read (caldera.procs)."""

from __future__ import annotations

from caldera.procs.dataio import Read
from caldera.procs.io.sink import RingBuffer
from caldera_cpu.models.dataio import PyReadModelFixed as PyReadFixed
from caldera_cpu.models.dataio import PyReadModelFloat as PyReadFloat
from caldera_cpu.models.io import PyReceiveModelFixed, PyReceiveModelFloat

from lava._compat import missing

__all__ = ["RingBuffer", "Read", "PyReceiveModelFloat", "PyReceiveModelFixed", "PyReadFixed", "PyReadFloat"]
__getattr__ = missing(
    __name__,
    {
        "AbstractPyReceiveModel": "not supported: an abstract base of Lava's models; subclass the concrete model instead",
        "AbstractPyRead": "not supported: an abstract base of Lava's models; subclass the concrete model instead",
    },
)
