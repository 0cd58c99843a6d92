"""Record lava-dnf 0.3 / Lava 0.10 spike rasters of the regimes tutorial (fixed_pt) for test_lava_regimes.py.

Run with the Lava 0.10 interpreter (Python 3.10, lava-nc 0.10 and lava-dnf 0.3 installed):
    "$(python benchmarks/refenv.py lava | cut -d" " -f2)" tests/dnf/data/lava_regimes/record.py
Writes NAME.npz (``spikes``: (steps, 15) bool) next to this file.
"""

import pathlib

import numpy as np
from lava.lib.dnf.connect.connect import connect
from lava.lib.dnf.inputs.gauss_pattern.process import GaussPattern
from lava.lib.dnf.inputs.rate_code_spike_gen.process import RateCodeSpikeGen
from lava.lib.dnf.kernels.kernels import MultiPeakKernel, SelectiveKernel
from lava.lib.dnf.operations.operations import Convolution, Weights
from lava.magma.core.run_conditions import RunSteps
from lava.magma.core.run_configs import Loihi2SimCfg
from lava.proc.lif.process import LIF
from lava.proc.monitor.process import Monitor

HERE = pathlib.Path(__file__).parent
SHAPE = (15,)
MEANS = (11.25, 3.75)
SCHEDULES = {
    "selection": (
        SelectiveKernel(amp_exc=20, width_exc=2.25, global_inh=-15),
        [(1, 10000, 0), (99, 10000, 10000), (100, 0, 10000), (100, 0, 0)],
    ),
    "detection": (
        MultiPeakKernel(amp_exc=83, width_exc=3.75, amp_inh=-70, width_inh=7.5),
        [(100, 0, 0), (100, 2300, 2300), (100, 11200, 11200), (200, 2300, 2300), (200, 0, 0)],
    ),
    "memory": (
        MultiPeakKernel(amp_exc=32, width_exc=2.5, amp_inh=-18, width_inh=4.5),
        [(100, 0, 0), (100, 2300, 2300), (100, 11200, 11200), (200, 2300, 2300), (200, 0, 0)],
    ),
}


def record(name, kernel, schedule):
    steps = sum(n for n, _, _ in schedule)
    field = LIF(shape=SHAPE, du=409, dv=2047, vth=200)
    connect(field.s_out, field.a_in, [Convolution(kernel)])
    pats = []
    for k, mean in enumerate(MEANS):
        pat = GaussPattern(shape=SHAPE, amplitude=schedule[0][1 + k], mean=mean, stddev=2.25)
        gen = RateCodeSpikeGen(shape=SHAPE, seed=7 + k)
        pat.a_out.connect(gen.a_in)
        connect(gen.s_out, field.a_in, [Weights(25)])
        pats.append(pat)
    mon = Monitor()
    mon.probe(field.s_out, steps)
    cfg = Loihi2SimCfg(select_tag="fixed_pt")
    for i, (n, a0, a1) in enumerate(schedule):
        if i > 0:
            for pat, amp in zip(pats, (a0, a1)):
                if pat.amplitude[0] != amp:
                    pat.amplitude = amp
        field.run(condition=RunSteps(num_steps=n), run_cfg=cfg)
    data = mon.get_data()[field.name]["s_out"]
    field.stop()
    spikes = np.asarray(data).reshape(steps, -1) != 0
    np.savez_compressed(HERE / f"{name}.npz", spikes=spikes)
    print(name, spikes.shape, int(spikes.sum()))


if __name__ == "__main__":
    for name, (kernel, schedule) in SCHEDULES.items():
        record(name, kernel, schedule)
