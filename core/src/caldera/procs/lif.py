"""Leaky integrate-and-fire neurons (Lava's ``lava.proc.lif.process``).

Dynamics (floating point)::

    u[t] = u[t-1] * (1 - du) + a_in
    v[t] = v[t-1] * (1 - dv) + u[t] + bias_mant
    s_out = v[t] > vth;  v[t] = 0 where spiked

The ``fixed_pt`` models follow Loihi: ``du``, ``dv`` are 12-bit (0..4095),
``bias = bias_mant << bias_exp``, inputs and ``vth`` are shifted left by 6,
``u`` wraps and ``v`` saturates at 24 bits (see ``caldera.arith``).

``du``, ``dv`` and ``vth`` are one number for the population (a Var of shape ``(1,)``) or, as Lava's
models allow, one value per neuron (an array of the population's shape; a Var of that shape).
"""

from __future__ import annotations

import typing as ty

import numpy as np

from caldera.errors import ParameterError
from caldera.ports import InPort, OutPort
from caldera.process import Process
from caldera.procs._validate import integer, numeric, per_neuron, scalar, shape_of
from caldera.variable import Var

Num = float | int | list | ty.Any


def param_shape(value: ty.Any, shape: tuple[int, ...]) -> tuple[int, ...]:
    """The Var shape of ``du``, ``dv`` or ``vth``: ``(1,)`` for one value for the population (Lava's shape),
    the population's shape for one value per neuron."""
    return (1,) if np.size(value) == 1 else shape


class AbstractLIF(Process):
    """Shared Vars and ports of the LIF family."""

    def __init__(
        self,
        *,
        shape: ty.Any,
        u: Num = 0,
        v: Num = 0,
        du: float = 0,
        dv: float = 0,
        bias_mant: Num = 0,
        bias_exp: Num = 0,
        name: str | None = None,
        **params: ty.Any,
    ) -> None:
        cls = type(self).__name__
        shape = shape_of(cls, shape)
        for pname, val in (("u", u), ("v", v), ("bias_mant", bias_mant), ("bias_exp", bias_exp)):
            numeric(cls, pname, val, shape)
        du = per_neuron(cls, "du", du, shape)
        dv = per_neuron(cls, "dv", dv, shape)
        super().__init__(
            shape=shape, u=u, v=v, du=du, dv=dv, bias_mant=bias_mant, bias_exp=bias_exp, name=name, **params
        )
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        self.u = Var(shape=shape, init=u)
        self.v = Var(shape=shape, init=v)
        self.du = Var(shape=param_shape(du, shape), init=du)
        self.dv = Var(shape=param_shape(dv, shape), init=dv)
        self.bias_exp = Var(shape=shape, init=bias_exp)
        self.bias_mant = Var(shape=shape, init=bias_mant)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.proc_params["shape"]


class LIF(AbstractLIF):
    """Leaky integrate-and-fire neurons with a single threshold ``vth``."""

    def __init__(
        self,
        *,
        shape: ty.Any,
        u: Num = 0,
        v: Num = 0,
        du: float = 0,
        dv: float = 0,
        bias_mant: Num = 0,
        bias_exp: Num = 0,
        vth: float = 10,
        name: str | None = None,
        log_config: ty.Any = None,
    ) -> None:
        cls = type(self).__name__
        vth = per_neuron(cls, "vth", vth, shape_of(cls, shape))
        super().__init__(shape=shape, u=u, v=v, du=du, dv=dv, bias_mant=bias_mant, bias_exp=bias_exp, name=name)
        self.vth = Var(shape=param_shape(vth, self.shape), init=vth)


class LIFReset(LIF):
    """LIF whose ``u`` and ``v`` are zeroed when ``time_step % reset_interval == reset_offset``."""

    def __init__(
        self,
        *,
        shape: ty.Any,
        u: Num = 0,
        v: Num = 0,
        du: float = 0,
        dv: float = 0,
        bias_mant: Num = 0,
        bias_exp: Num = 0,
        vth: float = 10,
        reset_interval: int = 1,
        reset_offset: int = 0,
        name: str | None = None,
        log_config: ty.Any = None,
    ) -> None:
        reset_interval = integer("LIFReset", "reset_interval", reset_interval, lo=1)
        reset_offset = integer("LIFReset", "reset_offset", reset_offset, lo=0)
        super().__init__(
            shape=shape, u=u, v=v, du=du, dv=dv, bias_mant=bias_mant, bias_exp=bias_exp, vth=vth, name=name
        )
        self.proc_params["reset_interval"] = reset_interval
        self.proc_params["reset_offset"] = reset_offset


class LIFRefractory(LIF):
    """LIF whose voltage is held for ``refractory_period`` steps after a spike."""

    def __init__(
        self,
        *,
        shape: ty.Any,
        u: Num = 0,
        v: Num = 0,
        du: float = 0,
        dv: float = 0,
        bias_mant: Num = 0,
        bias_exp: Num = 0,
        vth: float = 10,
        refractory_period: int = 1,
        name: str | None = None,
        log_config: ty.Any = None,
    ) -> None:
        refractory_period = integer("LIFRefractory", "refractory_period", refractory_period, lo=1)
        super().__init__(
            shape=shape, u=u, v=v, du=du, dv=dv, bias_mant=bias_mant, bias_exp=bias_exp, vth=vth, name=name
        )
        self.proc_params["refractory_period"] = refractory_period
        self.refractory_period_end = Var(shape=self.shape, init=0)


class TernaryLIF(AbstractLIF):
    """LIF with two thresholds: +1 spikes above ``vth_hi``, -1 spikes below ``vth_lo``."""

    def __init__(
        self,
        *,
        shape: ty.Any,
        u: Num = 0,
        v: Num = 0,
        du: float = 0,
        dv: float = 0,
        bias_mant: Num = 0,
        bias_exp: Num = 0,
        vth_hi: float = 10,
        vth_lo: float = -10,
        name: str | None = None,
        log_config: ty.Any = None,
    ) -> None:
        scalar("TernaryLIF", "vth_hi", vth_hi)
        scalar("TernaryLIF", "vth_lo", vth_lo)
        if float(vth_lo) > float(vth_hi):
            raise ParameterError(f"TernaryLIF: the lower threshold vth_lo={vth_lo} must not exceed vth_hi={vth_hi}")
        super().__init__(shape=shape, u=u, v=v, du=du, dv=dv, bias_mant=bias_mant, bias_exp=bias_exp, name=name)
        self.vth_hi = Var(shape=(1,), init=vth_hi)
        self.vth_lo = Var(shape=(1,), init=vth_lo)


__all__ = ["AbstractLIF", "LIF", "LIFReset", "LIFRefractory", "TernaryLIF"]
