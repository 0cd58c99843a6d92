"""``RingBufferSink`` (Lava's ``io.sink.RingBuffer``): stores what arrives, step t at ``[..., (t-1) % buffer]``."""

from __future__ import annotations

import typing as ty

import numpy as np

from caldera.ports import InPort
from caldera.process import Process
from caldera.procs._validate import integer, shape_of
from caldera.variable import Var


class RingBufferSink(Process):
    def __init__(self, *, shape: ty.Any, buffer: int, name: str | None = None, log_config: ty.Any = None) -> None:
        shape = shape_of("RingBufferSink", shape)
        buffer = integer("RingBufferSink", "buffer", buffer, lo=1)
        super().__init__(shape=shape, buffer=buffer, name=name)
        self.shape = shape
        self.a_in = InPort(shape=shape)
        self.data = Var(shape=shape + (buffer,), init=np.zeros(shape + (buffer,)))


#: Lava's name inside ``io.sink``
RingBuffer = RingBufferSink

__all__ = ["RingBufferSink", "RingBuffer"]
