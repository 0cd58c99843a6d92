"""Track a moving Gaussian input with a selective 2-D dynamic neural field (caldera-dnf).

A GaussPattern moves on a circle across a 25x25 field; a RateCodeSpikeGen turns it into spikes that
drive the field through ``Weights(25)``; a selective kernel (local excitation, global inhibition)
keeps a single peak that follows the input. The script writes a strip of frames (the field's 10-step
spike rate, the input's position marked with +) and prints the tracking error.

    python examples/dnf_tracking.py [--steps 400] [--tag fixed_pt|floating_pt] [--out dnf_tracking.png]

Needs caldera, caldera-cpu, caldera-dnf[plot].
"""

from __future__ import annotations

import argparse
import math

import caldera_dnf as dnf
import numpy as np
from caldera import RunConfig, RunSteps
from caldera.procs import Monitor
from caldera_dnf.plot import frame_strip

SHAPE = (25, 25)


def input_position(t: int, period: int) -> tuple[float, float]:
    """The input's mean at step t: a circle of radius 7 around the field's centre."""
    angle = 2 * math.pi * t / period
    return 12 + 7 * math.sin(angle), 12 + 7 * math.cos(angle)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--period", type=int, default=400, help="steps per revolution of the input")
    ap.add_argument("--move-every", type=int, default=5, help="steps between input updates")
    ap.add_argument("--tag", default="fixed_pt", choices=["fixed_pt", "floating_pt"])
    ap.add_argument("--frames", type=int, default=8)
    ap.add_argument("--out", default="dnf_tracking.png")
    args = ap.parse_args(argv)

    field = dnf.lif_field(SHAPE, tag=args.tag, name="field")
    kernel = dnf.SelectiveKernel(amp_exc=20, width_exc=[2.25, 2.25], global_inh=-15)
    dnf.connect(field.s_out, field.a_in, [dnf.Convolution(kernel)], weight_scale=1)
    # the input moves during the run: a new mean every --move-every steps
    moves = [
        (t + 1, {"mean": list(input_position(t, args.period))})
        for t in range(args.move_every, args.steps, args.move_every)
    ]
    pattern = dnf.GaussPattern(
        shape=SHAPE, amplitude=10000, mean=input_position(0, args.period), stddev=2.25, changes=moves
    )
    gen = dnf.RateCodeSpikeGen(shape=SHAPE, seed=1)
    pattern.a_out.connect(gen.a_in)
    dnf.connect(gen.s_out, field.a_in, [dnf.Weights(25)], weight_scale=1)
    monitor = Monitor()
    monitor.probe(field.s_out, args.steps)

    cfg = RunConfig(backend="cpu", tag=args.tag)
    field.run(condition=RunSteps(args.steps), run_cfg=cfg)
    means = np.array([input_position(t - t % args.move_every, args.period) for t in range(args.steps)])
    spikes = monitor.get_data()["field"]["s_out"] != 0
    field.stop()

    rates = dnf.sliding_rate(spikes, 10)
    errors, counts = [], []
    for step in range(20, args.steps):
        peaks = dnf.find_peaks(rates[step], 0.15)
        counts.append(len(peaks))
        if len(peaks) == 1:
            errors.append(float(np.hypot(*(np.array(peaks[0].position) - means[step]))))
    picks = np.linspace(20, args.steps - 1, args.frames).astype(int)
    frame_strip(
        [rates[s] for s in picks],
        args.out,
        titles=[f"step {s + 1}" for s in picks],
        overlays=[[tuple(means[s])] for s in picks],
    )
    print(
        f"tag {args.tag}: {args.steps} steps, steps with exactly one peak: {np.mean(np.array(counts) == 1):.0%}, "
        f"distance peak-input: median {np.median(errors):.2f}, max {np.max(errors):.2f} neurons"
    )
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
