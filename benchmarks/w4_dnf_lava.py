"""W4 on Lava 0.10 + lava-dnf 0.3 (run by benchmarks/w4_dnf.py with the Python 3.10 interpreter that has them).

Usage: python w4_dnf_lava.py WORKLOAD STEPS REPS
Prints one JSON line per repetition: build_s (network + weights), startup_s (compile + first step),
steps_per_s (the STEPS steps after the first), and the field's final u and v (for the equivalence check).
"""

import json
import sys
import time

import numpy as np
from lava.lib.dnf.connect.connect import connect
from lava.lib.dnf.inputs.gauss_pattern.process import GaussPattern
from lava.lib.dnf.inputs.rate_code_spike_gen.process import RateCodeSpikeGen
from lava.lib.dnf.kernels.kernels import SelectiveKernel
from lava.lib.dnf.operations.operations import Convolution, Weights
from lava.magma.core.run_conditions import RunSteps
from lava.magma.core.run_configs import Loihi2SimCfg
from lava.proc.lif.process import LIF

# the same workloads as WORKLOADS in w4_dnf.py
WORKLOADS = {
    "1d": {"shape": (100,), "width": 2.25, "means": [(30.0,), (70.0,)]},
    "2d": {"shape": (50, 50), "width": [2.25, 2.25], "means": [(35.0, 15.0), (12.0, 40.0)]},
}


def build(spec):
    shape = spec["shape"]
    field = LIF(shape=shape, du=409, dv=2047, vth=200)
    connect(
        field.s_out, field.a_in, [Convolution(SelectiveKernel(amp_exc=20, width_exc=spec["width"], global_inh=-15))]
    )
    for k, mean in enumerate(spec["means"]):
        pat = GaussPattern(shape=shape, amplitude=10000 if k == 0 else 6000, mean=list(mean), stddev=2.25)
        gen = RateCodeSpikeGen(shape=shape, seed=11 + k)
        pat.a_out.connect(gen.a_in)
        connect(gen.s_out, field.a_in, [Weights(25)])
    return field


def main():
    name, steps, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    cfg = Loihi2SimCfg(select_tag="fixed_pt")
    for _ in range(reps):
        t0 = time.perf_counter()
        field = build(WORKLOADS[name])
        t1 = time.perf_counter()
        field.run(condition=RunSteps(num_steps=1), run_cfg=cfg)
        t2 = time.perf_counter()
        field.run(condition=RunSteps(num_steps=steps), run_cfg=cfg)
        t3 = time.perf_counter()
        u, v = field.u.get(), field.v.get()
        field.stop()
        print(
            json.dumps(
                {
                    "build_s": t1 - t0,
                    "startup_s": t2 - t1,
                    "steps_per_s": steps / (t3 - t2),
                    "u": np.asarray(u).astype(int).ravel().tolist(),
                    "v": np.asarray(v).astype(int).ravel().tolist(),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
