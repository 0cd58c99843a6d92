"""Run a small fixed-point network on the Loihi 2 emulator, print where it went and what it would cost.

    python examples/loihi_report.py            # writes loihi_activity.png and loihi_report.json

Then ``caldera loihi report loihi_report.json`` prints the saved report again.
"""

from __future__ import annotations

import caldera
import caldera_loihi
import numpy as np
from caldera import procs


def main() -> None:
    rng = np.random.default_rng(0)
    steps = 200
    src = procs.RingBuffer(data=(rng.random((400, steps)) < 0.03).astype(int), name="input")
    w_in = procs.Dense(weights=rng.integers(0, 40, (3000, 400)) * (rng.random((3000, 400)) < 0.2), name="w_in")
    hidden = procs.LIF(shape=(3000,), du=1000, dv=1000, vth=800, bias_mant=20, name="hidden")
    w_out = procs.Sparse(weights=rng.integers(-80, 120, (100, 3000)) * (rng.random((100, 3000)) < 0.05), name="w_out")
    out = procs.LIF(shape=(100,), du=1000, dv=1000, vth=600, name="output")
    src.s_out.connect(w_in.s_in)
    w_in.a_out.connect(hidden.a_in)
    hidden.s_out.connect(w_out.s_in)
    w_out.a_out.connect(out.a_in)

    # does it fit? (before running; raises MappingError naming the process and the limit otherwise)
    m = caldera_loihi.map_network(hidden)
    print(f"fits: {m.cores_used} neuro-cores on {m.chips_used} chip(s) of {caldera_loihi.LOIHI2.name}\n")

    hidden.run(condition=caldera.RunSteps(num_steps=steps), run_cfg=caldera.RunConfig(backend="loihi", tag="fixed_pt"))
    rep = caldera_loihi.report(hidden)
    hidden.stop()
    print(rep.format(max_steps=5))
    rep.save("loihi_report.json")
    rep.plot("loihi_activity.png")
    print("\nwrote loihi_report.json and loihi_activity.png")


if __name__ == "__main__":
    main()
