"""caldera-loihi benchmark: emulator cost against the cpu backend, its report, and float-to-fixed agreement.

1. W1's fixed_pt network (LIF -> Dense -> LIF, n = 100 and 1000) on ``cpu`` and on ``loihi``: steps/s
   (median of ``--reps`` runs of ``--steps`` steps, after one warm-up step) and the ratio, i.e. what the
   mapping and the per-step activity counting cost. Both backends' spikes are checked to be identical.
2. The emulator's report for the same networks: cores, chips, estimated energy and time per step.
3. The conversion benchmark network (``caldera_loihi.benchnet``): float (cpu) against converted fixed (loihi)
   spike trains for 8, 6 and 4 weight bits, with the quantization error.

Usage: ``python benchmarks/loihi_emulator.py [--reps 5] [--steps 500]``; raw figures go to
``benchmarks/results/loihi_emulator.json``. The machine may be shared: figures are medians, with the caveat.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import time

import caldera
import numpy as np
from caldera import procs
from caldera.procs.monitor import Monitor

try:
    from tqdm import tqdm
except ImportError:  # pragma: no cover

    def tqdm(x, **_):
        return x


RESULTS = pathlib.Path(__file__).parent / "results"


def build_w1(n: int, seed: int = 0):
    """W1's fixed_pt network (see benchmarks/README.md)."""
    rng = np.random.default_rng(seed)
    a = procs.LIF(shape=(n,), du=409, dv=409, vth=100, bias_mant=rng.integers(50, 150, n), bias_exp=6, name="A")
    d = procs.Dense(weights=rng.integers(-20, 60, (n, n)), name="W")
    b = procs.LIF(shape=(n,), du=409, dv=409, vth=200, name="B")
    a.s_out.connect(d.s_in)
    d.a_out.connect(b.a_in)
    return a, b


def time_backend(backend: str, n: int, steps: int) -> tuple[float, np.ndarray, object]:
    a, b = build_w1(n)
    mon = Monitor()
    mon.probe(b.s_out, steps + 1)
    cfg = caldera.RunConfig(backend=backend, tag="fixed_pt")
    a.run(condition=caldera.RunSteps(num_steps=1), run_cfg=cfg)
    t0 = time.perf_counter()
    a.run(condition=caldera.RunSteps(num_steps=steps), run_cfg=cfg)
    dt = time.perf_counter() - t0
    rep = None
    if backend == "loihi":
        import caldera_loihi

        rep = caldera_loihi.report(a)
    spikes = mon.get_data()["B"]["s_out"]
    a.stop()
    return steps / dt, spikes, rep


def bench_emulator(reps: int, steps: int) -> list[dict]:
    out = []
    for n in (100, 1000):
        rates: dict[str, list[float]] = {"cpu": [], "loihi": []}
        ref, rep = None, None
        for _ in tqdm(range(reps), desc=f"W1 n={n}", leave=False):
            for backend in ("cpu", "loihi"):
                r, spikes, rp = time_backend(backend, n, steps)
                rates[backend].append(r)
                if ref is None:
                    ref = spikes
                elif not np.array_equal(ref, spikes):
                    raise SystemExit(f"n={n}: {backend} spikes differ from cpu's")
                rep = rp or rep
        tot = rep.totals()
        out.append(
            {
                "n": n,
                "cpu_steps_s": statistics.median(rates["cpu"]),
                "loihi_steps_s": statistics.median(rates["loihi"]),
                "cores": rep.cores_used,
                "chips": rep.chips_used,
                "energy_nj_per_step": tot["energy_pj_per_step_mean"] / 1e3,
                "time_us_per_step": tot["time_ns_per_step_mean"] / 1e3,
                "synops_per_step": tot["synops"] / rep.steps,
                "spikes_per_step": tot["spikes"] / rep.steps,
            }
        )
    return out


def bench_conversion(steps: int = 300) -> list[dict]:
    from caldera_loihi.benchnet import two_layer_network
    from caldera_loihi.convert import spike_agreement, to_fixed

    def spikes(l1, l2, cfg):
        mon = Monitor()
        mon.probe(l1.s_out, steps)
        mon.probe(l2.s_out, steps)
        l1.run(condition=caldera.RunSteps(num_steps=steps), run_cfg=cfg)
        d = mon.get_data()
        l1.stop()
        return d["l1"]["s_out"], d["l2"]["s_out"]

    out = []
    for bits in tqdm((8, 6, 4), desc="conversion", leave=False):
        l1, l2 = two_layer_network(steps=steps)
        conv = to_fixed(l1, num_weight_bits=bits)
        f = spikes(l1, l2, caldera.RunConfig(backend="cpu", tag="floating_pt"))
        x = spikes(conv["l1"], conv["l2"], caldera.RunConfig(backend="loihi", tag="fixed_pt"))
        for layer, a, b in (("l1", f[0], x[0]), ("l2", f[1], x[1])):
            ag = spike_agreement(a, b, window=1)
            out.append(
                {
                    "bits": bits,
                    "layer": layer,
                    **ag,
                    "weight_rms_rel": conv.report["d1" if layer == "l1" else "d2"].errors["weight_rms_rel"],
                }
            )
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--steps", type=int, default=500)
    a = p.parse_args()
    emu = bench_emulator(a.reps, a.steps)
    print(f"\nW1 fixed_pt, {a.steps} steps, median of {a.reps} (shared machine: figures are indicative)")
    print(
        f"{'n':>5} {'cpu steps/s':>12} {'loihi steps/s':>14} {'loihi/cpu':>9} {'cores':>6} {'chips':>5} "
        f"{'synops/step':>11} {'est. nJ/step':>12} {'est. us/step':>12}"
    )
    for r in emu:
        print(
            f"{r['n']:>5} {r['cpu_steps_s']:>12.0f} {r['loihi_steps_s']:>14.0f} "
            f"{r['loihi_steps_s'] / r['cpu_steps_s']:>9.2f} {r['cores']:>6} {r['chips']:>5} "
            f"{r['synops_per_step']:>11.0f} {r['energy_nj_per_step']:>12.1f} {r['time_us_per_step']:>12.2f}"
        )
    conv = bench_conversion()
    print("\nfloat (cpu) vs converted fixed (loihi), conversion benchmark network, 300 steps")
    print(
        f"{'bits':>4} {'layer':>5} {'float spikes':>12} {'fixed spikes':>12} {'count diff':>10} {'rate corr':>9} "
        f"{'coincidence':>11} {'weight rms err':>14}"
    )
    for r in conv:
        print(
            f"{r['bits']:>4} {r['layer']:>5} {r['spikes_a']:>12} {r['spikes_b']:>12} "
            f"{100 * r['count_rel_diff']:>9.2f}% "
            f"{r['rate_corr']:>9.4f} {100 * r['coincidence']:>10.2f}% {100 * r['weight_rms_rel']:>13.2f}%"
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "loihi_emulator.json").write_text(json.dumps({"emulator": emu, "conversion": conv}, indent=1))


if __name__ == "__main__":
    main()
