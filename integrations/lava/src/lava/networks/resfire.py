"""Lava's ``lava.networks.resfire``: ``ResFireVec``, RFZero resonate-and-fire neurons in the algebraic syntax."""

from __future__ import annotations

import typing as ty

import numpy as np
from caldera.procs.resfire import RFZero

from lava._compat import missing
from lava.networks.network import AlgebraicVector

__all__ = ["ResFireVec"]
__getattr__ = missing(__name__)


class ResFireVec(AlgebraicVector):
    """RFZero neurons (``uth`` 10, ``shape`` (1,), ``freqs`` [10] Hz, ``decay_tau`` [1] s, ``dt`` 0.001 s by
    default, as in Lava); ``vec << (a, b)`` feeds ``a`` to the real input ``u_in`` and ``b`` to ``v_in``."""

    def __init__(self, **kwargs: ty.Any) -> None:
        self.uth = kwargs.pop("uth", 10)
        self.shape = kwargs.pop("shape", (1,))
        self.freqs = np.array(kwargs.pop("freqs", np.array([10])))
        self.decay_tau = np.array(kwargs.pop("decay_tau", np.array([1])))
        self.dt = kwargs.pop("dt", 0.001)
        if kwargs:
            raise TypeError(
                f"ResFireVec: unknown keyword argument(s) {sorted(kwargs)}; allowed: uth, shape, freqs, decay_tau, dt"
            )
        self.main = RFZero(shape=self.shape, uth=self.uth, freqs=self.freqs, decay_tau=self.decay_tau, dt=self.dt)
        self.in_port = self.main.u_in
        self.in_port2 = self.main.v_in
        self.out_port = self.main.s_out

    def __lshift__(self, other: ty.Any) -> ty.Any:
        if isinstance(other, (list, tuple)):
            if len(other) != 2:
                raise ValueError(f"ResFireVec << (u_source, v_source): expected two networks, got {len(other)}")
            other[0].out_port.connect(self.in_port)
            other[1].out_port.connect(self.in_port2)
            return self
        return super().__lshift__(other)
