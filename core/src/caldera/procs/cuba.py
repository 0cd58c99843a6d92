"""Current-based LIF neurons with separate excitatory and inhibitory inputs (Brian2's CUBA neuron).

Dynamics (floating point), with ``t`` the step and all quantities in the
units of ``v``::

    u_exc[t] = u_exc[t-1] * (1 - du_exc) + a_in_exc
    u_inh[t] = u_inh[t-1] * (1 - du_inh) + a_in_inh
    v[t]     = v[t-1] * (1 - dv) + (u_exc[t] + u_inh[t] + bias_mant)   unless refractory
    s_out    = v[t] > vth;  where it spiked: v = 0, refractory for ``refractory_period`` steps

The ``fixed_pt`` models apply Loihi's LIF arithmetic to both currents: 12-bit
decays (``du_*`` with the +1 offset), 24-bit wrapping currents, a saturating
24-bit ``v``, inputs and ``vth`` shifted left by 6, ``bias = bias_mant << bias_exp``
(``bias_exp`` is ignored by ``floating_pt``, as for LIF).

Two currents with their own decays are what the classic CUBA benchmark
network (Vogels & Abbott 2005, Brian's ``CUBA`` example) needs: excitatory
and inhibitory synapses decay with different time constants. The names
follow Lava's LIF (``du``, ``dv``, ``bias_mant``, ``vth``,
``refractory_period``), with ``_exc`` / ``_inh`` for the two channels.
"""

from __future__ import annotations

import typing as ty

from caldera.ports import InPort, OutPort
from caldera.process import Process
from caldera.procs._validate import integer, numeric, scalar, shape_of
from caldera.variable import Var

Num = ty.Any  # a number, or an array broadcastable to the population shape


class CubaLIF(Process):
    """LIF neurons with an excitatory and an inhibitory synaptic current and a refractory period."""

    def __init__(
        self,
        *,
        shape: ty.Any,
        u_exc: Num = 0,
        u_inh: Num = 0,
        v: Num = 0,
        du_exc: float = 0,
        du_inh: float = 0,
        dv: float = 0,
        bias_mant: Num = 0,
        bias_exp: Num = 0,
        vth: float = 10,
        refractory_period: int = 1,
        name: str | None = None,
        log_config: ty.Any = None,
    ) -> None:
        cls = type(self).__name__
        shape = shape_of(cls, shape)
        for pname, val in (
            ("u_exc", u_exc),
            ("u_inh", u_inh),
            ("v", v),
            ("bias_mant", bias_mant),
            ("bias_exp", bias_exp),
        ):
            numeric(cls, pname, val, shape)
        for pname, val in (("du_exc", du_exc), ("du_inh", du_inh), ("dv", dv), ("vth", vth)):
            scalar(cls, pname, val)
        refractory_period = integer(cls, "refractory_period", refractory_period, lo=1)
        super().__init__(
            shape=shape,
            u_exc=u_exc,
            u_inh=u_inh,
            v=v,
            du_exc=du_exc,
            du_inh=du_inh,
            dv=dv,
            bias_mant=bias_mant,
            bias_exp=bias_exp,
            vth=vth,
            refractory_period=refractory_period,
            name=name,
        )
        self.a_in_exc = InPort(shape=shape)
        self.a_in_inh = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        self.u_exc = Var(shape=shape, init=u_exc)
        self.u_inh = Var(shape=shape, init=u_inh)
        self.v = Var(shape=shape, init=v)
        self.du_exc = Var(shape=(1,), init=du_exc)
        self.du_inh = Var(shape=(1,), init=du_inh)
        self.dv = Var(shape=(1,), init=dv)
        self.bias_mant = Var(shape=shape, init=bias_mant)
        self.bias_exp = Var(shape=shape, init=bias_exp)
        self.vth = Var(shape=(1,), init=vth)
        self.refractory_period_end = Var(shape=shape, init=0)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.proc_params["shape"]


__all__ = ["CubaLIF"]
