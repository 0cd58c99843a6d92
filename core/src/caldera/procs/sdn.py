"""Sigma-delta neurons (Lava's ``lava.proc.sdn.process``): graded messages that carry changes.

Sigma accumulates its input; the activation (``"RELU"`` or ``"UNIT"``, with a
bias) is delta-encoded: a message is sent when the change (or, with
``cum_error``, the accumulated error) reaches ``vth``. In ``fixed_pt``
``vth`` and ``bias`` are scaled by ``2**(spike_exp + state_exp)``.
"""

from __future__ import annotations

import typing as ty
from enum import IntEnum, unique

import numpy as np

from caldera.errors import ParameterError
from caldera.ports import InPort, OutPort
from caldera.process import Process
from caldera.procs._validate import integer, numeric, scalar, shape_of
from caldera.variable import Var


@unique
class ActivationMode(IntEnum):
    UNIT = 0
    RELU = 1


def activation_mode(value: ty.Any) -> ActivationMode:
    if isinstance(value, ActivationMode):
        return value
    if isinstance(value, str):
        try:
            return ActivationMode[value.upper()]
        except KeyError:
            pass
    elif isinstance(value, int) and not isinstance(value, bool):
        try:
            return ActivationMode(value)
        except ValueError:
            pass
    raise ParameterError(f"SigmaDelta: act_mode must be one of 'UNIT', 'RELU' (or ActivationMode), got {value!r}")


class Sigma(Process):
    """Accumulates its graded input: ``sigma += a_in``; sends ``sigma``."""

    def __init__(self, *, shape: ty.Any, name: str | None = None, log_config: ty.Any = None) -> None:
        shape = shape_of("Sigma", shape)
        super().__init__(shape=shape, name=name)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        self.sigma = Var(shape=shape, init=0)


class SigmaDelta(Process):
    """Sigma decoding, activation and delta encoding in one neuron."""

    def __init__(
        self,
        *,
        shape: ty.Any,
        vth: float,
        bias: ty.Any = 0,
        act_mode: ty.Any = ActivationMode.RELU,
        cum_error: bool = False,
        spike_exp: int = 0,
        state_exp: int = 0,
        name: str | None = None,
        log_config: ty.Any = None,
    ) -> None:
        shape = shape_of("SigmaDelta", shape)
        mode = activation_mode(act_mode)
        scalar("SigmaDelta", "vth", vth)
        numeric("SigmaDelta", "bias", bias, shape)
        spike_exp = integer("SigmaDelta", "spike_exp", spike_exp, lo=0, hi=7)
        state_exp = integer("SigmaDelta", "state_exp", state_exp, lo=0, hi=7)
        if float(vth) < 0:
            raise ParameterError(f"SigmaDelta: vth must be >= 0, got {vth}")
        super().__init__(
            shape=shape,
            vth=vth,
            bias=bias,
            act_mode=mode,
            cum_error=bool(cum_error),
            spike_exp=spike_exp,
            state_exp=state_exp,
            name=name,
        )
        scale = 1 << (spike_exp + state_exp)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        self.vth = Var(shape=(1,), init=vth * scale)
        self.sigma = Var(shape=shape, init=0)
        self.act = Var(shape=shape, init=0)
        self.residue = Var(shape=shape, init=0)
        self.error = Var(shape=shape, init=0)
        self.bias = Var(shape=shape, init=np.asarray(bias) * scale)
        self.spike_exp = Var(shape=(1,), init=spike_exp)
        self.state_exp = Var(shape=(1,), init=state_exp)
        self.cum_error = Var(shape=(1,), init=bool(cum_error))


__all__ = ["ActivationMode", "Sigma", "SigmaDelta", "activation_mode"]
