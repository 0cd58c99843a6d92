"""Convolution in time (Lava 0.10's ``lava.proc.conv_in_time``): a connection whose weights have a time axis.

``weights`` of shape ``(kernel_size, num_out, num_in)``: an input at step t reaches the output at steps
t+1 .. t+kernel_size, through ``weights[kernel_size-1]`` first and ``weights[0]`` last (a kernel over the
input's recent past, as a delay line of ``kernel_size`` Dense matrices). Lava's fixed_pt model computes
as its floating_pt one (unscaled weights), and so do caldera's.
"""

from __future__ import annotations

import typing as ty

import numpy as np

from caldera.errors import ParameterError
from caldera.ports import InPort, OutPort
from caldera.process import Process
from caldera.procs._validate import integer, numeric
from caldera.variable import Var


class ConvInTime(Process):
    """``a_out[t] = sum_k weights[kernel_size-1-k] @ s_in[t-1-k]``; ``num_message_bits`` 0: binary input."""

    def __init__(
        self,
        *,
        weights: ty.Any,
        name: str | None = None,
        num_message_bits: int = 0,
        log_config: ty.Any = None,
        **kwargs: ty.Any,
    ) -> None:
        w = np.asarray(weights)
        if w.ndim != 3 or 0 in w.shape:
            raise ParameterError(
                f"ConvInTime: weights must be a 3-D array (kernel_size, num_out, num_in), got shape {w.shape}"
            )
        numeric("ConvInTime", "weights", w)
        num_message_bits = integer("ConvInTime", "num_message_bits", num_message_bits, lo=0, hi=32)
        # Lava keeps further keyword arguments (weight_exp, num_weight_bits, sign_mode, ...) unused
        super().__init__(weights=weights, num_message_bits=num_message_bits, name=name, **kwargs)
        self.s_in = InPort(shape=(w.shape[2],))
        self.a_out = OutPort(shape=(w.shape[1],))
        self.weights = Var(shape=w.shape, init=w)
        self.a_buff = Var(shape=(w.shape[1], w.shape[0]), init=0)
        self.num_message_bits = Var(shape=(1,), init=num_message_bits)


__all__ = ["ConvInTime"]
