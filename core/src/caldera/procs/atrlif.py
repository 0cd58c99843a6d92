"""Adaptive-threshold-and-refractoriness LIF (Lava's ``lava.proc.atrlif``).

Floating point, per step::

    i = (1 - delta_i) * i + a_in
    v = (1 - delta_v) * v + i + bias_mant
    theta = (1 - delta_theta) * (theta - theta_0) + theta_0
    r = (1 - delta_r) * r
    s = (v - r) >= theta;  where s: r += 2 * theta, theta += theta_step

The ``fixed_pt`` model uses 12-bit decays (``delta * 4096``, +1 on i), inputs,
``theta_0`` and ``theta_step`` scaled by 2**6, and 24-bit i (wrapping) and v
(saturating), as Lava's does.
"""

from __future__ import annotations

import typing as ty

from caldera.errors import ParameterError
from caldera.ports import InPort, OutPort
from caldera.process import Process
from caldera.procs._validate import numeric, scalar, shape_of
from caldera.variable import Var


class ATRLIF(Process):
    """LIF with an adaptive threshold ``theta`` and a refractory state ``r`` raised by each spike."""

    def __init__(
        self,
        *,
        shape: ty.Any,
        i: ty.Any = 0,
        v: ty.Any = 0,
        theta: ty.Any = 5,
        r: ty.Any = 0,
        s: ty.Any = 0,
        delta_i: float = 0.4,
        delta_v: float = 0.4,
        delta_theta: float = 0.2,
        delta_r: float = 0.2,
        theta_0: float = 5,
        theta_step: float = 3.75,
        bias_mant: ty.Any = 0,
        bias_exp: ty.Any = 0,
        name: str | None = None,
        log_config: ty.Any = None,
    ) -> None:
        shape = shape_of("ATRLIF", shape)
        for pname, val in (
            ("i", i),
            ("v", v),
            ("theta", theta),
            ("r", r),
            ("s", s),
            ("bias_mant", bias_mant),
            ("bias_exp", bias_exp),
        ):
            numeric("ATRLIF", pname, val, shape)
        for pname, val in (
            ("delta_i", delta_i),
            ("delta_v", delta_v),
            ("delta_theta", delta_theta),
            ("delta_r", delta_r),
        ):
            scalar("ATRLIF", pname, val)
            if not 0 <= float(val) <= 1:
                raise ParameterError(f"ATRLIF: {pname} is a decay fraction and must lie in 0..1, got {val}")
        scalar("ATRLIF", "theta_0", theta_0)
        scalar("ATRLIF", "theta_step", theta_step)
        super().__init__(
            shape=shape,
            i=i,
            v=v,
            theta=theta,
            r=r,
            s=s,
            delta_i=delta_i,
            delta_v=delta_v,
            delta_theta=delta_theta,
            delta_r=delta_r,
            theta_0=theta_0,
            theta_step=theta_step,
            bias_mant=bias_mant,
            bias_exp=bias_exp,
            name=name,
        )
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        self.bias_mant = Var(shape=shape, init=bias_mant)
        self.bias_exp = Var(shape=shape, init=bias_exp)
        self.i = Var(shape=shape, init=i)
        self.v = Var(shape=shape, init=v)
        self.theta = Var(shape=shape, init=theta)
        self.r = Var(shape=shape, init=r)
        self.s = Var(shape=shape, init=s)
        self.delta_i = Var(shape=(1,), init=delta_i)
        self.delta_v = Var(shape=(1,), init=delta_v)
        self.delta_theta = Var(shape=(1,), init=delta_theta)
        self.delta_r = Var(shape=(1,), init=delta_r)
        self.theta_0 = Var(shape=(1,), init=theta_0)
        self.theta_step = Var(shape=(1,), init=theta_step)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.proc_params["shape"]


__all__ = ["ATRLIF"]
