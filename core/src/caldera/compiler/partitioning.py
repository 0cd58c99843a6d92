"""Step 6: partitions: which processes one executor of one backend runs together, in one OS process.

A network has one partition per backend it uses, and more when the run
configuration asks for parallel runs (``RunConfig.partitions``: a number,
``"auto"`` or explicit groups of processes).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from caldera.backend import Backend
from caldera.compiler.ordering import Plan, subplan
from caldera.errors import CompileError
from caldera.process import Process
from caldera.run_config import RunConfig


@dataclass
class Partition:
    """Processes executed together by one executor of one backend, in one OS process."""

    index: int
    backend: Backend
    ids: set[int]
    plan: Plan


def cost(proc: Process) -> int:
    """A rough per-step work estimate: ``proc.step_cost()`` if defined, else its number of state elements."""
    own = getattr(proc, "step_cost", None)
    if own is not None:
        return max(int(own()), 1)
    total = 0
    for v in proc.vars:
        init = v.init
        total += int(init.nnz) if hasattr(init, "nnz") else int(np.prod(v.shape, dtype=np.int64))
    return max(total, 1)


# Work (state elements) per extra partition. benchmarks/partitions.py on 2 cores (2026-11-28, E/I network,
# p=0.002): 2 partitions lose below ~60k elements (0.4-0.8x), win from ~260k (1.3x at 10k and 40k neurons).
AUTO_PARTITION_MIN_COST = 200_000


def auto_partitions(leaves: list[Process]) -> int:
    """``partitions="auto"``: one partition per AUTO_PARTITION_MIN_COST of work, at most one per core."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    total = sum(cost(p) for p in leaves)
    return int(max(1, min(cores, 1 + total // AUTO_PARTITION_MIN_COST)))


def assign_partitions(
    leaves: list[Process],
    model_classes: dict[int, type],
    run_cfg: RunConfig,
    proc_backend: dict[int, Backend],
    all_procs: list[Process],
) -> list[Partition]:
    """Assign every leaf process to a partition (see ``RunConfig.partitions``).

    A RefPort reads and writes its target directly, so a RefPort's owner (e.g.
    a Monitor) always shares the partition of the processes it refers to; a
    process that talks to the user's thread (``host_only`` models) stays in
    partition 0, which runs in the user's OS process (over MPI: rank 0; an explicit
    list keeps its order there, partition k on rank k).
    """
    pos = {p.id: i for i, p in enumerate(leaves)}
    uf = {p.id: p.id for p in leaves}

    def find(i: int) -> int:
        while uf[i] != i:
            uf[i] = uf[uf[i]]
            i = uf[i]
        return i

    owners: set[int] = set()
    for p in leaves:
        for rp in p.ref_ports:
            tgt = rp.target_var.resolve() if rp.target_var is not None else None
            if tgt is not None and tgt.process is not None and tgt.process.id in uf:
                owners.add(p.id)
                tb, ob = proc_backend[tgt.process.id], proc_backend[p.id]
                if tb is not ob:  # the owner follows its target's backend if that backend can run it
                    if not tb.accepts(model_classes[p.id]):
                        raise CompileError(
                            f"{rp.qualified_name} refers to {tgt.qualified_name} on backend {tb.name!r}, but "
                            f"{p.name}'s model {model_classes[p.id].__name__} cannot run there"
                        )
                    proc_backend[p.id] = tb
                a, b = find(p.id), find(tgt.process.id)
                if a != b:
                    uf[max(a, b, key=pos.get)] = min(a, b, key=pos.get)
    groups: dict[int, list[Process]] = {}
    for p in leaves:
        groups.setdefault(find(p.id), []).append(p)
    units = sorted(groups.values(), key=lambda g: pos[g[0].id])

    spec = run_cfg.partitions
    unit_idx: list[int] = []
    if isinstance(spec, (list, tuple, dict)):
        items = (
            spec.items()
            if isinstance(spec, dict)
            else (
                (p, i) for i, group in enumerate(spec) for p in (group if isinstance(group, (list, tuple)) else [group])
            )
        )
        by_id = {p.id: p for p in all_procs}
        idx: dict[int, int] = {}
        for p, i in items:
            if not isinstance(p, Process) or p.id not in by_id:
                raise CompileError(f"RunConfig.partitions names {p!r}, which is not a process of this network")
            stack = [p]
            while stack:  # a hierarchical process takes its descendants along
                q = stack.pop()
                idx[q.id] = int(i)
                stack.extend(q.sub_procs.values())
        first_listed = min(idx.values(), default=0)
        for unit in units:
            targets = {idx[p.id] for p in unit if p.id in idx and p.id not in owners}
            given = targets or {idx[p.id] for p in unit if p.id in idx}
            if not given and all(getattr(model_classes[p.id], "host_only", False) for p in unit):
                given = {first_listed}  # unlisted host I/O joins the first partition (the user's process, rank 0)
            if not given:
                raise CompileError(
                    "RunConfig.partitions leaves processes unassigned: " + ", ".join(p.name for p in unit)
                )
            if len(targets) > 1:
                raise CompileError(
                    "processes connected through RefPorts must share a partition: "
                    + ", ".join(f"{p.name}->{idx.get(p.id)}" for p in unit)
                )
            unit_idx.append(min(given))
    else:
        n = min(auto_partitions(leaves) if spec == "auto" else int(spec), len(units))
        costs = [sum(cost(p) for p in unit) for unit in units]
        target = sum(costs) / n
        acc = 0.0
        for c in costs:  # contiguous chunks of equal work, split at the units' midpoints
            unit_idx.append(min(n - 1, int((acc + c / 2) // target)))
            acc += c
    idx = {p.id: i for unit, i in zip(units, unit_idx) for p in unit}
    host_procs = [p for p in leaves if getattr(model_classes[p.id], "host_only", False)]
    explicit_ranks = run_cfg.transport == "mpi" and isinstance(spec, (list, tuple, dict))
    misplaced = [p for p in host_procs if explicit_ranks and idx[p.id] != min(unit_idx)]
    if misplaced:  # over MPI partition k runs on rank k as listed: host I/O cannot silently reorder the lists
        ranks = sorted(set(unit_idx))
        raise CompileError(
            ", ".join(f"{p.name} ({type(p).__name__}, listed on rank {ranks.index(idx[p.id])})" for p in misplaced)
            + ": host I/O runs on MPI rank 0, where the user's script feeds and reads it; list "
            + ("it" if len(misplaced) == 1 else "them")
            + " in the first partition, or leave "
            + ("it" if len(misplaced) == 1 else "them")
            + " out (unlisted host I/O joins rank 0)"
        )
    host = {idx[p.id] for p in host_procs}
    if len(host) > 1:
        raise CompileError("host-bound processes (Injector, Extractor, ...) were assigned to different partitions")
    # the partition that talks to the user's thread comes first (it runs in the user's process); over MPI an
    # explicit list keeps its order (partition k on rank k)
    first = host.pop() if host else (min(unit_idx) if explicit_ranks else idx[leaves[0].id])
    keys: dict[tuple[int, str], int] = {}
    for k in sorted({(idx[p.id], proc_backend[p.id].name) for p in leaves}, key=lambda k: (k[0] != first, k[0], k[1])):
        keys[k] = len(keys)
    members: dict[int, set[int]] = {}
    for p in leaves:
        members.setdefault(keys[(idx[p.id], proc_backend[p.id].name)], set()).add(p.id)
    return [
        Partition(i, proc_backend[next(iter(members[i]))], members[i], Plan([], [], [], [], []))
        for i in sorted(members)
    ]


def split_plan(partitions: list[Partition], plan: Plan) -> None:
    """Give every partition the part of the step plan that concerns its processes."""
    for part in partitions:
        part.plan = subplan(plan, part.ids)


__all__ = ["Partition", "assign_partitions", "split_plan", "auto_partitions", "cost", "AUTO_PARTITION_MIN_COST"]
