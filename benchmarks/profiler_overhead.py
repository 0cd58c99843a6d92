"""What the profiler costs: W1's network (LIF -> Dense -> LIF) run plain and profiled, side by side.

For each (backend, n, tag) it builds a fresh network per repetition, runs ``--steps`` steps once without
profiling and once with ``RunConfig(profile=True)`` (order alternating between repetitions), and prints the
medians of steps/s and their ratio. Profiling off must cost nothing: the step loop is the same code (the
executor swaps in timed calls only for a profiled run); ``--plain-only`` prints just the plain figures, to
compare two checkouts of caldera run one after the other (e.g. ``PYTHONPATH=<other>/core/src``).

Usage: ``python benchmarks/profiler_overhead.py [--reps 9] [--steps 2000] [--sizes 100,1000] [--backends cpu]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

import numpy as np


def build(n, tag, seed=0):
    from caldera.procs import LIF, Dense

    rng = np.random.default_rng(seed)
    if tag == "fixed_pt":
        a = LIF(shape=(n,), du=409, dv=409, vth=100, bias_mant=rng.integers(50, 150, n), bias_exp=6)
        syn = Dense(weights=rng.integers(-20, 60, (n, n)))
        b = LIF(shape=(n,), du=409, dv=409, vth=200)
    else:
        a = LIF(shape=(n,), du=0.1, dv=0.1, vth=1.0, bias_mant=rng.uniform(0.05, 0.15, n))
        syn = Dense(weights=rng.uniform(-0.05, 0.2, (n, n)))
        b = LIF(shape=(n,), du=0.1, dv=0.1, vth=2.0)
    a.s_out.connect(syn.s_in)
    syn.a_out.connect(b.a_in)
    return a


def steps_per_s(n: int, tag: str, backend: str, steps: int, profile: bool) -> float:
    import caldera

    a = build(n, tag)
    extra = {"profile": True} if profile else {}  # plain: no keyword, so that checkouts before the profiler run too
    a.run(caldera.RunSteps(1), caldera.RunConfig(backend=backend, tag=tag, **extra))  # compile + first step
    t0 = time.perf_counter()
    a.run(caldera.RunSteps(steps))
    dt = time.perf_counter() - t0
    a.stop()
    return steps / dt


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=9)
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--sizes", default="100,1000")
    ap.add_argument("--tags", default="fixed_pt,floating_pt")
    ap.add_argument("--backends", default="cpu")
    ap.add_argument("--plain-only", action="store_true", help="only the unprofiled figures (to compare checkouts)")
    ap.add_argument("--json", action="store_true", help="print the medians as JSON")
    a = ap.parse_args(argv)
    configs = [(b, int(n), t) for b in a.backends.split(",") for n in a.sizes.split(",") for t in a.tags.split(",")]
    modes = [False] if a.plain_only else [False, True]
    samples: dict = {(c, m): [] for c in configs for m in modes}
    for rep in range(a.reps):
        for c in configs:
            order = modes if rep % 2 == 0 else modes[::-1]
            for m in order:
                samples[(c, m)].append(steps_per_s(c[1], c[2], c[0], a.steps, m))
    rows = []
    print(
        f"{'backend':8} {'n':>5} {'tag':12} {'plain steps/s':>14}"
        + ("" if a.plain_only else f" {'profiled':>12} {'cost':>7}")
    )
    for c in configs:
        plain = statistics.median(samples[(c, False)])
        row = {"backend": c[0], "n": c[1], "tag": c[2], "plain": plain}
        line = f"{c[0]:8} {c[1]:>5} {c[2]:12} {plain:>14,.0f}"
        if not a.plain_only:
            prof = statistics.median(samples[(c, True)])
            row["profiled"] = prof
            line += f" {prof:>12,.0f} {100 * (plain / prof - 1):>6.0f}%"
        rows.append(row)
        print(line)
    print(f"medians of {a.reps} repetitions of {a.steps} steps (fresh network each), plain and profiled alternating")
    if a.json:
        print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
