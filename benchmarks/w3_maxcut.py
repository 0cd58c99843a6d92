"""W3: Max-Cut with caldera-optim's QUBO solver against dwave-samplers' simulated annealer, at equal wall time.

Instances: G1 and G43 of the G-set (best known cuts 11624 and 6660) and a random
800-node Erdős–Rényi graph (p = 0.05, unit weights, fixed seed). For every instance and
seed, caldera's solver runs with ``--time`` seconds (network build included); then
``SimulatedAnnealingSampler`` runs with the same number of reads as caldera has replicas
and as many sweeps as fit in caldera's measured wall time (calibrated; a run that misses
that time by more than 5 % is resized and repeated, up to 3 times), so both get the same wall time. Per run we record the mean cut over the
replicas/reads and the best one; the table shows medians over the seeds, the best over
all seeds, the gap of the median best to the best known cut, and the ratio of the mean
cuts. The two solvers alternate, so machine noise hits both alike.

Both solvers run with their default annealing schedules (caldera: ``default_temperatures``
and a geometric cycle ending in a zero-temperature descent; SA: dwave-samplers' default
beta range and geometric beta schedule), and both report one state per replica/read.
The default ``--replicas 32`` (= 32 reads) is the setting the comparison has always used
and the one the goal is stated for. At 32 replicas the margin is small (a few cut units);
at ``--replicas 128`` it is larger -- not because caldera's step gets relatively cheaper
(on the 2-core test machine its time per step grew almost linearly with replicas, as SA's
does with reads) but because both then get fewer sweeps per replica, and SA's hotter
default start wastes a larger share of a short run. See ``benchmarks/README.md`` (W3) for
recorded runs at both settings.

dwave-samplers is installed with pip when it is missing. Results go to
``benchmarks/results/w3-<timestamp>.json`` and a plot of caldera's best-cost
trajectories to ``benchmarks/results/w3-<timestamp>.png``.

Usage: ``python benchmarks/w3_maxcut.py [--time 2] [--seeds 5] [--replicas 32] [--instances G1,G43,ER800]``
"""

from __future__ import annotations

import argparse
import datetime as _dt
import importlib
import json
import pathlib
import statistics
import subprocess
import sys
import time

import numpy as np
from scipy import sparse as sp

HERE = pathlib.Path(__file__).resolve().parent
DATA = HERE.parent / "tests" / "optim" / "data"
BEST_KNOWN = {"G1": 11624.0, "G43": 6660.0}


def ensure_dwave() -> None:
    try:
        importlib.import_module("dwave.samplers")
    except ImportError:
        print("installing dwave-samplers with pip ...", flush=True)
        subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "dwave-samplers"])
        importlib.invalidate_caches()


def load_instances(names: list[str]):
    from caldera_optim import QUBO, read_gset

    out = {}
    for name in names:
        if name in ("G1", "G43"):
            out[name] = read_gset(DATA / f"{name}.txt")
        elif name == "ER800":
            rng = np.random.default_rng(20240805)
            upper = np.triu(rng.random((800, 800)) < 0.05, 1).astype(float)
            out[name] = QUBO.maxcut(sp.csr_matrix(upper), name="ER800")
        else:
            raise SystemExit(f"unknown instance {name!r}; known: G1, G43, ER800")
    return out


def to_bqm(prob):
    import dimod

    w = sp.triu(prob.maxcut_weights, 1).tocoo()
    bqm = dimod.BinaryQuadraticModel.from_numpy_vectors(
        np.zeros(prob.num_variables), (w.row, w.col, w.data), 0.0, dimod.SPIN
    )
    return bqm, float(w.data.sum())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time", type=float, default=2.0, help="seconds per run (caldera's time limit)")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--replicas", type=int, default=32, help="caldera replicas = SA reads")
    ap.add_argument("--instances", default="G1,G43,ER800")
    ap.add_argument("--no-plot", action="store_true")
    args = ap.parse_args(argv)
    if args.seeds < 5:
        print("note: fewer than 5 seeds; the goal asks for medians over >= 5", file=sys.stderr)
    ensure_dwave()
    from caldera_optim import QUBO, solve_qubo
    from dwave.samplers import SimulatedAnnealingSampler

    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover
        tqdm = None

    insts = load_instances([s.strip() for s in args.instances.split(",") if s.strip()])
    sa = SimulatedAnnealingSampler()
    # warm both up (plugin loading, first-use costs) so that no run pays them
    solve_qubo(QUBO(np.array([[1.0, -2.0], [0.0, 1.0]])), num_steps=5, replicas=2)
    warm_bqm, _ = to_bqm(QUBO.maxcut(np.array([[0, 1], [0, 0]])))
    sa.sample(warm_bqm, num_reads=2, num_sweeps=10)

    rows = {}
    traj = {}
    total = len(insts) * args.seeds
    bar = tqdm(total=total, desc="W3 runs", unit="run") if tqdm else None
    for name, prob in insts.items():
        bqm, wsum = to_bqm(prob)
        # calibrate SA's wall time as fixed cost + cost per sweep (this many reads), from two runs
        times = []
        for sw in (50, 300):
            t0 = time.perf_counter()
            sa.sample(bqm, num_reads=args.replicas, num_sweeps=sw, seed=12345)
            times.append(time.perf_counter() - t0)
        per_sweep = max((times[1] - times[0]) / 250, 1e-7)
        fixed = max(times[0] - 50 * per_sweep, 0.0)
        rec = {"caldera": [], "sa": []}
        for seed in range(args.seeds):
            res = solve_qubo(prob, time_limit=args.time, replicas=args.replicas, seed=seed)
            cuts = np.array([prob.cut_value(s) for s in res.replica_states])
            rec["caldera"].append(
                dict(
                    mean=float(cuts.mean()),
                    best=float(cuts.max()),
                    wall=res.wall_time_s,
                    steps=res.steps,
                    time_to_best=res.time_to_best_s,
                )
            )
            traj.setdefault(name, []).append(-res.trajectory)
            # equal wall time: size the sweeps from the calibration; if the run misses caldera's time by more
            # than 5 % (the machine's load changes), resize and run again (at most 3 tries; the run kept is
            # the one closest in time, chosen without looking at its cuts)
            target = res.wall_time_s
            tries = []
            for _ in range(3):
                sweeps = max(1, int((target - fixed) / per_sweep))
                t0 = time.perf_counter()
                ss = sa.sample(bqm, num_reads=args.replicas, num_sweeps=sweeps, seed=seed)
                wall = time.perf_counter() - t0
                tries.append((abs(wall - target), wall, sweeps, ss))
                per_sweep = max(wall - fixed, 1e-6) / sweeps
                if abs(wall - target) <= 0.05 * target:
                    break
            _, wall, sweeps, ss = min(tries, key=lambda t: t[0])
            sa_cuts = (wsum - ss.record.energy) / 2.0
            rec["sa"].append(dict(mean=float(sa_cuts.mean()), best=float(sa_cuts.max()), wall=wall, sweeps=sweeps))
            if bar:
                bar.update(1)
        rows[name] = rec
    if bar:
        bar.close()

    med = statistics.median
    print()
    print(
        f"W3 Max-Cut at equal wall time: {args.replicas} replicas/reads, {args.seeds} seeds, "
        f"caldera time limit {args.time} s (medians over seeds; best = best over all seeds)"
    )
    hdr = (
        f"{'instance':<8} {'known':>7} | {'caldera mean':>12} {'best':>7} {'max':>7} {'gap':>6} {'wall s':>7} "
        f"{'steps':>7} | {'SA mean':>9} {'best':>7} {'max':>7} {'gap':>6} {'wall s':>7} {'sweeps':>7} | "
        f"{'mean ratio':>10}"
    )
    print(hdr)
    print("-" * len(hdr))
    summary = {}
    for name, rec in rows.items():
        c, s = rec["caldera"], rec["sa"]
        known = BEST_KNOWN.get(name, max(max(r["best"] for r in c), max(r["best"] for r in s)))
        cm, cb = med([r["mean"] for r in c]), med([r["best"] for r in c])
        sm, sb = med([r["mean"] for r in s]), med([r["best"] for r in s])
        row = dict(
            known=known,
            caldera_mean=cm,
            caldera_best=cb,
            caldera_max=max(r["best"] for r in c),
            caldera_wall=med([r["wall"] for r in c]),
            caldera_steps=med([r["steps"] for r in c]),
            sa_mean=sm,
            sa_best=sb,
            sa_max=max(r["best"] for r in s),
            sa_wall=med([r["wall"] for r in s]),
            sa_sweeps=med([r["sweeps"] for r in s]),
            mean_ratio=cm / sm,
        )
        summary[name] = row
        print(
            f"{name:<8} {known:>7.0f} | {cm:>12.1f} {cb:>7.0f} {row['caldera_max']:>7.0f} "
            f"{100 * (known - cb) / known:>5.2f}% {row['caldera_wall']:>7.2f} {row['caldera_steps']:>7.0f} | "
            f"{sm:>9.1f} {sb:>7.0f} {row['sa_max']:>7.0f} {100 * (known - sb) / known:>5.2f}% "
            f"{row['sa_wall']:>7.2f} {row['sa_sweeps']:>7.0f} | {cm / sm:>10.5f}"
        )
    goal = all(r["caldera_mean"] >= r["sa_mean"] for r in summary.values())
    print(f"goal (caldera mean cut >= SA mean cut on every instance): {'met' if goal else 'NOT met'}")
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%S")
    outdir = HERE / "results"
    outdir.mkdir(exist_ok=True)
    (outdir / f"w3-{stamp}.json").write_text(json.dumps(dict(args=vars(args), runs=rows, summary=summary), indent=1))
    print(f"raw results: {outdir / f'w3-{stamp}.json'}")
    if not args.no_plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, len(traj), figsize=(5 * len(traj), 3.5), squeeze=False)
        for ax, (name, ts) in zip(axes[0], traj.items()):
            for t in ts:
                ax.plot(np.arange(1, t.size + 1), t, lw=0.8)
            ax.axhline(summary[name]["sa_mean"], color="k", ls="--", lw=0.8, label="SA mean cut (equal time)")
            ax.set_title(f"{name}: caldera best cut vs step")
            ax.set_xlabel("step")
            ax.set_ylabel("cut")
            lo = min(t[min(len(t) - 1, len(t) // 5)] for t in ts)
            ax.set_ylim(lo, summary[name]["known"] * 1.001)
            ax.legend(loc="lower right", fontsize=8)
        fig.tight_layout()
        fig.savefig(outdir / f"w3-{stamp}.png", dpi=110)
        print(f"plot: {outdir / f'w3-{stamp}.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
