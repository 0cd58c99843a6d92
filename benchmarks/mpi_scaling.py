"""MPI scaling: a blocked E/I network (CUBA-style) on 1, 2 and 3 MPI ranks, against shared-memory partitions.

The network has ``--blocks`` blocks (default 6, so that 1, 2 and 3 ranks get equal shares); each block is an
excitatory and an inhibitory LIF population (80/20, floating_pt, random bias drive). Every population
receives from all blocks' E and I populations through two ``Sparse`` projections whose input is the
concatenation of the sources' spike vectors (``concat_with``), each neuron with about ``--fan-in`` synapses.
Block ``b`` and the projections into it live on rank ``b % ranks``.

Strong scaling keeps ``--neurons`` fixed; weak scaling gives every rank ``--neurons / 3`` neurons. For each
rank count the script runs the same network with ``RunConfig(transport="mpi")`` under ``mpiexec`` and with
shared-memory partitions (``transport="shm"``, forked processes) in this process, and prints steps/s
(median of ``--reps`` timed chunks of ``--steps`` steps, [min-max]), the share of the time ranks spent
waiting on communication, and the payload bytes each rank sends per step.

    python benchmarks/mpi_scaling.py                    # 24,000 neurons: a few minutes
    python benchmarks/mpi_scaling.py --neurons 120000   # full size
    python benchmarks/mpi_scaling.py --phases            # build and compile time per rank, by phase
    python benchmarks/mpi_scaling.py --message-cost      # what one channel message costs (2 ranks)
    python benchmarks/mpi_scaling.py --collective        # point-to-point vs broadcast channels (3 ranks)

``--collective`` runs the strong-scaling network on ``--max-ranks`` ranks (default 3) with point-to-point
channels only (``mpi_bcast_readers=None``) and with every population read on two or more other ranks
broadcast (``mpi_bcast_readers=2``), the two alternated ``--rounds`` times (separate ``mpiexec`` jobs), and
prints steps/s (median of all timed chunks, [min-max]), the share of time waiting, the MPI calls each rank
starts per step (sends, receives, broadcasts, barriers), the messages it writes per step and the bytes it
hands to MPI per step (a broadcast's bytes count once; MPI's tree sends them on to every reader).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import shutil
import statistics
import subprocess
import sys
import time
import typing as ty

import caldera
import numpy as np
from caldera.procs import LIF, Sparse

#: synaptic weight scales (uniform in [0, scale)): inhibition-dominated, so that, as in the CUBA benchmark,
#: activity is sparse and driven by the bias (a few percent of the neurons spike in a step)
W_EXC, W_INH = 0.05, -0.5


def build(neurons: int, blocks: int, fan_in: int, seed: int = 7):
    """Populations (E_0, I_0, E_1, ...) and projections; returns (processes per block, root)."""
    from scipy import sparse

    rng = np.random.default_rng(seed)
    n_b = neurons // blocks
    n_e, n_i = int(0.8 * n_b), n_b - int(0.8 * n_b)
    exc, inh = [], []
    for b in range(blocks):
        exc.append(LIF(shape=(n_e,), du=0.2, dv=0.05, vth=1.0, bias_mant=rng.uniform(0.02, 0.07, n_e), name=f"E{b}"))
        inh.append(LIF(shape=(n_i,), du=0.2, dv=0.05, vth=1.0, bias_mant=rng.uniform(0.0, 0.04, n_i), name=f"I{b}"))
    density = fan_in / neurons
    all_e, all_i = blocks * n_e, blocks * n_i
    groups: list[list] = [[exc[b], inh[b]] for b in range(blocks)]
    for b in range(blocks):
        for tgt, n_t in ((exc[b], n_e), (inh[b], n_i)):
            for srcs, n_s, scale, kind in ((exc, all_e, W_EXC, "E"), (inh, all_i, W_INH, "I")):
                w = sparse.random(n_t, n_s, density=density, random_state=rng, format="csr")
                w.data *= scale
                proj = Sparse(weights=w, name=f"{kind}to{tgt.name}")
                srcs[0].s_out.concat_with([s.s_out for s in srcs[1:]], axis=0).connect(proj.s_in)
                proj.a_out.connect(tgt.a_in)
                groups[b].append(proj)
    return groups, exc[0]


def measure(args: argparse.Namespace, neurons: int, ranks: int, transport: str) -> dict:
    """Build, warm up, time ``reps`` chunks; on MPI every rank calls this (collectively)."""
    groups, root = build(neurons, args.blocks, args.fan_in)
    parts: list[list] = [[] for _ in range(ranks)]
    for b, g in enumerate(groups):
        parts[b % ranks].extend(g)
    cfg = caldera.RunConfig(backend="cpu", partitions=parts if ranks > 1 else 1, transport=transport)
    if transport == "mpi":
        cfg.mpi_bcast_readers = args.bcast_readers
    root.run(caldera.RunSteps(args.warmup), cfg)
    group = root.runtime.group
    comm = getattr(group, "comm", None)
    rates, waits, sent, msgs, calls = [], [], [], [], []
    for _ in range(args.reps):
        w0 = getattr(group, "wait_s", 0.0)
        b0 = getattr(group, "bytes_sent", 0)
        m0 = sum(s.sent for s in getattr(group, "senders", ()))
        c0 = getattr(group, "mpi_calls", 0)
        if comm is not None:
            comm.Barrier()
        t0 = time.perf_counter()
        root.run(caldera.RunSteps(args.steps))
        dt = time.perf_counter() - t0
        if comm is not None:
            dt = comm.allreduce(dt, op=group.MPI.MAX)
            waits.append(comm.gather((getattr(group, "wait_s", 0.0) - w0) / dt, root=0))
            sent.append(comm.gather((group.bytes_sent - b0) / args.steps, root=0))
            msgs.append(comm.gather((sum(s.sent for s in group.senders) - m0) / args.steps, root=0))
            calls.append(comm.gather((group.mpi_calls - c0) / args.steps, root=0))
        rates.append(args.steps / dt)
    root.stop()
    out = {"steps_per_s": rates, "neurons": neurons, "ranks": ranks, "transport": transport}
    if waits and waits[0] is not None:
        out["wait_share"] = [statistics.median(w) for w in zip(*waits)]  # per rank, median over chunks
        out["bytes_per_step"] = [statistics.median(s) for s in zip(*sent)]
        out["messages_per_step"] = [statistics.median(m) for m in zip(*msgs)]
        out["mpi_calls_per_step"] = [statistics.median(c) for c in zip(*calls)]
        out["chunks_steps_per_s"] = rates
    return out


#: the compiler's steps, timed by ``--phases``: the whole graph's structure (every rank), this rank's models
GRAPH_STEPS = (
    "_check_free",
    "select_models",
    "assign_partitions",
    "wire",
    "order",
    "thread_channels_for_async",
    "split_plan",
    "sync_domains",
)


def compile_phases(args: argparse.Namespace, neurons: int) -> dict:
    """On every rank (collectively): build and compile the network ``--reps`` times (after one untimed build,
    which pays for the imports and plugin loading); the median time of each phase on each rank, in ms."""
    import caldera.compiler as cc
    import caldera.mpi as cm
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    spent: dict[str, float] = {}

    def timed(mod: ty.Any, name: str, key: str) -> None:
        inner = getattr(mod, name)

        def call(*a: ty.Any, **k: ty.Any) -> ty.Any:
            t0 = time.perf_counter()
            try:
                return inner(*a, **k)
            finally:
                spent[key] = spent.get(key, 0.0) + time.perf_counter() - t0

        setattr(mod, name, call)

    for name in GRAPH_STEPS:
        timed(cc, name, "graph")
    timed(cc, "build_models", "own models")
    timed(cm, "MpiGroup", "channels")
    runs = []
    for rep in range(args.reps + 1):
        spent.clear()
        comm.Barrier()
        t0 = time.perf_counter()
        groups, root = build(neurons, args.blocks, args.fan_in)
        spent["script"] = time.perf_counter() - t0
        parts: list[list] = [[] for _ in range(comm.size)]
        for b, g in enumerate(groups):
            parts[b % comm.size].extend(g)
        cfg = caldera.RunConfig(backend="cpu", partitions=parts, transport="mpi")
        comm.Barrier()
        t0 = time.perf_counter()
        rt = root.compile(cfg)
        spent["compile"] = time.perf_counter() - t0
        spent["processes"], spent["links"] = len(rt.net.leaves), len(rt.net.links)
        root.stop()
        if rep:
            runs.append(dict(spent))
    mine = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    return {"neurons": neurons, "ranks": comm.size, "per_rank": comm.gather(mine, root=0)}


def message_cost(args: argparse.Namespace, channels: int = 100, steps: int = 400) -> dict:
    """The time one channel message costs, through the real channels alone (no model runs): rank 0 appends to
    each of ``channels`` senders, every other rank takes from its receiver of each, step by step (on 2 ranks:
    the cost of one message, each side; on more: of one source's message reaching every other rank, by
    point-to-point sends or, with ``--bcast-readers``, broadcasts). Spike vectors of 1,000 neurons with 0
    and with 20 spikes (8 and 248 bytes on the wire point-to-point)."""
    from caldera.procs import RingBuffer, RingBufferSink
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    n = 1000
    srcs = [RingBuffer(data=np.zeros((n, 1)), name=f"src{k}") for k in range(channels)]
    sinks = [
        [RingBufferSink(shape=(n,), buffer=1, name=f"sink{r}_{k}") for k in range(channels)]
        for r in range(1, comm.size)
    ]
    hub = RingBufferSink(shape=(n,), buffer=1, name="hub")  # joins the sources into one network (on rank 0)
    for k, a in enumerate(srcs):
        for on_rank in sinks:
            a.s_out.connect(on_rank[k].a_in)
        a.s_out.connect(hub.a_in)
    cfg = caldera.RunConfig(backend="cpu", partitions=[[*srcs, hub], *sinks], transport="mpi")
    cfg.mpi_bcast_readers = args.bcast_readers
    group = srcs[0].compile(cfg).group
    out = {}
    for spikes in (0, 20):
        msg = np.zeros(n)
        msg[np.linspace(0, n - 1, spikes).astype(int)] = 1.0
        per = []
        for _ in range(args.reps):
            comm.Barrier()
            t0 = time.perf_counter()
            for _ in range(steps):
                if comm.rank == 0:
                    for s in group.senders:
                        s.append(msg)
                else:
                    for r in group.receivers:
                        r.popleft()
            dt = comm.allreduce(time.perf_counter() - t0, op=MPI.MAX)
            per.append(dt / (steps * channels) * 1e6)
        out[spikes] = statistics.median(per)
    srcs[0].stop()
    return {"us_per_message": out, "channels": channels, "steps": steps, "ranks": comm.size}


def run_mpi(args: argparse.Namespace, neurons: int, ranks: int) -> dict:
    here = pathlib.Path(sys.executable).parent
    mpiexec = shutil.which("mpiexec", path=str(here)) or shutil.which("mpiexec")
    if mpiexec is None:
        raise SystemExit("mpiexec not found: pip install './core[mpi]'")
    cmd = [mpiexec, "-n", str(ranks), sys.executable, __file__, "--worker", str(neurons)]
    for k, v in vars(args).items():
        if k not in ("worker", "out") and v is not False:
            cmd.append(f"--{k.replace('_', '-')}" + ("" if v is True else f"={v}"))
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    for line in r.stdout.splitlines():
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError(f"the MPI run failed:\n{r.stdout}\n{r.stderr}")


def _fmt(rates: list[float]) -> str:
    return f"{statistics.median(rates):8.1f} [{min(rates):.1f}-{max(rates):.1f}]"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--neurons", type=int, default=24_000, help="strong scaling size (weak: neurons/3 per rank)")
    ap.add_argument("--blocks", type=int, default=6)
    ap.add_argument("--fan-in", type=int, default=50, help="synapses per neuron")
    ap.add_argument("--steps", type=int, default=100, help="steps per timed chunk")
    ap.add_argument("--reps", type=int, default=5, help="timed chunks per configuration")
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--max-ranks", type=int, default=3)
    ap.add_argument(
        "--phases", action="store_true", help="time the build and compile phases on every rank instead (ms)"
    )
    ap.add_argument("--message-cost", action="store_true", help="time one channel message on 2 ranks (us) instead")
    ap.add_argument(
        "--collective", action="store_true", help="point-to-point vs broadcast channels on --max-ranks ranks instead"
    )
    ap.add_argument("--rounds", type=int, default=3, help="--collective: alternations of the two kinds of channel")
    ap.add_argument(
        "--bcast-readers",
        type=lambda v: None if v.lower() == "none" else int(v),
        default=None,
        help="RunConfig.mpi_bcast_readers of the MPI runs (an int; default none: point-to-point only)",
    )
    ap.add_argument("--worker", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--out", default=None, help="write the raw figures as JSON here")
    args = ap.parse_args(argv)
    if args.worker is not None:  # one MPI job: every rank measures, rank 0 reports
        from mpi4py import MPI

        if args.message_cost:
            res = message_cost(args)
        elif args.phases:
            res = compile_phases(args, args.worker)
        else:
            res = measure(args, args.worker, MPI.COMM_WORLD.size, "mpi")
        if MPI.COMM_WORLD.rank == 0:
            print(json.dumps(res), flush=True)
        return 0
    if args.phases:
        return print_phases(args)
    if args.collective:
        return print_collective(args)
    if args.message_cost:
        res = run_mpi(args, 0, 2)
        print(
            f"one channel message, 2 ranks, {res['channels']} channels x {res['steps']} steps, median of {args.reps}: "
            + ", ".join(f"{k} spikes {v:.1f} us" for k, v in res["us_per_message"].items())
        )
        return 0
    rows = []
    for scaling in ("strong", "weak"):
        for ranks in range(1, args.max_ranks + 1):
            n = args.neurons if scaling == "strong" else args.neurons // args.max_ranks * ranks
            mpi_res = run_mpi(args, n, ranks)
            shm_res = measure(args, n, ranks, "shm")
            rows.append((scaling, mpi_res, shm_res))
            print(f"{scaling} {ranks} rank(s) {n} neurons: done", file=sys.stderr, flush=True)
    print(
        f"\nE/I network, {args.blocks} blocks, fan-in {args.fan_in}, floating_pt; steps/s median of {args.reps} "
        f"chunks of {args.steps} steps [min-max]"
    )
    print(
        f"{'scaling':<7} {'ranks':>5} {'neurons':>8} | {'MPI steps/s':>24} {'vs 1':>5} {'wait %':>12} "
        f"{'kB/step/rank':>13} {'msgs/step/rank':>15} | {'shm steps/s':>24} {'vs 1':>5} | {'MPI/shm':>7}"
    )
    base: dict[tuple[str, str], float] = {}
    for scaling, m, s in rows:
        rm, rs = statistics.median(m["steps_per_s"]), statistics.median(s["steps_per_s"])
        base.setdefault((scaling, "mpi"), rm)
        base.setdefault((scaling, "shm"), rs)
        wait = "-" if "wait_share" not in m else "/".join(f"{100 * w:.0f}" for w in m["wait_share"])
        kb = "-" if "bytes_per_step" not in m else f"{statistics.mean(m['bytes_per_step']) / 1e3:.1f}"
        nm = "-" if "messages_per_step" not in m else f"{statistics.mean(m['messages_per_step']):.0f}"
        print(
            f"{scaling:<7} {m['ranks']:>5} {m['neurons']:>8} | {_fmt(m['steps_per_s']):>24} "
            f"{rm / base[(scaling, 'mpi')]:5.2f} {wait:>12} {kb:>13} {nm:>15} | {_fmt(s['steps_per_s']):>24} "
            f"{rs / base[(scaling, 'shm')]:5.2f} | {rm / rs:7.2f}"
        )
    if args.out:
        pathlib.Path(args.out).write_text(json.dumps([{"scaling": a, "mpi": m, "shm": s} for a, m, s in rows]))
    return 0


def print_collective(args: argparse.Namespace) -> int:
    """``--collective``: point-to-point channels against broadcast channels, alternated ``--rounds`` times."""
    ranks = args.max_ranks
    kinds = (("point-to-point", None), ("broadcast", 2))
    runs: dict[str, list[dict]] = {name: [] for name, _ in kinds}
    costs: dict[str, list[dict]] = {name: [] for name, _ in kinds}
    for r in range(args.rounds):
        for name, k in kinds:
            runs[name].append(run_mpi(argparse.Namespace(**{**vars(args), "bcast_readers": k}), args.neurons, ranks))
            mc = argparse.Namespace(**{**vars(args), "bcast_readers": k, "message_cost": True})
            costs[name].append(run_mpi(mc, 0, ranks))
            print(f"round {r + 1}: {name} done", file=sys.stderr, flush=True)
    print(
        f"E/I network, {args.neurons} neurons, {args.blocks} blocks, fan-in {args.fan_in}, {ranks} ranks; "
        f"{args.rounds} alternated jobs per kind, each {args.reps} chunks of {args.steps} steps: steps/s median of "
        f"all chunks [min-max]; per rank and step, medians over the jobs (ranks joined by /)"
    )
    print(
        f"{'channels':<15} | {'steps/s':>24} | {'wait %':>12} | {'MPI calls':>14} | {'messages':>10} | "
        f"{'kB to MPI':>16}"
    )
    base = None
    for name, _ in kinds:
        jobs = runs[name]
        rates = [x for j in jobs for x in j["steps_per_s"]]
        med = statistics.median(rates)
        base = base or med

        def per_rank(key: str, scale: float = 1.0, fmt: str = "{:.0f}", jobs: list = jobs) -> str:
            return "/".join(fmt.format(scale * statistics.median(j[key][r] for j in jobs)) for r in range(ranks))

        print(
            f"{name:<15} | {_fmt(rates):>24} | {per_rank('wait_share', 100):>12} | "
            f"{per_rank('mpi_calls_per_step', 1, '{:.1f}'):>14} | {per_rank('messages_per_step'):>10} | "
            f"{per_rank('bytes_per_step', 1e-3, '{:.1f}'):>16}"
        )
    last = statistics.median(x for j in runs[kinds[-1][0]] for x in j["steps_per_s"])
    print(f"broadcast / point-to-point steps/s: {last / base:.2f}")
    job = costs[kinds[0][0]][0]
    print(
        f"channels alone ({job['channels']} sources on rank 0, each read on the {ranks - 1} other ranks, "
        f"{job['steps']} steps; median over the jobs): one source's message to every reading rank"
    )
    for name, _ in kinds:
        us = {
            k: statistics.median(c["us_per_message"][k] for c in costs[name]) for k in costs[name][0]["us_per_message"]
        }
        print(f"{name:<15} | " + ", ".join(f"{k} spikes {v:.1f} us" for k, v in us.items()))
    if args.out:
        pathlib.Path(args.out).write_text(json.dumps({"network": runs, "channels_alone": costs}))
    return 0


def print_phases(args: argparse.Namespace) -> int:
    """``--phases``: per rank, what building (the user's script) and compiling the network cost."""
    keys = ("script", "compile", "graph", "own models", "channels")
    print(
        f"E/I network, {args.neurons} neurons, {args.blocks} blocks, fan-in {args.fan_in}: milliseconds, median of "
        f"{args.reps} builds per rank (graph: the whole graph's structure; own models: this rank's partition)"
    )
    print(f"{'ranks':>5} {'rank':>4} {'processes':>9} {'links':>6} | " + " ".join(f"{k:>10}" for k in keys))
    rows = []
    for ranks in range(1, args.max_ranks + 1):
        res = run_mpi(args, args.neurons, ranks)
        rows.append(res)
        for rank, r in enumerate(res["per_rank"]):
            print(
                f"{ranks:>5} {rank:>4} {r['processes']:>9.0f} {r['links']:>6.0f} | "
                + " ".join(f"{1000 * r.get(k, 0.0):>10.0f}" for k in keys),
                flush=True,
            )
    if args.out:
        pathlib.Path(args.out).write_text(json.dumps(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
