"""W4: dynamic neural fields — caldera-dnf on caldera ``cpu`` against lava-dnf 0.3 on Lava 0.10.

Two selective fields, each driven by two Gaussian inputs through rate-code spike generators (lava-dnf's
tutorial set-up: ``LIF(du=409, dv=2047, vth=200)``, ``SelectiveKernel(20, 2.25, -15)``, ``Weights(25)``,
``fixed_pt``):

- ``1d``: 100 neurons; ``2d``: 50x50 neurons (a 2500x2500 lateral weight matrix, full because of the
  global inhibition; caldera-dnf's ``connect`` makes it a Dense connection, lava-dnf a Sparse one —
  ``--sparse`` also measures caldera with Sparse everywhere).

Caldera runs on ``cpu`` (the figure the issue asks for) and, when ``caldera-cython`` is installed, on
``cython`` too (``--backends``). For each, ``--steps`` (1000) steps after a first one: steps/s (the figure),
plus the build time (network + weights) and the start-up (compile + first step). Caldera runs in this
interpreter (a fresh network per repetition); Lava runs ``benchmarks/w4_dnf_lava.py`` under
``--lava-python`` (Python 3.10 with lava-nc 0.10 and lava-dnf 0.3). The fields' final ``u`` and ``v``
are compared: caldera's ``fixed_pt`` is bit-exact with Lava, so they must be equal. Figures are medians [min-max] over
repetitions (the first caldera repetition pays the imports); the results go to
``benchmarks/results/w4-<timestamp>.json``.

Usage: ``python benchmarks/w4_dnf.py [--reps 5] [--lava-reps 3] [--steps 1000] [--no-lava] [--only 1d] [--sparse]``
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import pathlib
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
LAVA_SCRIPT = HERE / "w4_dnf_lava.py"
sys.path.insert(0, str(HERE))
import refenv  # noqa: E402 - the reference environments' cache (benchmarks/refenv.py)

DEFAULT_LAVA_PYTHON = str(refenv.python("lava"))
GOAL = 50.0

# the same workloads as WORKLOADS in w4_dnf_lava.py
WORKLOADS = {
    "1d": {"shape": (100,), "width": 2.25, "means": [(30.0,), (70.0,)]},
    "2d": {"shape": (50, 50), "width": [2.25, 2.25], "means": [(35.0, 15.0), (12.0, 40.0)]},
}


def build(spec, tag="fixed_pt", connection_class=None):
    """The W4 network in caldera-dnf; returns the field (the process to run)."""
    import caldera_dnf as dnf

    shape = spec["shape"]
    field = dnf.lif_field(shape, tag=tag, du=409, dv=2047, vth=200)
    kernel = dnf.SelectiveKernel(amp_exc=20, width_exc=spec["width"], global_inh=-15)
    dnf.connect(field.s_out, field.a_in, [dnf.Convolution(kernel)], connection_class, weight_scale=1)
    for k, mean in enumerate(spec["means"]):
        pat = dnf.GaussPattern(shape=shape, amplitude=10000 if k == 0 else 6000, mean=list(mean), stddev=2.25)
        gen = dnf.RateCodeSpikeGen(shape=shape, seed=11 + k)
        pat.a_out.connect(gen.a_in)
        dnf.connect(gen.s_out, field.a_in, [dnf.Weights(25)], connection_class, weight_scale=1)
    return field


def run_caldera(name, steps, tag="fixed_pt", connection_class=None, backend="cpu"):
    from caldera import RunConfig, RunSteps

    cfg = RunConfig(backend=backend, tag=tag)
    t0 = time.perf_counter()
    field = build(WORKLOADS[name], tag, connection_class)
    t1 = time.perf_counter()
    field.run(condition=RunSteps(1), run_cfg=cfg)
    t2 = time.perf_counter()
    field.run(condition=RunSteps(steps), run_cfg=cfg)
    t3 = time.perf_counter()
    u, v = field.u.get(), field.v.get()
    field.stop()
    return {
        "build_s": t1 - t0,
        "startup_s": t2 - t1,
        "steps_per_s": steps / (t3 - t2),
        "u": np.asarray(u).astype(int).ravel().tolist(),
        "v": np.asarray(v).astype(int).ravel().tolist(),
    }


def run_lava(python, name, steps, reps):
    proc = subprocess.run(
        [python, str(LAVA_SCRIPT), name, str(steps), str(reps)], capture_output=True, text=True, timeout=3600
    )
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or len(rows) != reps:
        raise RuntimeError(f"the Lava run of {name} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return rows


def summary(samples):
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples), "n": len(samples)}


def fmt(s, spec=".0f"):
    return f"{s['median']:{spec}} [{s['min']:{spec}}-{s['max']:{spec}}]"


def main(argv=None):
    ap = argparse.ArgumentParser(description="W4: dynamic neural fields, caldera vs lava-dnf")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--lava-reps", type=int, default=3)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--only", choices=sorted(WORKLOADS), action="append")
    ap.add_argument("--no-lava", action="store_true")
    ap.add_argument(
        "--sparse",
        action="store_true",
        help="also run caldera with every connection Sparse (lava-dnf's choice; slow for full matrices)",
    )
    ap.add_argument("--lava-python", default=DEFAULT_LAVA_PYTHON)
    ap.add_argument(
        "--backends",
        default=None,
        help="comma-separated caldera backends (default: cpu, and cython if caldera-cython is installed)",
    )
    ap.add_argument("--out", default=None, help="results JSON (default benchmarks/results/w4-<timestamp>.json)")
    args = ap.parse_args(argv)
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover

        def tqdm(x, **_):
            return x

    from caldera.procs import Sparse

    names = args.only or list(WORKLOADS)
    if not args.no_lava and args.lava_python == DEFAULT_LAVA_PYTHON:  # the cached environment: created on first use
        try:
            args.lava_python = str(refenv.ensure("lava", log=lambda m: print(m, file=sys.stderr)))
        except refenv.RefEnvError as e:
            print(f"(Lava side skipped: {e})", file=sys.stderr)
            args.no_lava = True
    if args.backends:
        backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    else:
        import importlib.util

        backends = ["cpu"] + (["cython"] if importlib.util.find_spec("caldera_cython") else [])
    results = {}
    for name in names:
        res = {}
        systems = [(f"caldera {b}", None, b) for b in backends]
        systems += [("caldera cpu, all Sparse", Sparse, "cpu")] if args.sparse else []
        for label, cls, backend in systems:
            rows = [
                run_caldera(name, args.steps, connection_class=cls, backend=backend)
                for _ in tqdm(range(args.reps), desc=f"{name} {label}", leave=False)
            ]
            res[label] = rows
        if not args.no_lava:
            print(f"running lava-dnf {name} ({args.lava_reps} reps) ...", file=sys.stderr, flush=True)
            res["lava-dnf 0.3 / Lava 0.10"] = run_lava(args.lava_python, name, args.steps, args.lava_reps)
        results[name] = res

    print(f"\nW4 dynamic neural fields, fixed_pt, {args.steps} steps; medians [min-max]")
    print(f"{'workload':9} {'system':28} {'steps/s':>24} {'start-up s':>22} {'build s':>22} {'x lava':>8}")
    table = {}
    for name, res in results.items():
        lava = res.get("lava-dnf 0.3 / Lava 0.10")
        lava_sps = statistics.median(r["steps_per_s"] for r in lava) if lava else None
        for label, rows in res.items():
            sps = summary([r["steps_per_s"] for r in rows])
            st = summary([r["startup_s"] for r in rows])
            bd = summary([r["build_s"] for r in rows])
            ratio = sps["median"] / lava_sps if lava_sps else float("nan")
            table[f"{name}/{label}"] = {"steps_per_s": sps, "startup_s": st, "build_s": bd, "x_lava": ratio}
            shown = f"{ratio:8.1f}" if lava_sps else f"{'-':>8}"
            print(f"{name:9} {label:28} {fmt(sps):>24} {fmt(st, '.3f'):>22} {fmt(bd, '.3f'):>22} {shown}")
        if lava:
            same = all(r["u"] == lava[0]["u"] and r["v"] == lava[0]["v"] for rows in res.values() for r in rows)
            print(f"{name:9} final u and v of every caldera run equal Lava's: {same}")
            table[f"{name}/equal_state"] = same
    out = (
        pathlib.Path(args.out)
        if args.out
        else HERE / "results" / ("w4-" + _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%S") + ".json")
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    slim = {
        n: {lbl: [{k: v for k, v in r.items() if k not in ("u", "v")} for r in rows] for lbl, rows in res.items()}
        for n, res in results.items()
    }
    out.write_text(json.dumps({"steps": args.steps, "goal_x_lava": GOAL, "summary": table, "samples": slim}, indent=1))
    print(f"goal: >= {GOAL:.0f}x lava-dnf steps/s; results written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
