"""Lava's ``lava.proc.receiver.process``: Receiver (caldera.procs)."""

from __future__ import annotations

from caldera.procs.spiker import Receiver

from lava._compat import missing

__all__ = ["Receiver"]
__getattr__ = missing(
    __name__,
    {
        "Receiver32Bit": "not supported: Lava 0.10 has no CPU model of it (Loihi hardware only); use Receiver or lava.proc.io.sink.RingBuffer",
    },
)
