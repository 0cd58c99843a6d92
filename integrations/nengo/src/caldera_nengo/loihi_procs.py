"""The caldera processes a ``fixed_pt`` Nengo model runs as: chip neurons and the host side.

``NengoLIF``: a block of Loihi compartments as nengo-loihi configures them
for ``nengo.LIF`` and ``nengo.SpikingRectifiedLinear``: Loihi's LIF (12-bit
decays, ``bias_mant << bias_exp``, input and threshold shifted by 6) plus the
two compartment features nengo-loihi uses that Lava's ``LIF`` lacks: a
refractory delay (after a spike the voltage is held at 0 for
``refractory_delay - 1`` steps) and a floor ``vmin`` on the voltage. With
``voltage_out=True`` it also sends its voltages each step (``v_out``), for
voltage probes.

``NengoHost``: the host side of the model (Nodes, probes, decoding of chip
spikes, spike-encoding of host values), one caldera process with one InPort
per chip population whose spikes the host reads and one OutPort per
spike-encoded host input.
"""

from __future__ import annotations

import typing as ty

from caldera.ports import InPort, OutPort
from caldera.process import Process
from caldera.procs.lif import LIF
from caldera.variable import Var


class NengoLIF(LIF):
    """Loihi compartments (see the module docstring); ``refractory_delay >= 1`` steps, ``vmin <= 0``."""

    def __init__(
        self,
        *,
        shape: ty.Any,
        v: ty.Any = 0,
        du: int = 0,
        dv: int = 0,
        bias_mant: ty.Any = 0,
        bias_exp: ty.Any = 0,
        vth: int = 1,
        refractory_delay: int = 1,
        vmin: int = 0,
        voltage_out: bool = False,
        name: str | None = None,
    ) -> None:
        super().__init__(shape=shape, v=v, du=du, dv=dv, bias_mant=bias_mant, bias_exp=bias_exp, vth=vth, name=name)
        self.proc_params["refractory_delay"] = int(refractory_delay)
        self.proc_params["vmin"] = int(vmin)
        self.proc_params["voltage_out"] = bool(voltage_out)
        self.ref_count = Var(shape=self.shape, init=0)
        if voltage_out:
            self.v_out = OutPort(shape=self.shape)


class NengoHost(Process):
    """The host side of a ``fixed_pt`` Nengo model; ``plan`` (:class:`caldera_nengo.loihi.LoihiPlan`) holds
    its step program and names the ports: ``recv_<i>`` (chip spikes in), ``send_<i>`` (encoded spikes out)."""

    def __init__(self, plan: ty.Any, name: str | None = None) -> None:
        super().__init__(plan=plan, name=name)
        self.t = Var(shape=(1,), init=0.0)
        for i, r in enumerate(plan.recvs):
            setattr(self, f"recv_{i}", InPort(shape=(r.size,)))
        for i, s in enumerate(plan.sends):
            setattr(self, f"send_{i}", OutPort(shape=(s.size,)))


__all__ = ["NengoHost", "NengoLIF"]
