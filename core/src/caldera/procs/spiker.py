"""Spiker and Receiver (Lava 0.10's ``lava.proc.spiker`` / ``lava.proc.receiver``): a periodic source of
a fixed payload and a sink that keeps the last input, small helpers of Lava's Loihi examples."""

from __future__ import annotations

import typing as ty

import numpy as np

from caldera.errors import ParameterError
from caldera.ports import InPort, OutPort
from caldera.process import Process
from caldera.procs._validate import shape_of
from caldera.variable import Var


def _ints(proc: str, name: str, value: ty.Any, shape: tuple[int, ...], lo: int) -> ty.Any:
    arr = np.asarray(value)
    if arr.size == 0 or arr.dtype.kind not in "iu" and not (arr.dtype.kind == "f" and np.all(arr == np.round(arr))):
        raise ParameterError(f"{proc}: {name} must be an integer or one integer per unit, got {value!r}")
    if arr.size != 1 and arr.shape != shape:
        raise ParameterError(f"{proc}: {name} must be one integer or {shape} integers, got shape {arr.shape}")
    if np.any(arr < lo):
        raise ParameterError(f"{proc}: {name} must be >= {lo}, got {value!r}")
    return value


class Spiker(Process):
    """Sends ``payload`` every ``period`` steps, the first time at step ``period + 1``; otherwise 0."""

    def __init__(
        self,
        *,
        shape: ty.Any = (1,),
        period: int = 10,
        payload: int = 1,
        name: str | None = None,
        log_config: ty.Any = None,
    ) -> None:
        shape = shape_of("Spiker", shape)
        _ints("Spiker", "period", period, shape, lo=1)
        _ints("Spiker", "payload", payload, shape, lo=-(2**31))
        super().__init__(shape=shape, name=name)
        self.s_out = OutPort(shape=shape)
        self.rate = Var(shape=shape, init=period)
        self.counter = Var(shape=shape, init=np.zeros(shape, dtype=int))
        self.payload = Var(shape=shape, init=payload)


class Receiver(Process):
    """Keeps the input of the last step in ``payload``."""

    def __init__(self, *, shape: ty.Any = (1,), name: str | None = None, log_config: ty.Any = None) -> None:
        shape = shape_of("Receiver", shape)
        super().__init__(shape=shape, name=name)
        self.a_in = InPort(shape=shape)
        self.payload = Var(shape=shape, init=0)


__all__ = ["Spiker", "Receiver"]
