"""The ANYmal MPC QP: caldera's PIPG network beside lava-optimization's, both measured in this run.

The QP (tests/optim/data/anymal_mpc_qp.npz: 264 variables, 144 equality constraints) is
the one lava-optimization's own QP test solves. Its side runs here, in a Python 3.10
environment with lava-optimization 0.5.0 (``w3_mpc_qp_lava.py``, set up as that test:
Ruiz preconditioning, its step sizes and schedules; 2 time steps per iteration), at the
same iteration counts. Caldera's side is reported three ways, because its default runs
five replicas with different primal/dual step ratios and keeps the best (five times the
work of one replica per iteration):

* ``best of 5``: the default (``omegas`` 0.1, 1, 10, 100, 1000 times PIPG's ratio);
* ``1 replica, omega 1``: one replica at PIPG's own ratio (no choice made after the fact);
* ``1 replica, omega*``: one replica at the ratio the best-of-5 run picked (chosen after seeing it).

Goal of issue 6: >= 10x lower violation ||Ax - k|| than lava-optimization at 1000 iterations, and
convergence to the optimum -500549.914362 (relative 1e-6). Wall times are medians over ``--reps``
runs (network build included; Lava's includes its compile), on whatever load the machine has.

lava-optimization's interpreter: ``--lava-python`` (or ``CALDERA_LAVA_OPT_PYTHON``); else the Lava
environment of ``w1.py`` (``provision_lava``), into which lava-optimization==0.5.0 is pip-installed
when it is missing; if none can be had the table says so and has no Lava row.

Usage: ``python benchmarks/w3_mpc_qp.py [--iters 1000,3000] [--check 10] [--reps 3] [--lava-python PY]``
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import pathlib
import statistics
import subprocess
import sys

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
DATA = HERE.parent / "tests" / "optim" / "data" / "anymal_mpc_qp.npz"
OPTIMUM = -500549.914362
LAVA_OPT_REQUIREMENT = "lava-optimization==0.5.0"


def lava_python(given: str | None) -> tuple[str | None, str]:
    """An interpreter that imports lava.lib.optimization, or ``(None, why)``."""
    check = "import lava.lib.optimization.solvers.generic.solver"
    sys.path.insert(0, str(HERE))
    from w1 import _python_ok, provision_lava

    if given:
        if _python_ok(given, check):
            return given, f"lava-optimization from {given}"
        return None, f"{given} cannot import lava-optimization"
    py, why = provision_lava(None, log=lambda *a, **k: print(*a, **k))
    if py is None:
        return None, why
    if not _python_ok(py, check):
        print(f"[w3-mpc] pip install {LAVA_OPT_REQUIREMENT} into {py} (once)", file=sys.stderr)
        r = subprocess.run([py, "-m", "pip", "install", "-q", LAVA_OPT_REQUIREMENT], capture_output=True, text=True)
        if r.returncode != 0 or not _python_ok(py, check):
            return None, f"could not install {LAVA_OPT_REQUIREMENT} into {py}: {(r.stderr or r.stdout)[-300:]}"
    return py, f"lava-optimization from {py}"


def run_lava(py: str, iters: list[int], reps: int) -> dict[int, dict]:
    out: dict[int, list] = {}
    for _ in range(reps):
        r = subprocess.run(
            [py, str(HERE / "w3_mpc_qp_lava.py"), str(DATA), *map(str, iters)], capture_output=True, text=True
        )
        if r.returncode != 0:
            raise RuntimeError(f"lava-optimization run failed: {r.stderr[-500:]}")
        for line in r.stdout.splitlines():
            if line.startswith("{"):
                d = json.loads(line)
                out.setdefault(d["iterations"], []).append(d)
    return {
        it: dict(
            violation=statistics.median(d["violation"] for d in ds),
            objective=statistics.median(d["objective"] for d in ds),
            wall_s=statistics.median(d["wall_s"] for d in ds),
        )
        for it, ds in out.items()
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iters", default="1000,3000", help="iteration counts compared (comma-separated)")
    ap.add_argument("--check", type=int, default=10)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--lava-python", default=os.environ.get("CALDERA_LAVA_OPT_PYTHON"))
    ap.add_argument("--no-lava", action="store_true")
    args = ap.parse_args(argv)
    from caldera_optim import QP, solve_qp

    iters = sorted({int(s) for s in args.iters.split(",") if s.strip()})
    z = np.load(DATA)
    q, p, a, k = z["A"], z["C"].ravel(), z["B"], z["D"].ravel()
    qp = QP(q, p, E=a, f=k)
    solve_qp(qp, max_iter=10)  # warm-up: plugin loading and first-use costs

    def caldera(omegas) -> tuple[dict[int, dict], list, float]:
        runs = []
        for _ in range(args.reps):
            rec: list = []
            res = solve_qp(
                qp,
                max_iter=max(iters),
                tol=1e-12,
                check_every=args.check,
                omegas=omegas,
                record=lambda it, t, x, rec=rec: rec.append(
                    (it, t, float(np.linalg.norm(a @ x - k)), abs(qp.objective(x) - OPTIMUM) / abs(OPTIMUM))
                ),
            )
            runs.append((res, rec))
        at = {}
        for it in iters:
            rows = [next(r for r in rec if r[0] >= it) for _, rec in runs]
            at[it] = dict(violation=rows[0][2], rel_error=rows[0][3], wall_s=statistics.median(r[1] for r in rows))
        return at, runs, runs[0][0].omega

    from caldera_optim.qp_solver import DEFAULT_OMEGAS

    best5, runs5, picked = caldera(DEFAULT_OMEGAS)
    single1, _, _ = caldera((1.0,))
    single_star, _, _ = caldera((picked,))
    lava, lava_note = None, "not run (--no-lava)"
    if not args.no_lava:
        py, lava_note = lava_python(args.lava_python)
        if py is not None:
            lava = run_lava(py, iters, args.reps)
    print(
        f"ANYmal MPC QP: n={q.shape[0]}, {a.shape[0]} equality constraints; {args.reps} runs per row "
        f"(wall times: medians, build included); Lava: {lava_note}"
    )
    hdr = f"{'solver':<34} {'iters':>6} {'||Ax-k||':>10} {'rel. obj. error':>16} {'wall s':>8} {'vs Lava':>9}"
    print(hdr)
    print("-" * len(hdr))
    summary: dict = {}
    for it in iters:
        lv = lava.get(it) if lava else None
        rows = [
            ("caldera best of 5 replicas", best5[it]),
            ("caldera 1 replica, omega 1", single1[it]),
            (f"caldera 1 replica, omega* = {picked:g}", single_star[it]),
        ]
        if lv:
            rows.append(
                (
                    "lava-optimization 0.5.0 (PIPG)",
                    dict(
                        violation=lv["violation"],
                        rel_error=abs(lv["objective"] - OPTIMUM) / abs(OPTIMUM),
                        wall_s=lv["wall_s"],
                    ),
                )
            )
        for name, r in rows:
            ratio = f"{lv['violation'] / r['violation']:.3g}x" if lv and r["violation"] > 0 else "-"
            print(f"{name:<34} {it:>6} {r['violation']:>10.3e} {r['rel_error']:>16.2e} {r['wall_s']:>8.3f} {ratio:>9}")
            summary[f"{name}@{it}"] = r
    if lava and 1000 in lava and 1000 in best5:
        for name, r in (("best of 5", best5[1000]), ("1 replica, omega 1", single1[1000])):
            ok = r["violation"] * 10 <= lava[1000]["violation"]
            print(f"goal (>= 10x lower violation than Lava at 1000 iterations), {name}: {'met' if ok else 'NOT met'}")
    res = runs5[0][0]
    print(
        f"best of 5, final after {res.iterations} iterations: objective {res.objective:.6f} (optimum {OPTIMUM}), "
        f"relative error {abs(res.objective - OPTIMUM) / abs(OPTIMUM):.2e}"
    )
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%S")
    out = HERE / "results" / f"w3-mpc-{stamp}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(dict(args=vars(args), lava=lava, lava_note=lava_note, summary=summary), indent=1))
    print(f"raw results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
