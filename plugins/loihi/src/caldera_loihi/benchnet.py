"""The conversion benchmark network, shared by the agreement test and ``benchmarks/loihi_emulator.py``.

Poisson input (100 channels, rate 5 %) -> Dense -> LIF (200) -> Dense or Sparse -> LIF (50), ``floating_pt``,
with moderate firing (about 35 % and 20 % of steps per neuron), mixed-sign weights and a small bias: near
threshold most of the time, which is where quantization shows.

The tolerance the conversion is held to on it (``tests/loihi/test_convert.py``): total spike counts within
3 %, per-neuron spike counts correlated above 0.99, and at least 95 % of all spikes matched by a spike of the
same neuron within +-1 step in the other run.
"""

from __future__ import annotations

import numpy as np
from caldera import procs
from caldera.lazy import lazy_module

sp = lazy_module("scipy.sparse")  # imported on first use (see caldera.lazy)

TOL_COUNT, TOL_CORR, TOL_COINCIDENCE = 0.03, 0.99, 0.95


def two_layer_network(seed: int = 1, steps: int = 300, sparse_second: bool = False) -> tuple:
    """Build the network; returns ``(l1, l2)``, the two LIF populations (every process is connected to them)."""
    rng = np.random.default_rng(seed)
    src = procs.RingBuffer(data=(rng.random((100, steps)) < 0.05).astype(float), name="src")
    d1 = procs.Dense(weights=rng.normal(0.02, 0.1, (200, 100)), name="d1")
    l1 = procs.LIF(shape=(200,), du=0.2, dv=0.1, vth=1.0, bias_mant=0.02, name="l1")
    w2 = rng.normal(0.0, 0.08, (50, 200))
    if sparse_second:
        d2 = procs.Sparse(weights=sp.csr_matrix(3 * w2 * (rng.random(w2.shape) < 0.3)), name="d2")
    else:
        d2 = procs.Dense(weights=w2, name="d2")
    l2 = procs.LIF(shape=(50,), du=0.3, dv=0.05, vth=1.5, name="l2")
    src.s_out.connect(d1.s_in)
    d1.a_out.connect(l1.a_in)
    l1.s_out.connect(d2.s_in)
    d2.a_out.connect(l2.a_in)
    return l1, l2


__all__ = ["two_layer_network", "TOL_COUNT", "TOL_CORR", "TOL_COINCIDENCE"]
