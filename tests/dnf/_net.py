"""A field with Gaussian rate-coded inputs, as in lava-dnf's regimes tutorial (shared by the regime tests)."""

from __future__ import annotations

import caldera_dnf as dnf
import numpy as np
from caldera import RunConfig, RunSteps
from caldera.procs import Monitor


class FieldWithInputs:
    """``len(means)`` GaussPattern -> RateCodeSpikeGen -> Weights(w_in) inputs onto a LIF field with a kernel.

    The lateral weights are ``connect(..., weight_scale=1)``'s integers in both tags (what Lava's
    ``fixed_pt`` Sparse model makes of lava-dnf's float kernel).
    """

    def __init__(self, shape, kernel, means, stddev, tag, steps, w_in=25, border="PADDED", seed=7):
        self.tag = tag
        self.field = dnf.lif_field(shape, tag=tag, name="field")
        self.kernel_conn = dnf.connect(
            self.field.s_out, self.field.a_in, [dnf.Convolution(kernel, border_types=border)], weight_scale=1
        )
        self.patterns, self.gens = [], []
        for k, mean in enumerate(means):
            pat = dnf.GaussPattern(shape=shape, amplitude=0, mean=mean, stddev=stddev, name=f"pattern{k}")
            gen = dnf.RateCodeSpikeGen(shape=shape, seed=seed + k, name=f"gen{k}")
            pat.a_out.connect(gen.a_in)
            dnf.connect(gen.s_out, self.field.a_in, [dnf.Weights(w_in)])
            self.patterns.append(pat)
            self.gens.append(gen)
        self.monitor = Monitor()
        self.monitor.probe(self.field.s_out, steps)
        self.cfg = RunConfig(backend="cpu", tag=tag)
        self.t = 0

    def run(self, n: int, *amplitudes: float) -> None:
        """Give input k amplitude ``amplitudes[k]`` (sent anew only if it changed, as the Lava recording does),
        then run ``n`` steps."""
        for pat, amp in zip(self.patterns, amplitudes, strict=True):
            if pat.amplitude != amp:
                pat.amplitude = amp
        self.field.run(condition=RunSteps(n), run_cfg=self.cfg)
        self.t += n

    def run_schedule(self, schedule) -> np.ndarray:
        """Run ``[(steps, amplitude_0, amplitude_1, ...), ...]``, stop, and return the spikes (steps, *shape)."""
        for n, *amps in schedule:
            self.run(n, *amps)
        return self.spikes()

    def spikes(self) -> np.ndarray:
        """Stop the network and return the field's spikes so far, shape (steps, *shape), bool."""
        data = self.monitor.get_data()["field"]["s_out"][: self.t]
        self.field.stop()
        return data != 0
