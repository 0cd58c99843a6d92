"""Processes caldera-dl adds to the standard set: ``Delta``, the sigma-delta input encoder of lava-dl's SDNNs.

``Delta`` (Lava's ``lava.proc.sdn.process.Delta``) delta-encodes its graded
input without accumulating it first: it sends the change of its input since the
last message once that change (or, with ``cum_error``, the accumulated error)
reaches ``vth``. In ``fixed_pt`` the input is scaled by
``2**(spike_exp + state_exp)`` and the message shifted back by ``state_exp``.
It is the input neuron of a netx SDNN (``caldera_dl.netx``).
"""

from __future__ import annotations

import typing as ty

from caldera.errors import ParameterError
from caldera.ports import InPort, OutPort
from caldera.process import Process
from caldera.procs._validate import integer, scalar, shape_of
from caldera.variable import Var


class Delta(Process):
    """Delta encoding of a graded input: ``s_out`` carries the input's change once it reaches ``vth``."""

    def __init__(
        self,
        *,
        shape: ty.Any,
        vth: float,
        cum_error: bool = False,
        spike_exp: int = 0,
        state_exp: int = 0,
        name: str | None = None,
        log_config: ty.Any = None,
    ) -> None:
        shape = shape_of("Delta", shape)
        scalar("Delta", "vth", vth)
        if float(vth) < 0:
            raise ParameterError(f"Delta: vth must be >= 0, got {vth}")
        spike_exp = integer("Delta", "spike_exp", spike_exp, lo=0, hi=7)
        state_exp = integer("Delta", "state_exp", state_exp, lo=0, hi=7)
        super().__init__(
            shape=shape, vth=vth, cum_error=bool(cum_error), spike_exp=spike_exp, state_exp=state_exp, name=name
        )
        scale = 1 << (spike_exp + state_exp)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        self.vth = Var(shape=(1,), init=vth * scale)
        self.act = Var(shape=shape, init=0)
        self.residue = Var(shape=shape, init=0)
        self.error = Var(shape=shape, init=0)
        self.spike_exp = Var(shape=(1,), init=spike_exp)
        self.state_exp = Var(shape=(1,), init=state_exp)
        self.cum_error = Var(shape=(1,), init=bool(cum_error))

    @property
    def shape(self) -> tuple[int, ...]:
        return self.proc_params["shape"]


__all__ = ["Delta"]
