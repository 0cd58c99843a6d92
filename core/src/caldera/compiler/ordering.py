"""Step 5: the order of a step.

Send-first models (connections) emit; receive-first models (neurons, sinks)
run in topological order of their same-step edges (a cycle there is a
:class:`~caldera.errors.CycleError` naming its processes); send-first models
absorb. Models that are neither run through the executor's general path.
"""

from __future__ import annotations

import collections
import sys
import typing as ty
from dataclasses import dataclass, field

from caldera.errors import CycleError
from caldera.model import AbstractPyProcessModel, PyAsyncProcessModel, PyInPort
from caldera.process import Process


def _find_cycle(nodes: list[int], edges: dict[int, set[int]]) -> list[int] | None:
    color: dict[int, int] = {}
    stack_path: list[int] = []

    def dfs(n: int) -> list[int] | None:
        color[n] = 1
        stack_path.append(n)
        for m in edges.get(n, ()):
            if color.get(m, 0) == 1:
                return stack_path[stack_path.index(m) :] + [m]
            if color.get(m, 0) == 0:
                r = dfs(m)
                if r:
                    return r
        stack_path.pop()
        color[n] = 2
        return None

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000 + 2 * len(nodes)))
    for n in nodes:
        if color.get(n, 0) == 0:
            r = dfs(n)
            if r:
                return r
    return None


@dataclass
class Plan:
    """What the executor needs: models in step order and which kind each is."""

    models: list[AbstractPyProcessModel]
    send_first: list[AbstractPyProcessModel]
    recv_first: list[AbstractPyProcessModel]  # in topological order
    general: list[AbstractPyProcessModel]
    async_models: list[AbstractPyProcessModel]
    in_ports: dict[int, list[PyInPort]] = field(default_factory=dict)
    abort: ty.Any = None  # threading.Event shared with async models' channels
    #: schedule level of each receive-first process (by id): 0 for those fed by nothing of the same
    #: step, else one more than the highest level that feeds it; models of one level are independent
    levels: dict[int, int] = field(default_factory=dict)


def order(leaves: list[Process], models: dict[int, AbstractPyProcessModel], feeders: dict[int, set[int]]) -> Plan:
    """The step plan of the models (see the module docstring); ``feeders`` comes from :func:`wire`."""
    kind = {pid: getattr(m, "schedule", None) for pid, m in models.items()}
    async_ids = {pid for pid, m in models.items() if isinstance(m, PyAsyncProcessModel)}
    recv_ids = [p.id for p in leaves if kind[p.id] == "recv_first" and p.id not in async_ids]
    # same-step edges: a receive-first or general source feeds a consumer in the same step
    same_step: dict[int, set[int]] = collections.defaultdict(set)
    for dst, srcs in feeders.items():
        for src in srcs:
            if kind[src] != "send_first" and src not in async_ids:
                same_step[src].add(dst)
    recv_set = set(recv_ids)
    static_edges = {n: {m for m in same_step.get(n, ()) if m in recv_set} for n in recv_ids}
    cyc = _find_cycle(recv_ids, static_edges)
    if cyc:
        names = " -> ".join(models[i].process_name for i in cyc)
        raise CycleError(
            f"cycle without a send-first (synapse-like) process: {names}; every loop needs a "
            "connection process such as Dense that delays its output by one step"
        )
    # A receive-first model can also wait, in the same step, for one that reaches it through general
    # (user) models; with partitions the static order must respect that too, or a partition runs the
    # later model first and waits for ever. Those paths order the models unless they form a loop (a
    # general model may send first and so break it), in which case the direct edges alone do.
    through = {n: _reached_through_general(n, same_step, recv_set) for n in recv_ids}
    if through != static_edges and _find_cycle(recv_ids, through) is None:
        static_edges = through
    # Kahn's algorithm, stable in discovery order
    indeg = {n: 0 for n in recv_ids}
    for n in recv_ids:
        for m in static_edges[n]:
            indeg[m] += 1
    ready = collections.deque(n for n in recv_ids if indeg[n] == 0)
    topo: list[int] = []
    while ready:
        n = ready.popleft()
        topo.append(n)
        for m in sorted(static_edges[n], key=recv_ids.index):
            indeg[m] -= 1
            if indeg[m] == 0:
                ready.append(m)
    feeds_of: dict[int, list[int]] = collections.defaultdict(list)
    for n in recv_ids:
        for m in static_edges[n]:
            feeds_of[m].append(n)
    levels: dict[int, int] = {}
    for n in topo:
        levels[n] = 1 + max((levels[f] for f in feeds_of[n]), default=-1)
    ordered = [models[p.id] for p in leaves]
    return Plan(
        models=ordered,
        send_first=[models[p.id] for p in leaves if kind[p.id] == "send_first" and p.id not in async_ids],
        recv_first=[models[i] for i in topo],
        general=[
            models[p.id] for p in leaves if kind[p.id] not in ("send_first", "recv_first") and p.id not in async_ids
        ],
        async_models=[models[i] for i in async_ids],
        in_ports={p.id: [getattr(models[p.id], ip.name) for ip in p.in_ports] for p in leaves},
        levels=levels,
    )


def subplan(plan: Plan, ids: set[int]) -> Plan:
    """The part of a plan that concerns the processes ``ids`` (order preserved)."""

    def keep(ms: list) -> list:
        return [m for m in ms if m.process.id in ids]

    return Plan(
        models=keep(plan.models),
        send_first=keep(plan.send_first),
        recv_first=keep(plan.recv_first),
        general=keep(plan.general),
        async_models=keep(plan.async_models),
        in_ports={k: v for k, v in plan.in_ports.items() if k in ids},
        abort=plan.abort,
        levels={k: v for k, v in plan.levels.items() if k in ids},
    )


__all__ = ["Plan", "order", "subplan"]


def _reached_through_general(n: int, same_step: dict[int, set[int]], recv_set: set[int]) -> set[int]:
    """The receive-first models that ``n`` feeds in the same step, directly or through general models."""
    out: set[int] = set()
    seen = {n}
    stack = list(same_step.get(n, ()))
    while stack:
        m = stack.pop()
        if m in seen:
            continue
        seen.add(m)
        if m in recv_set:
            out.add(m)
        else:  # a general model passes the step's messages on
            stack.extend(same_step.get(m, ()))
    return out
