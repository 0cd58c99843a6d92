"""W1 on Lava 0.10 (run by benchmarks/w1.py inside a Python 3.10 venv that has lava-nc==0.10.0).

Prints one JSON line per (n, tag): startup seconds and steps/s for each repetition.
"""

import json
import sys
import time

import numpy as np
from lava.magma.core.run_conditions import RunSteps
from lava.magma.core.run_configs import Loihi2SimCfg
from lava.proc.dense.process import Dense
from lava.proc.lif.process import LIF


def build(n, tag, seed=0):
    rng = np.random.default_rng(seed)
    if tag == "fixed_pt":
        a = LIF(shape=(n,), du=409, dv=409, vth=100, bias_mant=rng.integers(50, 150, n), bias_exp=6)
        syn = Dense(weights=rng.integers(-20, 60, (n, n)))
        b = LIF(shape=(n,), du=409, dv=409, vth=200)
    else:
        a = LIF(shape=(n,), du=0.1, dv=0.1, vth=1.0, bias_mant=rng.uniform(0.05, 0.15, n))
        syn = Dense(weights=rng.uniform(-0.05, 0.2, (n, n)))
        b = LIF(shape=(n,), du=0.1, dv=0.1, vth=2.0)
    a.s_out.connect(syn.s_in)
    syn.a_out.connect(b.a_in)
    return a, b


def main():
    sizes = [int(x) for x in sys.argv[1].split(",")]
    tags = sys.argv[2].split(",")
    steps = int(sys.argv[3])
    reps = int(sys.argv[4])
    for n in sizes:
        for tag in tags:
            startup, rates = [], []
            for _ in range(reps):
                t0 = time.perf_counter()
                a, b = build(n, tag)
                a.run(condition=RunSteps(num_steps=1), run_cfg=Loihi2SimCfg(select_tag=tag))
                t1 = time.perf_counter()
                a.run(condition=RunSteps(num_steps=steps), run_cfg=Loihi2SimCfg(select_tag=tag))
                t2 = time.perf_counter()
                a.stop()
                startup.append(t1 - t0)
                rates.append(steps / (t2 - t1))
            print(
                json.dumps({"system": "lava-0.10", "n": n, "tag": tag, "startup_s": startup, "steps_per_s": rates}),
                flush=True,
            )


if __name__ == "__main__":
    main()
