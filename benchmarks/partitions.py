"""Parallel partitions: speed-up of 2 partitions over 1 on an E/I network, and the crossover size.

For each network size, builds the same sparse 80/20 excitatory/inhibitory LIF
network (as tests/runtime/conftest.py) and times ``--steps`` steps with one
partition and with two (median of ``--reps``), printing steps/s and the
ratio. The smallest size where two partitions win is the crossover; the
compiler's ``partitions="auto"`` threshold (AUTO_PARTITION_MIN_COST, state
elements per extra partition) should sit near it. Run it on a quiet machine:
the ratio is meaningless while other jobs use the cores.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import sys
import time

import caldera
from caldera import compiler

sys.path.insert(0, str(pathlib.Path(__file__).parents[1]))
from tests.runtime.conftest import ei_network  # noqa: E402


def cost_of(n: int, p: float) -> int:
    exc, _ = ei_network(n, p=p)
    return sum(compiler.partitioning.cost(q) for q in compiler.collect_processes(exc))


def time_run(n: int, p: float, parts: int, steps: int) -> float:
    exc, _inh = ei_network(n, p=p)
    cfg = caldera.RunConfig(backend="cpu", partitions=parts)
    exc.run(caldera.RunSteps(1), cfg)
    t0 = time.perf_counter()
    exc.run(caldera.RunSteps(steps))
    dt = time.perf_counter() - t0
    exc.stop()
    return steps / dt


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,4000,10000,20000,40000")
    ap.add_argument("--p", type=float, default=0.002, help="connection probability")
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args(argv)
    rows = []
    print(f"{'neurons':>8} {'state elems':>12} {'1 part steps/s':>15} {'2 parts steps/s':>16} {'speed-up':>9}")
    for n in (int(s) for s in args.sizes.split(",")):
        one = statistics.median(time_run(n, args.p, 1, args.steps) for _ in range(args.reps))
        two = statistics.median(time_run(n, args.p, 2, args.steps) for _ in range(args.reps))
        c = cost_of(n, args.p)
        rows.append({"n": n, "cost": c, "one": one, "two": two, "speedup": two / one})
        print(f"{n:>8} {c:>12} {one:>15.1f} {two:>16.1f} {two / one:>8.2f}x", flush=True)
    wins = [r for r in rows if r["speedup"] > 1.0]
    print(
        f"crossover: {'first win at n=' + str(wins[0]['n']) + ' (' + str(wins[0]['cost']) + ' elems)' if wins else 'none'}; "
        f"auto threshold: {compiler.AUTO_PARTITION_MIN_COST} state elements per extra partition"
    )
    out = pathlib.Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / f"partitions-{int(time.time())}.json").write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
