"""Graded-spike vector neurons (Lava's ``lava.proc.graded`` and ``lava.proc.prodneuron``).

Each step ``GradedVec`` sends its input where ``|a_in| > vth`` (else 0),
``GradedReluVec`` where ``a_in > vth``, and ``ProdNeuron`` sends
``(a_in1 * a_in2) >> exp`` where its magnitude exceeds ``vth``. None keeps
state between steps (``v`` holds the last value computed).
"""

from __future__ import annotations

import typing as ty

from caldera.ports import InPort, OutPort
from caldera.process import Process
from caldera.procs._validate import integer, scalar, shape_of
from caldera.variable import Var


class _GradedBase(Process):
    def __init__(
        self, *, shape: ty.Any, vth: float = 1, exp: int = 0, name: str | None = None, log_config: ty.Any = None
    ) -> None:
        cls = type(self).__name__
        shape = shape_of(cls, shape)
        scalar(cls, "vth", vth)
        exp = integer(cls, "exp", exp, lo=0, hi=24)
        super().__init__(shape=shape, vth=vth, exp=exp, name=name)
        self.s_out = OutPort(shape=shape)
        self.v = Var(shape=shape, init=0)
        self.vth = Var(shape=(1,), init=vth)
        self.exp = Var(shape=(1,), init=exp)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.proc_params["shape"]


class GradedVec(_GradedBase):
    """Graded spikes: sends ``a_in`` where ``|a_in| > vth``."""

    def __init__(
        self, *, shape: ty.Any, vth: float = 1, exp: int = 0, name: str | None = None, log_config: ty.Any = None
    ) -> None:
        super().__init__(shape=shape, vth=vth, exp=exp, name=name)
        self.a_in = InPort(shape=self.shape)


class GradedReluVec(_GradedBase):
    """Graded ReLU spikes: sends ``a_in`` where ``a_in > vth``."""

    def __init__(
        self, *, shape: ty.Any, vth: float = 1, exp: int = 0, name: str | None = None, log_config: ty.Any = None
    ) -> None:
        super().__init__(shape=shape, vth=vth, exp=exp, name=name)
        self.a_in = InPort(shape=self.shape)


class ProdNeuron(_GradedBase):
    """Product of two inputs: sends ``(a_in1 * a_in2) >> exp`` where its magnitude exceeds ``vth``."""

    def __init__(
        self, *, shape: ty.Any, vth: float = 1, exp: int = 0, name: str | None = None, log_config: ty.Any = None
    ) -> None:
        super().__init__(shape=shape, vth=vth, exp=exp, name=name)
        self.a_in1 = InPort(shape=self.shape)
        self.a_in2 = InPort(shape=self.shape)


__all__ = ["GradedVec", "GradedReluVec", "ProdNeuron"]
