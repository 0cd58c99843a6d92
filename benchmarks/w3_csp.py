"""CSP time-to-solution: caldera-optim's spiking CSP network against python-constraint2 (backtracking).

Baseline: ``python-constraint2`` (PyPI), the maintained fork of python-constraint, the
plain-Python finite-domain CSP solver people reach for first; its default solver is
backtracking with forward checking and a most-constrained-variable order. It takes the
same binary constraints (as functions of two variables), so both solve the very same
model. It is exact (it also proves unsatisfiability), the network is not; the table
compares time to the first solution only.

Instances: N-queens (n = 8, 16, 24, 32) and graph colouring of planar graphs
(Delaunay, ``caldera_optim.generators.planar_graph``, 4 colours; n = 100, 200, 400)
and of random graphs with mean degree 4 (Erdős–Rényi; 4 colours, n = 100, 200).
For each instance and seed (``--seeds``) the two run back to back in this process
(same machine load); each run has ``--limit`` seconds (the baseline runs in a child
process that is stopped at the limit). Times include building the model.
Reported: medians over seeds, and how many runs solved within the limit.

Usage: ``python benchmarks/w3_csp.py [--seeds 5] [--limit 60] [--out FILE]``; the medians go to
``benchmarks/results/w3-csp-<timestamp>.json`` (or ``--out``), which ``run_all.py`` reads.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import multiprocessing as mp
import pathlib
import statistics
import subprocess
import sys
import time


def ensure_baseline() -> None:
    try:
        import constraint  # noqa: F401
    except ImportError:
        print("installing python-constraint2 with pip ...", flush=True)
        subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "python-constraint2"])


def _baseline_child(kind: str, arg: tuple, q: mp.Queue) -> None:
    import constraint

    t0 = time.perf_counter()
    p = constraint.Problem()
    if kind == "queens":
        n = arg[0]
        p.addVariables(range(n), range(n))
        for i in range(n):
            for j in range(i + 1, n):
                p.addConstraint(lambda a, b, d=j - i: a != b and abs(a - b) != d, (i, j))
    else:
        n, k, edges = arg
        p.addVariables(range(n), range(k))
        for i, j in edges:
            p.addConstraint(lambda a, b: a != b, (int(i), int(j)))
    sol = p.getSolution()
    q.put((time.perf_counter() - t0, sol is not None))


def run_baseline(kind: str, arg: tuple, limit: float) -> tuple[float, bool]:
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    t0 = time.perf_counter()
    proc = ctx.Process(target=_baseline_child, args=(kind, arg, q))
    proc.start()
    proc.join(limit)
    if proc.is_alive():
        proc.terminate()
        proc.join()
        return time.perf_counter() - t0, False
    return q.get() if not q.empty() else (time.perf_counter() - t0, False)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--limit", type=float, default=60.0)
    ap.add_argument("--out", default=None, help="results JSON (default benchmarks/results/w3-csp-<timestamp>.json)")
    args = ap.parse_args(argv)
    ensure_baseline()
    from caldera_optim import graph_coloring, n_queens
    from caldera_optim.generators import planar_graph, random_graph

    n_queens(4).solve(time_limit=5)  # warm-up (plugin loading, first compile)
    instances = []
    for n in (8, 16, 24, 32):
        instances.append((f"queens-{n}", "queens", (n,), lambda n=n: n_queens(n)))
    for n in (100, 200, 400):
        w = planar_graph(n, seed=n).tocoo()
        edges = list(zip(w.row, w.col))
        instances.append((f"planar-{n} k=4", "color", (n, 4, edges), lambda n=n, e=edges: graph_coloring(e, 4, n)))
    for n in (100, 200):
        w = random_graph(n, 4.0 / (n - 1), seed=n).tocoo()
        edges = list(zip(w.row, w.col))
        instances.append((f"ER-{n} d=4 k=4", "color", (n, 4, edges), lambda n=n, e=edges: graph_coloring(e, 4, n)))
    print(
        f"CSP time to first solution, {args.seeds} seeds, limit {args.limit:g} s per run (medians; solved/runs); "
        "caldera and python-constraint2 run back to back"
    )
    hdr = f"{'instance':<18} | {'caldera s':>10} {'solved':>7} | {'python-constraint2 s':>21} {'solved':>7} | {'ratio':>7}"
    print(hdr)
    print("-" * len(hdr))
    summary: dict[str, dict] = {}
    for name, kind, arg, make in instances:
        ct, cs, bt, bs = [], 0, [], 0
        for seed in range(args.seeds):
            t0 = time.perf_counter()
            res = make().solve(time_limit=args.limit, seed=seed)
            ct.append(time.perf_counter() - t0)
            if res.status == "solved":
                cs += 1
                assert make().is_solution(res.solution)
            t, ok = run_baseline(kind, arg, args.limit)
            bt.append(t)
            bs += ok
        cm, bm = statistics.median(ct), statistics.median(bt)
        summary[name] = dict(caldera_s=cm, caldera_solved=cs, baseline_s=bm, baseline_solved=bs, runs=args.seeds)
        print(
            f"{name:<18} | {cm:>10.3f} {cs:>3}/{args.seeds:<3} | {bm:>21.3f} {bs:>3}/{args.seeds:<3} | "
            f"{bm / cm:>6.2f}x",
            flush=True,
        )
    print("ratio = baseline median / caldera median (> 1: caldera faster); unsolved runs count at the limit")
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%S")
    out = (
        pathlib.Path(args.out)
        if args.out
        else pathlib.Path(__file__).resolve().parent / "results" / f"w3-csp-{stamp}.json"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = dict(seeds=args.seeds, limit_s=args.limit, baseline="python-constraint2")
    out.write_text(json.dumps(dict(meta=meta, summary=summary), indent=1))
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
