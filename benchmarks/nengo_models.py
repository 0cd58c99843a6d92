"""Classic Nengo models on nengo.Simulator and on caldera_nengo.Simulator (cpu, cython), side by side.

For each model: build time and steps/s (medians of ``--repeats`` runs of ``--seconds`` of model time), the
ratio against nengo.Simulator measured in the same run, and the largest difference of the probed decoded
output against Nengo's (the parameters are Nengo's, so the outputs agree to rounding).

``--backends ...,loihi`` adds ``tag='fixed_pt'`` on caldera-loihi's emulator (the model quantized as
nengo-loihi does): its output differs from Nengo's by quantization and spike timing, so its row gives the RMS
difference of the probed output instead, and the emulator's estimated energy per step (the chip's; the
PES-learned connection's decoders and update run on the host). Models it cannot map are reported as such.

    python benchmarks/nengo_models.py [--seconds 10] [--repeats 3] [--models chain,channel] [--backends cpu,cython,loihi]
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import nengo
import numpy as np


def communication_channel():
    with nengo.Network(seed=1) as net:
        stim = nengo.Node(lambda t: np.sin(2 * np.pi * t))
        a = nengo.Ensemble(100, 1)
        b = nengo.Ensemble(100, 1)
        nengo.Connection(stim, a)
        nengo.Connection(a, b)
        p = nengo.Probe(b, synapse=0.01)
    return net, p


def integrator():
    with nengo.Network(seed=2) as net:
        stim = nengo.Node(nengo.processes.Piecewise({0: 0, 0.2: 1, 1: 0, 2: -2, 3: 0, 4: 1, 5: 0}))
        a = nengo.Ensemble(100, 1)
        tau = 0.1
        nengo.Connection(stim, a, transform=tau, synapse=tau)
        nengo.Connection(a, a, synapse=tau)
        p = nengo.Probe(a, synapse=0.01)
    return net, p


def product():
    with nengo.Network(seed=3) as net:
        x = nengo.Node(lambda t: np.sin(3 * t))
        y = nengo.Node(lambda t: np.cos(2 * t))
        prod = nengo.networks.Product(100, dimensions=1)
        nengo.Connection(x, prod.input_a)
        nengo.Connection(y, prod.input_b)
        p = nengo.Probe(prod.output, synapse=0.01)
    return net, p


def chain(n_ens=100, n_neurons=100):
    with nengo.Network(seed=4) as net:
        stim = nengo.Node(lambda t: np.sin(2 * np.pi * t))
        ens = [nengo.Ensemble(n_neurons, 1) for _ in range(n_ens)]
        nengo.Connection(stim, ens[0])
        for a, b in zip(ens[:-1], ens[1:]):
            nengo.Connection(a, b)
        p = nengo.Probe(ens[-1], synapse=0.01)
    return net, p


def pes_learning():
    with nengo.Network(seed=5) as net:
        stim = nengo.Node(lambda t: np.sin(2 * np.pi * t))
        pre = nengo.Ensemble(100, 1)
        post = nengo.Ensemble(100, 1)
        err = nengo.Ensemble(100, 1)
        nengo.Connection(stim, pre)
        conn = nengo.Connection(pre, post, function=lambda x: 0, learning_rule_type=nengo.PES())
        nengo.Connection(post, err)
        nengo.Connection(stim, err, transform=-1)
        nengo.Connection(err, conn.learning_rule)
        p = nengo.Probe(post, synapse=0.01)
    return net, p


MODELS = {
    "channel": communication_channel,
    "integrator": integrator,
    "product": product,
    "chain": chain,
    "pes": pes_learning,
}


def simulators(backends: list[str]) -> dict:
    sims = {"nengo": lambda net: nengo.Simulator(net, progress_bar=False)}
    try:
        import caldera_nengo
    except ImportError:  # pragma: no cover
        print("caldera-nengo is not installed: only nengo.Simulator is measured")
        return sims
    from caldera import plugins

    installed = set(plugins.backends())
    for b in backends:
        if b not in installed:
            print(f"backend {b!r} is not installed: skipped")
            continue
        tag = "fixed_pt" if b == "loihi" else "floating_pt"
        name = "caldera/loihi-fx" if b == "loihi" else f"caldera/{b}"
        sims[name] = lambda net, b=b, tag=tag: caldera_nengo.Simulator(net, progress_bar=False, backend=b, tag=tag)
    return sims


def measure(make_sim, net, probe, steps: int) -> tuple[float, float, np.ndarray, float | None]:
    t0 = time.perf_counter()
    sim = make_sim(net)
    t1 = time.perf_counter()
    with sim:
        sim.run_steps(steps)
        t2 = time.perf_counter()
        out = sim.data[probe].copy()
        nj = sim.report.totals()["energy_pj_per_step_mean"] / 1e3 if getattr(sim, "tag", "") == "fixed_pt" else None
    return t1 - t0, steps / (t2 - t1), out, nj


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=10.0, help="model time per run (s)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--backends", default="cpu,cython")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    sims = simulators(args.backends.split(","))
    steps = int(round(args.seconds / 0.001))
    print(f"{args.seconds:g} s of model time ({steps} steps), medians of {args.repeats} runs each")
    print(f"{'model':<11} {'simulator':<16} {'build s':>8} {'steps/s':>9} {'x nengo':>8} {'max |diff|':>11}  notes")
    for name in args.models.split(","):
        net, probe = MODELS[name]()
        ref_rate = None
        ref_out = None
        for sim_name, make in sims.items():
            builds, rates = [], []
            notes = ""
            try:
                for _ in range(args.repeats):
                    b, r, out, nj = measure(make, net, probe, steps)
                    builds.append(b)
                    rates.append(r)
            except nengo.exceptions.BuildError as e:
                print(f"{name:<11} {sim_name:<16} cannot map: {str(e)[:90]}", flush=True)
                continue
            rate = statistics.median(rates)
            if sim_name == "nengo":
                ref_rate, ref_out = rate, out
                diff = ""
            elif nj is not None:  # quantized and spiking on the chip: how far from Nengo, and at what energy
                diff = ""
                notes = f"rms diff {np.sqrt(np.mean((out - ref_out) ** 2)):.3f}, est. {nj:.1f} nJ/step on Loihi"
            else:
                diff = f"{np.max(np.abs(out - ref_out)):.1e}"
            ratio = rate / ref_rate
            print(
                f"{name:<11} {sim_name:<16} {statistics.median(builds):8.3f} {rate:9.0f} {ratio:8.2f} {diff:>11}  "
                + notes,
                flush=True,
            )


if __name__ == "__main__":
    main()
