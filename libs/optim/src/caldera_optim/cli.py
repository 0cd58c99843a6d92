"""``caldera qubo solve|mis|schedule FILE``: solve a QUBO / Max-Cut file, a maximum independent set of a graph
file, or a scheduling problem (JSON), and print the result (or one JSON object). Errors are one line on stderr
and a non-zero exit status."""

from __future__ import annotations

import argparse
import json
import sys
import typing as ty

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
    s.add_argument(
        "--tag",
        default=None,
        choices=["floating_pt", "fixed_pt"],
        help="models: floating_pt (default) or fixed_pt (integer; the default and the only choice on --backend loihi)",
    )
    s.add_argument("--replicas", type=int, default=8, help="annealing chains run at once")
    s.add_argument(
        "--restarts",
        type=int,
        default=None,
        help="restarts from the population's best per cooling cycle (default 12; 0: independent chains)",
    )
    s.add_argument(
        "--exchange-interval",
        type=int,
        default=None,
        help="replica exchange (parallel tempering): sweeps between exchange rounds (0: none; default: the solver's)",
    )
    s.add_argument(
        "--exchange-ladder",
        type=float,
        default=None,
        help="replica exchange: hottest over coldest replica temperature, > 1 (default: the solver's)",
    )
    s.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")
    m = sub.add_parser("mis", help="maximum independent set of a graph (G-set/rudy edge list; weights ignored)")
    m.add_argument("file", help="graph file: 'n m' then m lines 'i j [w]', 1-based")
    m.add_argument("--time-limit", type=float, default=5.0, help="seconds (default 5)")
    m.add_argument("--penalty", type=float, default=None, help="edge penalty (default 2; must exceed 1)")
    m.add_argument("--seed", type=int, default=0)
    m.add_argument("--replicas", type=int, default=8)
    m.add_argument("--compare", action="store_true", help="also run networkx's approximation and print both sizes")
    m.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")
    c = sub.add_parser("schedule", help="assign requests to resources within time windows (JSON file)")
    c.add_argument(
        "file",
        help='JSON: {"resources": [...], "requests": [{"name", "duration", "release", "deadline", "resources"?}, ...]}',
    )
    c.add_argument("--time-limit", type=float, default=10.0, help="seconds (default 10)")
    c.add_argument("--seed", type=int, default=0)
    c.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")


def run(args: argparse.Namespace) -> int:
    """Execute ``caldera qubo ...``; returns the exit status."""
    cmd = getattr(args, "qubo_command", None)
    if cmd == "mis":
        return _guard("mis", _run_mis, args)
    if cmd == "schedule":
        return _guard("schedule", _run_schedule, args)
    if cmd != "solve":
        print(
            "usage: caldera qubo solve|mis|schedule FILE [options]  (caldera qubo solve --help for the options)",
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
            tag=args.tag or ("fixed_pt" if args.backend == "loihi" else "floating_pt"),
            restarts=args.restarts,
            exchange_interval=args.exchange_interval,
            exchange_ladder=args.exchange_ladder,
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
    if res.loihi is not None:
        lo = res.loihi
        print(
            f"loihi        {lo['system']} emulator: {lo['cores']} cores on {lo['chips']} chip(s), {lo['neurons']} neurons, "
            f"{lo['synapses']} synapses"
        )
        print(f"activity     {lo['spikes']} spikes, {lo['synaptic_ops']} synaptic ops in {lo['steps']} steps")
        print(
            f"energy       {lo['energy_uj']:.4f} uJ for the run, {lo['energy_to_best_uj']:.4f} uJ to the best state, "
            f"{lo['energy_per_replica_uj']:.4f} uJ per replica; chip time {lo['chip_time_ms']:.3f} ms "
            f"({lo['time_per_step_us']:.3f} us per step; estimates from {lo['energy_table']})"
        )
    print("best state   " + "".join(str(int(v)) for v in res.best_state))
    return 0


def _guard(name: str, fn: ty.Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run a subcommand; a bad file or argument is one line on stderr and exit status 2, never a traceback."""
    try:
        return fn(args)
    except (CalderaError, OSError, ValueError) as exc:
        msg = " ".join(str(exc).split())
        print(f"caldera qubo {name}: {msg}", file=sys.stderr)
        return 2


def _run_mis(args: argparse.Namespace) -> int:
    from caldera_optim.applications import DEFAULT_MIS_PENALTY, solve_mis
    from caldera_optim.io import read_gset

    if not args.time_limit > 0:
        raise ValueError(f"--time-limit must be > 0, got {args.time_limit}")
    graph = read_gset(args.file).maxcut_weights
    penalty = DEFAULT_MIS_PENALTY if args.penalty is None else args.penalty
    res = solve_mis(graph, penalty=penalty, time_limit=args.time_limit, seed=args.seed, replicas=args.replicas)
    out = {
        "file": args.file,
        "num_nodes": int(graph.shape[0]),
        "size": int(res.nodes.size),
        "nodes": [int(v) + 1 for v in res.nodes],  # 1-based, as in the file
        "wall_time_s": res.wall_time_s,
        "steps": res.steps,
        "repaired_edges": res.repaired,
    }
    if args.compare:
        import networkx as nx
        from networkx.algorithms.approximation import maximum_independent_set

        g = nx.from_scipy_sparse_array(graph)
        out["networkx_approximation_size"] = len(maximum_independent_set(g))
    if args.json:
        print(json.dumps(out))
        return 0
    print(f"graph        {args.file} ({out['num_nodes']} nodes)")
    print(f"independent  {out['size']} nodes (verified), {res.wall_time_s:.3f} s, {res.steps} steps")
    if args.compare:
        print(f"networkx     {out['networkx_approximation_size']} nodes (approximation.maximum_independent_set)")
    print("nodes        " + " ".join(str(v) for v in out["nodes"]))
    return 0


def _run_schedule(args: argparse.Namespace) -> int:
    from caldera_optim.applications import solve_schedule
    from caldera_optim.io import ProblemFormatError

    if not args.time_limit > 0:
        raise ValueError(f"--time-limit must be > 0, got {args.time_limit}")
    try:
        with open(args.file, encoding="utf-8") as fh:
            spec = json.load(fh)
    except json.JSONDecodeError as exc:
        raise ProblemFormatError(f"{args.file}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(spec, dict) or set(spec) - {"resources", "requests"} or "requests" not in spec:
        raise ProblemFormatError(f"{args.file}: expected an object with 'resources' and 'requests'")
    res = solve_schedule(spec["requests"], spec.get("resources", []), time_limit=args.time_limit, seed=args.seed)
    out = {"file": args.file, "status": res.status, "wall_time_s": res.wall_time_s, "reason": res.reason}
    if res.solution is not None:
        out["assignment"] = {str(k): {"resource": v[0], "start": int(v[1])} for k, v in res.solution.items()}
    if args.json:
        print(json.dumps(out))
    else:
        print(f"status       {res.status} ({res.wall_time_s:.3f} s){'  ' + res.reason if res.reason else ''}")
        for k, v in (out.get("assignment") or {}).items():
            print(f"  {k}: {v['resource']} at {v['start']}")
    return 0 if res.status == "solved" else 1
