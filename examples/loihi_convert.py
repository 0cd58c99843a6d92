"""Convert a floating-point LIF network to Loihi's fixed point, run both, and compare the spike trains.

python examples/loihi_convert.py
"""

from __future__ import annotations

import caldera
import caldera_loihi
from caldera.procs.monitor import Monitor
from caldera_loihi.benchnet import two_layer_network
from caldera_loihi.convert import spike_agreement, to_fixed

STEPS = 300


def spikes(l1, l2, cfg):
    mon = Monitor()
    mon.probe(l1.s_out, STEPS)
    mon.probe(l2.s_out, STEPS)
    l1.run(condition=caldera.RunSteps(num_steps=STEPS), run_cfg=cfg)
    data = mon.get_data()
    return data["l1"]["s_out"], data["l2"]["s_out"]


def main() -> None:
    l1, l2 = two_layer_network(steps=STEPS)
    conv = to_fixed(l1)  # new fixed_pt processes; the float ones are untouched
    print(conv.report.format(), "\n")
    f = spikes(l1, l2, caldera.RunConfig(backend="cpu", tag="floating_pt"))
    x = spikes(conv["l1"], conv["l2"], caldera.RunConfig(backend="loihi", tag="fixed_pt"))
    for name, a, b in (("l1", f[0], x[0]), ("l2", f[1], x[1])):
        ag = spike_agreement(a, b, window=1)
        print(
            f"{name}: float {ag['spikes_a']} spikes, fixed {ag['spikes_b']}; rate correlation "
            f"{ag['rate_corr']:.4f}; {100 * ag['coincidence']:.1f} % of spikes matched within +-1 step"
        )
    rep = caldera_loihi.report(conv["l1"])
    t = rep.totals()
    print(f"\non the emulator: {rep.cores_used} cores, {t['energy_pj'] / 1e6:.3f} uJ estimated for {STEPS} steps")
    l1.stop()
    conv["l1"].stop()


if __name__ == "__main__":
    main()
