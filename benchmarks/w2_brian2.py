"""W2 reference: Brian2's CUBA network (run by ``w2_cuba.py`` in Brian2's own interpreter).

The classic example (Vogels & Abbott 2005; Brian's ``examples/CUBA.py``): ``n``
LIF neurons, 80 % excitatory, connection probability 0.02, dt 0.1 ms, taum 20
ms, taue 5 ms, taui 10 ms, refractory 5 ms, threshold -50 mV, reset -60 mV,
El -49 mV, we 1.62 mV, wi -9 mV. Integrated with forward Euler so that the
discrete system is the one the caldera network (``CubaLIF``) computes.

Prints one JSON line: build / simulation / total wall seconds, peak RSS and
the mean firing rates of both populations.
"""

from __future__ import annotations

import argparse
import json
import resource
import time


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--target", choices=["cython", "numpy"], required=True)
    p.add_argument("--n", type=int, default=4000)
    p.add_argument("--steps", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--cache-dir", default=None, help="Brian2's Cython cache (compiled once, reused)")
    a = p.parse_args()

    t0 = time.perf_counter()
    import brian2 as b2
    from brian2 import ms, mV

    b2.prefs.codegen.target = a.target
    if a.cache_dir and a.target == "cython":
        b2.prefs.codegen.runtime.cython.cache_dir = a.cache_dir
    b2.seed(a.seed)
    b2.defaultclock.dt = 0.1 * ms
    taum, taue, taui = 20 * ms, 5 * ms, 10 * ms
    vt, vr, el = -50 * mV, -60 * mV, -49 * mV
    eqs = """
    dv/dt  = (ge + gi - (v - El)) / taum : volt (unless refractory)
    dge/dt = -ge / taue : volt
    dgi/dt = -gi / taui : volt
    """
    ns = {"taum": taum, "taue": taue, "taui": taui, "El": el}
    P = b2.NeuronGroup(
        a.n,
        eqs,
        threshold="v > Vt",
        reset="v = Vr",
        refractory=5 * ms,
        method="euler",
        namespace={**ns, "Vt": vt, "Vr": vr},
    )
    P.v = "Vr + rand() * (Vt - Vr)"
    P.ge = 0 * mV
    P.gi = 0 * mV
    ne = int(round(0.8 * a.n))
    we, wi = (60 * 0.27 / 10) * mV, (-20 * 4.5 / 10) * mV
    Ce = b2.Synapses(P, P, on_pre="ge += we", namespace={"we": we})
    Ci = b2.Synapses(P, P, on_pre="gi += wi", namespace={"wi": wi})
    Ce.connect(f"i < {ne}", p=0.02)
    Ci.connect(f"i >= {ne}", p=0.02)
    mon = b2.SpikeMonitor(P, record=True)
    net = b2.Network(P, Ce, Ci, mon)
    net.run(0 * ms, namespace={})  # code generation and compilation
    t1 = time.perf_counter()
    net.run(a.steps * 0.1 * ms, namespace={})
    t2 = time.perf_counter()
    import numpy as np

    idx = np.asarray(mon.i[:])
    dur = a.steps * 1e-4
    out = {
        "build_s": t1 - t0,
        "sim_s": t2 - t1,
        "total_s": t2 - t0,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rate_exc_hz": float(np.count_nonzero(idx < ne) / (ne * dur)),
        "rate_inh_hz": float(np.count_nonzero(idx >= ne) / ((a.n - ne) * dur)),
        "synapses": int(len(Ce) + len(Ci)),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
