"""Process models of the ``fixed_pt`` processes: ``NengoLIF`` on the emulator's neuro-cores, ``NengoHost``
on the host (imported only with caldera-loihi installed)."""

from __future__ import annotations

import numpy as np
from caldera.model import LavaPyType, PyLoihiProcessModel, PyOutPort, implements, requires, tag
from caldera.protocols import LoihiProtocol
from caldera.resources import CPU, Loihi2NeuroCore
from caldera_loihi.models import LoihiLifModel

from caldera_nengo.loihi_procs import NengoHost, NengoLIF


@implements(proc=NengoLIF, protocol=LoihiProtocol)
@requires(Loihi2NeuroCore)
@tag("bit_accurate_loihi", "fixed_pt")
class LoihiNengoLifModel(LoihiLifModel):
    """Loihi's LIF (the emulator's arithmetic), then as nengo-loihi's compartments: the voltage floored at
    ``vmin``, held at 0 while the refractory counter runs, reset to 0 on a spike, and the counter set to
    ``refractory_delay`` by a spike and counted down each step."""

    ref_count: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=8)
    v_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)

    def __init__(self, proc_params) -> None:
        super().__init__(proc_params)
        self._delay = int(proc_params["refractory_delay"])
        self._vmin = int(proc_params["vmin"])
        self._send_v = bool(proc_params.get("voltage_out", False))

    def run_spk(self) -> None:
        self.s_out.send(self._update())
        if self._send_v:  # a voltage probe reads them on the host
            self.v_out.send(self.v)

    def _fire(self, v):
        np.maximum(v, self._vmin, out=v)
        ref = self.ref_count
        v[ref > 0] = 0
        s = v > self._vth
        v[s] = 0
        ref[s] = self._delay
        np.subtract(ref, 1, out=ref, where=ref > 0)
        return s


@implements(proc=NengoHost, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyNengoHostModel(PyLoihiProcessModel):
    """Receives the chip's spikes of this step, runs the host's Nengo step, sends the encoded input spikes
    (the chip's synapses deliver them at the next step)."""

    schedule = "recv_first"
    t: np.ndarray = LavaPyType(np.ndarray, float)

    def __init__(self, proc_params) -> None:
        super().__init__(proc_params)
        self.plan = proc_params["plan"]

    def run_spk(self) -> None:
        plan = self.plan
        for i, r in enumerate(plan.recvs):
            r.receive(getattr(self, f"recv_{i}").recv())
        plan.program.step()
        for i, s in enumerate(plan.sends):
            getattr(self, f"send_{i}").send(s.spikes)
        self.t[0] = plan.program.time_sig.item()


MODELS = [LoihiNengoLifModel, PyNengoHostModel]
