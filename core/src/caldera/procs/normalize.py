"""Vector normalisation with graded spikes (Lava 0.10's ``NormVecDelay`` and ``InvSqrt``, in
``lava.proc.graded``): NormVecDelay sends the squares of its input to an InvSqrt neuron (through a
summing connection) and multiplies its input by the inverse square root that comes back two steps later
(for a steady input: the input of the step before, as Lava 0.10 computes it). Lava's ``NormalizeNet`` (``lava.networks``) wires the two together.
"""

from __future__ import annotations

import typing as ty

import numpy as np

from caldera.ports import InPort, OutPort
from caldera.process import Process
from caldera.procs._validate import integer, scalar, shape_of
from caldera.variable import Var


class NormVecDelay(Process):
    """``s2_out = a_in1**2``; ``s_out = v2 * a_in2`` where its magnitude exceeds ``vth``, ``v2`` being the
    ``a_in1`` of the step before (``v`` holds this step's), as Lava 0.10 computes it; ``exp`` is the
    fixed-point base (kept, as in Lava)."""

    def __init__(self, shape: ty.Any, vth: int = 1, exp: int = 0, *, name: str | None = None) -> None:
        shape = shape_of("NormVecDelay", shape)
        scalar("NormVecDelay", "vth", vth)
        exp = integer("NormVecDelay", "exp", exp)
        super().__init__(shape=shape, name=name)
        self.a_in1 = InPort(shape=shape)
        self.a_in2 = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        self.s2_out = OutPort(shape=shape)
        self.vth = Var(shape=(1,), init=vth)
        self.exp = Var(shape=(1,), init=exp)
        self.v = Var(shape=shape, init=np.zeros(shape, np.int32))
        self.v2 = Var(shape=shape, init=np.zeros(shape, np.int32))


class InvSqrt(Process):
    """``s_out = 1 / sqrt(a_in)``; in ``fixed_pt`` Newton iterations on 24-bit numbers with 12 fractional
    bits (Lava's fixed-point model uses 12 whatever ``fp_base`` says; caldera's does the same)."""

    def __init__(self, shape: ty.Any, fp_base: int = 12, *, name: str | None = None) -> None:
        shape = shape_of("InvSqrt", shape)
        fp_base = integer("InvSqrt", "fp_base", fp_base, lo=0, hi=23)
        super().__init__(shape=shape, name=name)
        self.fp_base = Var(shape=(1,), init=fp_base)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)


__all__ = ["NormVecDelay", "InvSqrt"]
