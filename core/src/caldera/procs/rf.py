"""Resonate-and-fire neurons (Lava's ``lava.proc.rf.process``).

``real``/``imag`` rotate by ``2*pi/period`` and decay by ``(1 - alpha)`` each
step; a spike marks the upward crossing of the imaginary part while the real
part is at or above ``vth``. ``fixed_pt`` scales the decays by
``2**decay_bits`` and ``vth`` and inputs by ``2**state_exp``.
"""

from __future__ import annotations

import typing as ty

import numpy as np

from caldera.errors import ParameterError
from caldera.ports import InPort, OutPort
from caldera.process import Process
from caldera.procs._validate import integer, scalar, shape_of
from caldera.variable import Var


class RF(Process):
    def __init__(
        self,
        *,
        shape: ty.Any,
        period: float,
        alpha: float,
        state_exp: int = 0,
        decay_bits: int = 0,
        vth: float = 1,
        name: str | None = None,
        log_config: ty.Any = None,
    ) -> None:
        shape = shape_of("RF", shape)
        scalar("RF", "period", period)
        scalar("RF", "alpha", alpha)
        scalar("RF", "vth", vth)
        if float(period) <= 0:
            raise ParameterError(f"RF: period must be > 0, got {period}")
        state_exp = integer("RF", "state_exp", state_exp, lo=0, hi=24)
        decay_bits = integer("RF", "decay_bits", decay_bits, lo=0, hi=12)
        sin_decay = (1 - alpha) * np.sin(np.pi * 2 * 1 / period)
        cos_decay = (1 - alpha) * np.cos(np.pi * 2 * 1 / period)
        super().__init__(
            shape=shape,
            sin_decay=sin_decay,
            cos_decay=cos_decay,
            state_exp=state_exp,
            decay_bits=decay_bits,
            vth=vth,
            name=name,
            period=period,
            alpha=alpha,
        )
        if state_exp > 0:
            vth = int(vth * (1 << state_exp))
        if decay_bits > 0:
            sin_decay = np.int32(sin_decay * (1 << decay_bits))
            cos_decay = np.int32(cos_decay * (1 << decay_bits))
        self.a_real_in = InPort(shape=shape)
        self.a_imag_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        self.real = Var(shape=shape, init=0)
        self.imag = Var(shape=shape, init=0)
        self.sin_decay = Var(shape=(1,), init=sin_decay)
        self.cos_decay = Var(shape=(1,), init=cos_decay)
        self.state_exp = Var(shape=(1,), init=state_exp)
        self.decay_bits = Var(shape=(1,), init=decay_bits)
        self.vth = Var(shape=(1,), init=vth)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.proc_params["shape"]


__all__ = ["RF"]
