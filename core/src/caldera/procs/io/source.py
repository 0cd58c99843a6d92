"""``RingBuffer`` source: replays ``data`` (last axis is time) cyclically, one slice per step."""

from __future__ import annotations

import typing as ty

import numpy as np

from caldera.errors import ParameterError
from caldera.ports import OutPort
from caldera.process import Process
from caldera.procs._validate import numeric
from caldera.variable import Var


class RingBuffer(Process):
    """Sends ``data[..., (t - 1) % T]`` at step t; ``data`` has shape ``(*shape, T)``."""

    def __init__(self, *, data: ty.Any, name: str | None = None, log_config: ty.Any = None) -> None:
        data = np.asarray(numeric("RingBuffer", "data", data))
        if data.ndim < 2 or data.shape[-1] < 1:
            raise ParameterError(
                f"RingBuffer: data must have shape (*shape, T) with the time axis last, got {data.shape}"
            )
        super().__init__(data=data, name=name)
        self.data = Var(shape=data.shape, init=data)
        self.s_out = OutPort(shape=data.shape[:-1])

    def step_cost(self) -> int:
        return self.s_out.size


__all__ = ["RingBuffer"]
