"""Step 1: every process connected to the one that is run (ports, RefPorts, aliases, hierarchy)."""

from __future__ import annotations

import collections
import typing as ty

from caldera.ports import AbstractPort, RefPort
from caldera.process import Process


def _port_neighbours(port: AbstractPort) -> ty.Iterator[Process]:
    stack = [port]
    seen: set[int] = set()
    while stack:
        p = stack.pop()
        if id(p) in seen:
            continue
        seen.add(id(p))
        if p.process is not None and p is not port:
            yield p.process
            continue
        stack.extend(p.in_connections)
        stack.extend(p.out_connections)
        if isinstance(p, RefPort) and p.target_var is not None and p.target_var.process is not None:
            yield p.target_var.process


def collect_processes(root: Process) -> list[Process]:
    """Every process connected to ``root`` through ports, RefPorts and hierarchy, in discovery order."""
    seen: dict[int, Process] = {}
    queue = collections.deque([root])
    while queue:
        proc = queue.popleft()
        if proc.id in seen:
            continue
        seen[proc.id] = proc
        nbrs: list[Process] = []
        for port in proc.ports:
            nbrs.extend(_port_neighbours(port))
        for var in proc.vars:
            nbrs.extend(rp.process for rp in var.referrers if rp.process is not None)
            if var.aliased_var is not None and var.aliased_var.process is not None:
                nbrs.append(var.aliased_var.process)
        if proc.parent is not None:
            nbrs.append(proc.parent)
        nbrs.extend(proc.sub_procs.values())
        queue.extend(n for n in nbrs if n.id not in seen)
    return list(seen.values())


__all__ = ["collect_processes"]
