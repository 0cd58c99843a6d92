"""W2: the classic CUBA network on caldera backends and on Brian2 (cython and numpy targets), side by side.

The network (Vogels & Abbott 2005; Brian's ``examples/CUBA.py``): ``n`` LIF neurons
(80 % excitatory), connection probability 0.02, dt 0.1 ms, taum 20 ms, taue 5 ms,
taui 10 ms, refractory 5 ms, 1 s of biological time = 10,000 steps. In caldera it is
two ``CubaLIF`` populations and four event-driven ``Sparse`` connections (E->E, E->I,
I->E, I->I); a ``Sparse`` of ones into an integrating ``LIF`` per population counts the
spikes (so no per-step Python and no (steps x n) spike raster is needed).

Units: v is measured from the reset potential (-60 mV) in mV, so vth = 10, and the
currents are voltage increments per step: ``u_exc = dt/taum * ge``, hence
``w_exc = 0.005 * 1.62 mV`` and ``w_inh = 0.005 * -9 mV``, ``bias = dt/taum * (El - Vr)``;
the decays are forward-Euler factors (``du = dt/tau``) and Brian2 integrates with
``method="euler"``, so both compute the same discrete system. Brian2 holds v for
``timestep(5 ms) - 1 = 49`` steps after a spike (it integrates again when
``t - lastspike >= 5 ms``); caldera's ``refractory_period`` counts held steps, so it is 49.
One difference remains: Brian2 adds a spike's weight to ``ge`` after the step's decay,
CubaLIF (like Lava's LIF) decays the current and then adds the input, so the old part
of the current is decayed once more per step (factor 0.98 / 0.99); rates are compared
with that caveat.

Every measurement runs in a fresh interpreter (caldera: this script with ``--worker``;
Brian2: ``w2_brian2.py`` in the Brian2 venv), which reports build / simulation / total
wall time, its peak RSS and the firing rates. Printed: medians over ``--reps``
repetitions with [min-max], ratios against Brian2, then the scaling table for
``--scaling`` sizes; raw results go to ``benchmarks/results/w2-<timestamp>.json`` and a
plot to ``benchmarks/results/w2-scaling-<timestamp>.png``.

Usage: ``python benchmarks/w2_cuba.py [--reps 5] [--scaling-reps 3] [--quick] [--no-brian2]``.
Brian2 runs in the cached reference environment ``brian2`` (``benchmarks/refenv.py``, created on first use
with ``brian2 "numpy<2.3" cython``), or the interpreter given with ``--brian2-python`` / ``BRIAN2_PYTHON``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import pathlib
import resource
import statistics
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
RESULTS = HERE / "results"
BRIAN2_SCRIPT = HERE / "w2_brian2.py"
sys.path.insert(0, str(HERE))
import refenv  # noqa: E402 - the reference environments' cache (benchmarks/refenv.py)

DEFAULT_BRIAN2_PYTHON = refenv.python("brian2")
BRIAN2_CACHE = pathlib.Path.home() / ".cache" / "caldera-w2-brian2"  # compiled once, reused
WORKER_TIMEOUT_S = 1800

DT_MS, TAUM_MS, TAUE_MS, TAUI_MS = 0.1, 20.0, 5.0, 10.0
VTH_MV, EL_REL_MV = 10.0, 11.0  # threshold and resting potential, measured from the reset (-60 mV)
WE_MV, WI_MV = 60 * 0.27 / 10, -20 * 4.5 / 10
REFRACTORY_STEPS = 49  # see the module docstring
P_CONNECT = 0.02


# ---------------------------------------------------------------------------------------------
# caldera side
# ---------------------------------------------------------------------------------------------
def build(n: int, seed: int = 0):
    """The CUBA network as caldera processes; returns (root, populations, counters)."""
    import numpy as np
    from caldera.procs import LIF, CubaLIF, Sparse
    from scipy import sparse as sp

    rng = np.random.default_rng(seed)
    ne = int(round(0.8 * n))
    ni = n - ne
    dv = DT_MS / TAUM_MS
    params = dict(
        du_exc=DT_MS / TAUE_MS,
        du_inh=DT_MS / TAUI_MS,
        dv=dv,
        vth=VTH_MV,
        bias_mant=dv * EL_REL_MV,
        refractory_period=REFRACTORY_STEPS,
    )
    exc = CubaLIF(shape=(ne,), v=rng.uniform(0, VTH_MV, ne), name="exc", **params)
    inh = CubaLIF(shape=(ni,), v=rng.uniform(0, VTH_MV, ni), name="inh", **params)
    pops = {"exc": exc, "inh": inh}
    for pre, w in (("exc", dv * WE_MV), ("inh", dv * WI_MV)):
        for post in ("exc", "inh"):
            n_pre, n_post = pops[pre].shape[0], pops[post].shape[0]
            mask = sp.random(
                n_post, n_pre, density=P_CONNECT, format="csr", random_state=rng, data_rvs=lambda k, w=w: np.full(k, w)
            )
            syn = Sparse(weights=mask, name=f"{pre}->{post}")
            pops[pre].s_out.connect(syn.s_in)
            syn.a_out.connect(pops[post].a_in_exc if pre == "exc" else pops[post].a_in_inh)
    counters = {}
    for key, pop in pops.items():  # spike counters: u = input, v accumulates
        k = pop.shape[0]
        syn = Sparse(weights=sp.csr_matrix(np.ones((1, k))), name=f"count-{key}")
        cnt = LIF(shape=(1,), du=1.0, dv=0.0, vth=1e300, name=f"counter-{key}")
        pop.s_out.connect(syn.s_in)
        syn.a_out.connect(cnt.a_in)
        counters[key] = (syn, cnt)
    return exc, pops, counters


def worker(backend: str, n: int, steps: int, seed: int) -> dict:
    t0 = time.perf_counter()
    import caldera

    root, pops, counters = build(n, seed)
    root.compile(caldera.RunConfig(backend=backend, tag="floating_pt"))
    t1 = time.perf_counter()
    root.run(caldera.RunSteps(num_steps=steps))
    t2 = time.perf_counter()
    rates = {}
    for key, (syn, cnt) in counters.items():
        # spikes counted so far, plus those of the last step (still in the synapse's buffer)
        total = float(cnt.v.get()[0] + syn.a_buff.get()[0])
        rates[key] = total / (pops[key].shape[0] * steps * DT_MS * 1e-3)
    ex = root.runtime.executor
    out = {
        "build_s": t1 - t0,
        "sim_s": t2 - t1,
        "total_s": t2 - t0,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rate_exc_hz": rates["exc"],
        "rate_inh_hz": rates["inh"],
        "synapses": int(sum(s.weights.get().nnz for s in _sparse_procs(pops))),
        "compiled_loop": bool(getattr(ex, "compiled", False)),
        "processes": len(root.runtime.net.leaves),
    }
    root.stop()
    return out


def _sparse_procs(pops: dict) -> list:
    out = []
    for pop in pops.values():
        for port in pop.s_out.out_connections:
            proc = port.process
            if proc is not None and not proc.name.startswith("count-"):
                out.append(proc)
    return out


# ---------------------------------------------------------------------------------------------
# harness
# ---------------------------------------------------------------------------------------------
def _run_json(cmd: list[str], timeout: int = WORKER_TIMEOUT_S) -> dict:
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def caldera_backends() -> dict[str, str | None]:
    """Installed backends -> None if they run CubaLIF (floating_pt), else why not."""
    from caldera import plugins
    from caldera.procs import CubaLIF

    out = {}
    for name, b in sorted(plugins.backends().items()):
        ok = any(
            m.implements_process is CubaLIF and "floating_pt" in m.tags and b.accepts(m)
            for _, m in plugins.process_models()
        )
        out[name] = None if ok else "no floating_pt CubaLIF model"
    return out


def _median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def _summ(samples: list[dict]) -> dict:
    keys = ("build_s", "sim_s", "total_s", "peak_rss_mb", "rate_exc_hz", "rate_inh_hz")
    return {
        k: {
            "median": _median([s[k] for s in samples]),
            "min": min(s[k] for s in samples),
            "max": max(s[k] for s in samples),
        }
        for k in keys
    } | {"n": len(samples)}


def measure(
    systems: list[tuple[str, str]], sizes: list[int], reps: int, steps: int, brian2_python: str | None, progress
) -> dict:
    """Repetitions are interleaved (rep 1 of every system, then rep 2, ...) so that changes of the
    machine's load during the measurement affect every system alike."""
    results: dict = {}
    for n in sizes:
        per_system: dict[tuple[str, str], list[dict]] = {s: [] for s in systems}
        for r in range(reps):
            for kind, name in systems:
                samples = per_system[(kind, name)]
                if kind == "caldera":
                    cmd = [
                        sys.executable,
                        str(pathlib.Path(__file__)),
                        "--worker",
                        name,
                        "--n",
                        str(n),
                        "--steps",
                        str(steps),
                        "--seed",
                        str(r),
                    ]
                else:
                    cmd = [
                        brian2_python,
                        str(BRIAN2_SCRIPT),
                        "--target",
                        name,
                        "--n",
                        str(n),
                        "--steps",
                        str(steps),
                        "--seed",
                        str(r),
                        "--cache-dir",
                        str(BRIAN2_CACHE),
                    ]
                try:
                    samples.append(_run_json(cmd))
                except (RuntimeError, subprocess.TimeoutExpired) as e:
                    print(f"\n{kind} {name} n={n}: {e}", file=sys.stderr)
                progress.update(1)
        for (kind, name), samples in per_system.items():
            if samples:
                results[f"{kind}:{name}:{n}"] = {"samples": samples, "summary": _summ(samples)}
    return results


def _fmt(summary: dict, key: str, digits: int = 2) -> str:
    s = summary[key]
    return f"{s['median']:.{digits}f} [{s['min']:.{digits}f}-{s['max']:.{digits}f}]"


def report(results: dict, systems: list[tuple[str, str]], n: int) -> list[str]:
    lines = [f"W2 CUBA, n={n}, 10,000 steps (1 s at dt 0.1 ms) unless --steps; medians [min-max]"]
    hdr = f"{'system':24s} {'sim s':>22s} {'total s':>22s} {'peak MB':>22s} {'exc Hz':>20s} {'inh Hz':>20s}"
    lines.append(hdr)
    for kind, name in systems:
        r = results.get(f"{kind}:{name}:{n}")
        if r is None:
            continue
        s = r["summary"]
        lines.append(
            f"{kind + ' ' + name:24s} {_fmt(s, 'sim_s'):>22s} {_fmt(s, 'total_s'):>22s} "
            f"{_fmt(s, 'peak_rss_mb', 0):>22s} {_fmt(s, 'rate_exc_hz'):>20s} {_fmt(s, 'rate_inh_hz'):>20s}"
        )

    def med(kind, name, key):
        r = results.get(f"{kind}:{name}:{n}")
        return r["summary"][key]["median"] if r else None

    pairs = [
        (("caldera", "cython"), ("brian2", "cython")),
        (("caldera", "cpu"), ("brian2", "numpy")),
        (("caldera", "cython"), ("brian2", "numpy")),
    ]
    for a, b in pairs:
        for key in ("sim_s", "total_s", "peak_rss_mb", "rate_exc_hz"):
            x, y = med(*a, key), med(*b, key)
            if x is not None and y is not None and y:
                lines.append(f"  {a[0]} {a[1]} / {b[0]} {b[1]} {key}: {x / y:.2f}")
    return lines


def plot(results: dict, systems: list[tuple[str, str]], sizes: list[int], path: pathlib.Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(matplotlib not installed: no plot)")
        return
    fig, ax = plt.subplots(figsize=(6, 4))
    for kind, name in systems:
        xs = [n for n in sizes if f"{kind}:{name}:{n}" in results]
        ys = [results[f"{kind}:{name}:{n}"]["summary"]["sim_s"]["median"] for n in xs]
        if xs:
            ax.loglog(xs, ys, "o-", label=f"{kind} {name}")
    ax.set_xlabel("neurons")
    ax.set_ylabel("simulation wall time [s] (median)")
    ax.set_title("W2 CUBA scaling")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"plot: {path}")


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=4000)
    p.add_argument("--steps", type=int, default=10_000)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--scaling", default="1000,4000,16000", help="sizes for the scaling table ('' to skip)")
    p.add_argument("--scaling-reps", type=int, default=3)
    p.add_argument("--quick", action="store_true", help="2 reps, 2,000 steps, scaling 1000,4000 (a smoke run)")
    p.add_argument("--no-brian2", action="store_true")
    p.add_argument("--brian2-python", default=os.environ.get("BRIAN2_PYTHON", str(DEFAULT_BRIAN2_PYTHON)))
    p.add_argument("--backends", default=None, help="comma-separated caldera backends (default: every one that can)")
    p.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    p.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.worker:
        print(json.dumps(worker(a.worker, a.n, a.steps, a.seed)))
        return {}
    if a.quick:
        a.reps, a.steps, a.scaling, a.scaling_reps = 2, 2000, "1000,4000", 1
    avail = caldera_backends()
    names = a.backends.split(",") if a.backends else [b for b, why in avail.items() if why is None]
    for b, why in avail.items():
        if why and b in names:
            print(f"(skipping caldera backend {b}: {why})")
            names.remove(b)
    systems = [("caldera", b) for b in names]
    brian2 = None if a.no_brian2 else a.brian2_python
    if brian2 == str(DEFAULT_BRIAN2_PYTHON):  # the cached environment: created on first use
        try:
            brian2 = str(refenv.ensure("brian2"))
        except refenv.RefEnvError as e:
            print(f"(Brian2 columns skipped: {e})")
            brian2 = None
    if brian2 and not pathlib.Path(brian2).exists():
        print(f"(Brian2 interpreter {brian2} not found: Brian2 columns skipped; see the module docstring)")
        brian2 = None
    if brian2:
        systems += [("brian2", "cython"), ("brian2", "numpy")]
        BRIAN2_CACHE.mkdir(parents=True, exist_ok=True)
    sizes = [int(x) for x in a.scaling.split(",") if x] if a.scaling else []
    from tqdm import tqdm

    total = len(systems) * (a.reps + a.scaling_reps * len([s for s in sizes if s != a.n]))
    with tqdm(total=total, desc="W2 runs", unit="run") as bar:
        res = measure(systems, [a.n], a.reps, a.steps, brian2, bar)
        res |= measure(systems, [s for s in sizes if s != a.n], a.scaling_reps, a.steps, brian2, bar)
    lines = report(res, systems, a.n)
    if sizes:
        lines.append("")
        lines.append("Scaling: simulation seconds (median); then wall microseconds per 1,000 synaptic events delivered")
        lines.append(f"{'system':24s} " + " ".join(f"{'n=' + str(s):>14s}" for s in sizes))
        for kind, name in systems:
            row = []
            for s in sizes:
                r = res.get(f"{kind}:{name}:{s}")
                row.append(f"{r['summary']['sim_s']['median']:14.2f}" if r else f"{'-':>14s}")
            lines.append(f"{kind + ' ' + name:24s} " + " ".join(row))
        for kind, name in systems:
            row = []
            for s in sizes:
                r = res.get(f"{kind}:{name}:{s}")
                if r:
                    sm = r["summary"]
                    rate = sm["rate_exc_hz"]["median"] * 0.8 + sm["rate_inh_hz"]["median"] * 0.2
                    events = rate * s * (a.steps * DT_MS * 1e-3) * P_CONNECT * s  # spikes x fan-out
                    row.append(f"{sm['sim_s']['median'] / max(events / 1000, 1e-9) * 1e6:11.2f} us")
                else:
                    row.append(f"{'-':>14s}")
            lines.append(f"{kind + ' ' + name + ' /1k ev':24s} " + " ".join(row))
    print("\n".join(lines))
    RESULTS.mkdir(exist_ok=True)
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%S")
    out = {"args": vars(a), "results": res, "report": lines}
    (RESULTS / f"w2-{stamp}.json").write_text(json.dumps(out, indent=1))
    print(f"results: {RESULTS / f'w2-{stamp}.json'}")
    if sizes:
        plot(res, systems, sizes, RESULTS / f"w2-scaling-{stamp}.png")
    return out


if __name__ == "__main__":
    main()
