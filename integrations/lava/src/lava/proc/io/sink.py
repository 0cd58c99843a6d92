"""Lava's ``lava.proc.io.sink``: RingBuffer (the sink) and Read (caldera.procs)."""

from __future__ import annotations

from caldera.procs.dataio import Read
from caldera.procs.io.sink import RingBuffer
from caldera_cpu.models.io import PyReceiveModelFixed, PyReceiveModelFloat
from caldera_cpu.models.procs_extra import PyReadModelFixed as PyReadFixed
from caldera_cpu.models.procs_extra import PyReadModelFloat as PyReadFloat

from lava._compat import missing

__all__ = ["RingBuffer", "Read", "PyReceiveModelFloat", "PyReceiveModelFixed", "PyReadFixed", "PyReadFloat"]
__getattr__ = missing(
    __name__,
    {
        "AbstractPyReceiveModel": "not supported: an abstract base of Lava's models; subclass the concrete model instead",
        "AbstractPyRead": "not supported: an abstract base of Lava's models; subclass the concrete model instead",
    },
)
