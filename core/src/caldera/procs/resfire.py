"""RFZero (Lava 0.10's ``lava.proc.resfire``): a resonate-and-fire neuron that fires at the zero crossing
of its phase when its amplitude exceeds ``uth``, with the amplitude as a graded spike.

Each step (integers, decays scaled by 2**15 and floored)::

    u' = u*lct//2**15 - v*lst//2**15 + u_in
    v' = v*lct//2**15 + u*lst//2**15 + v_in
    s_out = u' if u' > uth and v' >= 0 and v < 0 else 0

with ``lct = exp(-dt/decay_tau) cos(2 pi freqs dt)`` and ``lst = ... sin(...)``, times 2**15, truncated.
"""

from __future__ import annotations

import typing as ty

import numpy as np

from caldera.errors import ParameterError
from caldera.ports import InPort, OutPort
from caldera.process import Process
from caldera.procs._validate import numeric, scalar, shape_of
from caldera.variable import Var


class RFZero(Process):
    """Resonate-and-fire neurons of frequencies ``freqs`` (Hz) and decay times ``decay_tau`` (s), time step
    ``dt`` (s); inputs ``u_in`` (real) and ``v_in`` (imaginary part), graded output ``s_out``."""

    def __init__(
        self,
        shape: ty.Any,
        freqs: ty.Any,
        decay_tau: ty.Any,
        dt: float = 0.001,
        uth: int = 1,
        *,
        name: str | None = None,
    ) -> None:
        shape = shape_of("RFZero", shape)
        numeric("RFZero", "freqs", freqs, shape)
        numeric("RFZero", "decay_tau", decay_tau, shape)
        scalar("RFZero", "dt", dt)
        scalar("RFZero", "uth", uth)
        if np.any(np.asarray(decay_tau) == 0):
            raise ParameterError(f"RFZero: decay_tau must be non-zero (a time constant in seconds), got {decay_tau!r}")
        super().__init__(shape=shape, name=name)
        self.u_in = InPort(shape=shape)
        self.v_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        self.u = Var(shape=shape, init=0)
        self.v = Var(shape=shape, init=0)
        decay = np.exp(dt * (-1 / np.asarray(decay_tau)))
        phase = dt * np.asarray(freqs) * np.pi * 2
        self.lct = Var(shape=shape, init=(np.array(decay * np.cos(phase)) * 2**15).astype(np.int32))
        self.lst = Var(shape=shape, init=(np.array(decay * np.sin(phase)) * 2**15).astype(np.int32))
        self.uth = Var(shape=(1,), init=uth)


__all__ = ["RFZero"]
