"""``caldera qubo solve FILE``: solve a QUBO / Max-Cut file and print the result (or one JSON object)."""

from __future__ import annotations

import argparse
import json
import sys

from caldera.errors import CalderaError


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``qubo`` subcommands (``solve``) to ``parser``."""
    sub = parser.add_subparsers(dest="qubo_command")
    s = sub.add_parser("solve", help="solve a G-set/rudy, .npy, .npz or MatrixMarket problem")
    s.add_argument("file", help="problem file: G-set/rudy edge list (Max-Cut), dense .npy, sparse .npz or .mtx")
    s.add_argument("--time-limit", type=float, default=None, help="seconds (default: 10 unless --steps is given)")
    s.add_argument("--steps", type=int, default=None, help="step budget")
    s.add_argument("--target", type=float, default=None, help="stop once a cost <= TARGET is found")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--backend", default=None, help="backend name (see `caldera plugins`)")
    s.add_argument("--tag", default="floating_pt", choices=["floating_pt", "fixed_pt"])
    s.add_argument("--replicas", type=int, default=8, help="independent annealing chains run at once")
    s.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")


def run(args: argparse.Namespace) -> int:
    """Execute ``caldera qubo ...``; returns the exit status."""
    if getattr(args, "qubo_command", None) != "solve":
        print(
            "usage: caldera qubo solve FILE [--time-limit S] [--seed N] [--backend NAME] [--replicas K] [--json]",
            file=sys.stderr,
        )
        return 2
    from caldera_optim.io import load_problem
    from caldera_optim.qubo_solver import solve_qubo

    if args.time_limit is not None and not args.time_limit > 0:
        print(f"caldera qubo solve: --time-limit must be > 0, got {args.time_limit}", file=sys.stderr)
        return 2
    time_limit = args.time_limit if (args.time_limit is not None or args.steps is not None) else 10.0
    try:
        problem = load_problem(args.file)
    except (CalderaError, OSError) as exc:
        print(f"caldera qubo solve: {exc}", file=sys.stderr)
        return 2

    last = [-1.0]

    def show(step: int, best: float, elapsed: float) -> None:
        if elapsed - last[0] >= 0.5:
            last[0] = elapsed
            extra = f"  cut {-best:g}" if problem.is_maxcut else ""
            print(
                f"\r  step {step:>8}  {elapsed:7.2f} s  best cost {best:g}{extra}   ",
                end="",
                file=sys.stderr,
                flush=True,
            )

    try:
        res = solve_qubo(
            problem,
            time_limit=time_limit,
            num_steps=args.steps,
            target_cost=args.target,
            replicas=args.replicas,
            seed=args.seed,
            backend=args.backend,
            tag=args.tag,
            progress=show,
        )
    except CalderaError as exc:
        print(f"\ncaldera qubo solve: {exc}", file=sys.stderr)
        return 2
    print("", file=sys.stderr)
    if args.json:
        out = res.to_dict()
        out["file"] = args.file
        out["num_variables"] = problem.num_variables
        print(json.dumps(out))
        return 0
    print(f"problem      {args.file} ({problem.num_variables} variables{', Max-Cut' if problem.is_maxcut else ''})")
    print(f"best cost    {res.best_cost:g}")
    if res.cut is not None:
        print(f"cut          {res.cut:g}")
    print(f"found at     step {res.best_step}, {res.time_to_best_s:.3f} s")
    print(f"ran          {res.steps} steps in {res.wall_time_s:.3f} s ({res.stop_reason}), {args.replicas} replicas")
    print("replicas     " + " ".join(f"{c:g}" for c in res.replica_costs))
    print("best state   " + "".join(str(int(v)) for v in res.best_state))
    return 0
