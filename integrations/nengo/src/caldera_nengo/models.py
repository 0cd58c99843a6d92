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
    """Nengo's float64 arithmetic. On the ``cpu`` backend: the NumPy kernels; on ``cython``: compiled
    kernels for the LIF populations and the merged block-sparse products (same numbers), NumPy elsewhere."""

    schedule = "recv_first"
    t: np.ndarray = LavaPyType(np.ndarray, float)

    def __init__(self, proc_params) -> None:
        super().__init__(proc_params)
        self.program = proc_params["program"]

    def run_spk(self) -> None:
        self.program.step()
        self.t[0] = self.program.time_sig.item()


#: backends whose partitions run the compiled kernels (``caldera_nengo._ckernels``) where they apply
COMPILED_BACKENDS = ("cython",)


def compiled_kernels():
    """The module of compiled kernels, or None when this installation was built without them."""
    try:
        from caldera_nengo import _ckernels
    except ImportError:
        return None
    return _ckernels


MODELS = [PyNengoNetworkFloat]
