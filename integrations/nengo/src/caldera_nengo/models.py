"""Process models of ``NengoNetwork``: run its step program under caldera's Loihi protocol."""

from __future__ import annotations

import numpy as np
from caldera.model import LavaPyType, PyLoihiProcessModel, implements, requires, tag
from caldera.protocols import LoihiProtocol
from caldera.resources import CPU

from caldera_nengo.process import NengoNetwork


@implements(proc=NengoNetwork, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyNengoNetworkFloat(PyLoihiProcessModel):
    """NumPy kernels, Nengo's float64 arithmetic (runs on the ``cpu`` and ``cython`` backends)."""

    schedule = "recv_first"
    t: np.ndarray = LavaPyType(np.ndarray, float)

    def __init__(self, proc_params) -> None:
        super().__init__(proc_params)
        self.program = proc_params["program"]

    def run_spk(self) -> None:
        self.program.step()
        self.t[0] = self.program.time_sig.item()


MODELS = [PyNengoNetworkFloat]
