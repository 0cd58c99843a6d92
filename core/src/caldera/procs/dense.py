"""Dense all-to-all connections (Lava's ``lava.proc.dense.process``).

``weights`` has shape ``(num_out, num_in)``. A connection is *send-first*: in
step t it sends what it accumulated from the spikes of step t-1, so a spike
reaches the next neuron one step later. ``fixed_pt`` models clip weights to 8
bits by sign mode, truncate them to ``num_weight_bits`` and shift the summed
input by ``weight_exp``.
"""

from __future__ import annotations

import typing as ty

import numpy as np

from caldera.errors import ParameterError
from caldera.ports import InPort, OutPort
from caldera.process import Process
from caldera.procs._validate import integer, matrix
from caldera.variable import Var


def _common(proc: str, weight_exp: ty.Any, num_weight_bits: ty.Any, num_message_bits: ty.Any) -> tuple:
    return (
        integer(proc, "weight_exp", weight_exp, lo=-16, hi=16),
        integer(proc, "num_weight_bits", num_weight_bits, lo=1, hi=8),
        integer(proc, "num_message_bits", num_message_bits, lo=0, hi=32),
    )


class Dense(Process):
    """Dense connection: ``a_out[t] = weights @ s_in[t-1]`` (scaled by ``2**weight_exp`` in fixed_pt)."""

    def __init__(
        self,
        *,
        weights: ty.Any,
        weight_exp: int = 0,
        num_weight_bits: int = 8,
        num_message_bits: int = 0,
        sign_mode: ty.Any = None,
        name: str | None = None,
        log_config: ty.Any = None,
    ) -> None:
        cls = type(self).__name__
        weights = matrix(cls, "weights", weights)
        weight_exp, num_weight_bits, num_message_bits = _common(cls, weight_exp, num_weight_bits, num_message_bits)
        params = dict(
            weights=weights,
            weight_exp=weight_exp,
            num_weight_bits=num_weight_bits,
            num_message_bits=num_message_bits,
            name=name,
        )
        if sign_mode is not None:
            params["sign_mode"] = sign_mode
        super().__init__(**params)
        shape = np.shape(weights)
        self.s_in = InPort(shape=(shape[1],))
        self.a_out = OutPort(shape=(shape[0],))
        self.weights = Var(shape=shape, init=weights)
        self.a_buff = Var(shape=(shape[0],), init=0)
        self.num_message_bits = Var(shape=(1,), init=num_message_bits)


def _delays(proc: str, weights: ty.Any, delays: ty.Any, max_delay: int) -> tuple[ty.Any, int]:
    if hasattr(delays, "tocsr"):
        d = delays
        vals = d.data
    else:
        d = np.asarray(delays)
        vals = d
        if d.dtype.kind not in "iu" and not (d.dtype.kind == "f" and np.all(d == np.round(d))):
            raise ParameterError(f"{proc}: delays must be integers, got dtype {d.dtype}")
        if d.ndim == 0:
            d = np.full(np.shape(weights), int(d))
            vals = d
        d = d.astype(np.int64)
    if tuple(np.shape(d)) != tuple(np.shape(weights)):
        raise ParameterError(f"{proc}: delays of shape {np.shape(d)} must match weights {np.shape(weights)}")
    if np.size(vals) and np.min(vals) < 0:
        raise ParameterError(f"{proc}: delays must be >= 0, got {np.min(vals)}")
    dmax = int(np.max(vals)) if np.size(vals) else 0
    max_delay = integer(proc, "max_delay", max_delay, lo=0)
    if max_delay == 0:
        max_delay = dmax
    if dmax > max_delay:
        raise ParameterError(f"{proc}: a delay of {dmax} exceeds max_delay={max_delay}")
    return d, max_delay


class DelayDense(Dense):
    """Dense connection with a delay per synapse: a spike arrives ``1 + delay`` steps later."""

    def __init__(
        self,
        *,
        weights: ty.Any,
        delays: ty.Any,
        max_delay: int = 0,
        weight_exp: int = 0,
        num_weight_bits: int = 8,
        num_message_bits: int = 0,
        sign_mode: ty.Any = None,
        name: str | None = None,
        log_config: ty.Any = None,
    ) -> None:
        weights = matrix("DelayDense", "weights", weights)
        delays, max_delay = _delays("DelayDense", weights, delays, max_delay)
        super().__init__(
            weights=weights,
            weight_exp=weight_exp,
            num_weight_bits=num_weight_bits,
            num_message_bits=num_message_bits,
            sign_mode=sign_mode,
            name=name,
        )
        self.proc_params["max_delay"] = max_delay
        self.proc_params["delays"] = delays
        shape = np.shape(weights)
        self.delays = Var(shape=shape, init=delays)
        self.a_buff = Var(shape=(shape[0], max_delay + 1), init=0)


__all__ = ["Dense", "DelayDense"]
