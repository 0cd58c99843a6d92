"""Caldera demo: a small excitatory/inhibitory spiking network, run in both flavours.

Builds 80 excitatory and 20 inhibitory LIF neurons driven by a bias, connected
by Dense synapses (E->E, E->I, I->E), runs 200 steps on the best installed
backend in ``floating_pt`` and in Loihi-exact ``fixed_pt``, prints a summary
and writes a raster plot. Usage::

    python examples/demo.py [--steps 200] [--out demo_raster.png]
"""

from __future__ import annotations

import argparse
import time

import caldera
import numpy as np
from caldera.procs import LIF, Dense, Monitor


def build(tag: str, seed: int = 1) -> tuple[LIF, LIF, Monitor]:
    rng = np.random.default_rng(seed)
    n_e, n_i = 80, 20
    if tag == "fixed_pt":
        exc = LIF(shape=(n_e,), du=1024, dv=256, vth=120, bias_mant=rng.integers(20, 45, n_e), bias_exp=6, name="exc")
        inh = LIF(shape=(n_i,), du=1024, dv=256, vth=120, name="inh")
        w_ee = np.where(rng.random((n_e, n_e)) < 0.1, rng.integers(0, 40, (n_e, n_e)), 0)
        w_ei = np.where(rng.random((n_i, n_e)) < 0.3, rng.integers(0, 80, (n_i, n_e)), 0)
        w_ie = np.where(rng.random((n_e, n_i)) < 0.5, -rng.integers(0, 120, (n_e, n_i)), 0)
    else:
        exc = LIF(shape=(n_e,), du=0.25, dv=0.0625, vth=1.0, bias_mant=rng.uniform(0.05, 0.11, n_e), name="exc")
        inh = LIF(shape=(n_i,), du=0.25, dv=0.0625, vth=1.0, name="inh")
        w_ee = np.where(rng.random((n_e, n_e)) < 0.1, rng.uniform(0, 0.1, (n_e, n_e)), 0)
        w_ei = np.where(rng.random((n_i, n_e)) < 0.3, rng.uniform(0, 0.2, (n_i, n_e)), 0)
        w_ie = np.where(rng.random((n_e, n_i)) < 0.5, -rng.uniform(0, 0.3, (n_e, n_i)), 0)
    ee, ei, ie = Dense(weights=w_ee, name="ee"), Dense(weights=w_ei, name="ei"), Dense(weights=w_ie, name="ie")
    exc.s_out.connect([ee.s_in, ei.s_in])
    ee.a_out.connect(exc.a_in)
    ei.a_out.connect(inh.a_in)
    inh.s_out.connect(ie.s_in)
    ie.a_out.connect(exc.a_in)
    mon = Monitor(name="monitor")
    return exc, inh, mon


def run(tag: str, steps: int) -> dict:
    exc, inh, mon = build(tag)
    mon.probe(exc.s_out, steps)
    mon.probe(inh.s_out, steps)
    mon.probe(exc.v, steps)
    t0 = time.perf_counter()
    exc.run(condition=caldera.RunSteps(num_steps=steps), run_cfg=caldera.RunConfig(tag=tag))
    wall = time.perf_counter() - t0
    data = mon.get_data()
    backend = exc.runtime.backend
    exc.stop()
    return {
        "tag": tag,
        "backend": backend,
        "wall": wall,
        "exc": data["exc"]["s_out"],
        "inh": data["inh"]["s_out"],
        "v": data["exc"]["v"],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--out", default="demo_raster.png")
    args = ap.parse_args(argv)
    results = [run(tag, args.steps) for tag in ("floating_pt", "fixed_pt")]
    print(f"E/I network: 80 excitatory + 20 inhibitory LIF neurons, {args.steps} steps")
    print(
        f"{'tag':<12} {'backend':<8} {'exc spikes':>10} {'inh spikes':>10} {'exc rate/step':>14} {'ms (compile+run)':>17}"
    )
    for r in results:
        ne, ni = int(r["exc"].sum()), int(r["inh"].sum())
        print(
            f"{r['tag']:<12} {r['backend']:<8} {ne:>10} {ni:>10} {ne / r['exc'].size:>14.3f} {1e3 * r['wall']:>17.1f}"
        )
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no raster plot (pip install 'caldera[plot]')")
        return 0
    fig, axes = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    for ax, r in zip(axes, results):
        t_e, i_e = np.nonzero(r["exc"])
        t_i, i_i = np.nonzero(r["inh"])
        ax.scatter(t_e + 1, i_e, s=2, c="tab:blue", label="excitatory")
        ax.scatter(t_i + 1, i_i + 80, s=2, c="tab:red", label="inhibitory")
        ax.set_ylabel("neuron")
        ax.set_title(f"{r['tag']} on {r['backend']}")
    axes[0].legend(loc="upper right", markerscale=4)
    axes[-1].set_xlabel("time step")
    fig.tight_layout()
    fig.savefig(args.out, dpi=120)
    print(f"raster plot written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
