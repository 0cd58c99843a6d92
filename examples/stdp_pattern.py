"""STDP learns a repeating input pattern.

Twenty input neurons; ten of them fire together in a fixed pattern every 10
steps, the other ten fire at random. One LIF neuron listens through a
LearningDense synapse with pair STDP. Synapses from the pattern neurons fire
just before the post-synaptic neuron and grow; the random ones do not keep up.
Prints the mean weight change of both groups and writes stdp_pattern.png.

    python examples/stdp_pattern.py [--steps 600] [--out stdp_pattern.png]
"""

from __future__ import annotations

import argparse

import caldera
import numpy as np
from caldera import procs
from caldera.arith import SignMode
from caldera.learning import STDPLoihi


def build(steps: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    n_in, n_pat = 20, 10
    spikes = np.zeros((n_in, steps))
    spikes[:n_pat, ::10] = 1  # the pattern: neurons 0..9 together every 10 steps
    spikes[n_pat:] = rng.random((n_in - n_pat, steps)) < 0.1  # same rate, no structure
    src = procs.RingBuffer(data=spikes)
    stdp = STDPLoihi(learning_rate=2**-7, A_plus=1, A_minus=-1, tau_plus=3, tau_minus=3, t_epoch=1)
    syn = procs.LearningDense(weights=np.full((1, n_in), 0.12), learning_rule=stdp, sign_mode=SignMode.EXCITATORY)
    post = procs.LIF(shape=(1,), du=1.0, dv=0.5, vth=1.0)
    src.s_out.connect(syn.s_in)
    syn.a_out.connect(post.a_in)
    post.s_out.connect(syn.s_in_bap)
    mon = procs.Monitor()
    mon.probe(syn.weights, steps)
    mon.probe(post.s_out, steps)
    return src, syn, post, mon, n_pat


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--out", default="stdp_pattern.png")
    args = ap.parse_args()
    src, syn, post, mon, n_pat = build(args.steps)
    src.run(condition=caldera.RunSteps(num_steps=args.steps), run_cfg=caldera.RunConfig(tag="floating_pt"))
    data = mon.get_data()
    w = data[syn.name]["weights"][:, 0, :]  # (steps, n_in)
    n_post_spikes = int(data[post.name]["s_out"].sum())
    src.stop()
    dw = w[-1] - w[0]
    print(f"post-synaptic spikes: {n_post_spikes}")
    print(f"mean weight change, pattern inputs : {dw[:n_pat].mean():+.4f}")
    print(f"mean weight change, random inputs  : {dw[n_pat:].mean():+.4f}")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(w[:, :n_pat], color="tab:red", lw=0.8)
    ax.plot(w[:, n_pat:], color="tab:gray", lw=0.8)
    ax.set_xlabel("time step")
    ax.set_ylabel("weight")
    ax.set_title("STDP: pattern inputs (red) vs random inputs (gray)")
    fig.tight_layout()
    fig.savefig(args.out, dpi=120)
    print(f"plot written to {args.out}")


if __name__ == "__main__":
    main()
