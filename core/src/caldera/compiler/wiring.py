"""Step 4: message queues between model ports.

Every leaf InPort's sources are resolved through hierarchy and virtual ports
into an expression (:class:`Src`, :class:`Zero`, :class:`Sum`, :class:`Apply`);
each source occurrence gets a queue, and an InPort with more than a single
plain source gets a combining function that evaluates the expression. A
compiled backend may read the expressions itself (``caldera-cython`` does).
"""

from __future__ import annotations

import collections
import functools
import typing as ty
from dataclasses import dataclass

import numpy as np

from caldera.errors import CompileError
from caldera.model import AbstractPyProcessModel, PyInPort, PyOutPort, PyRefPort
from caldera.ports import AbstractPort, ConcatPort, OutPort, RefPort, VirtualPort
from caldera.process import Process


@dataclass
class Src:
    """The message sent by a leaf OutPort."""

    port: OutPort


@dataclass
class Zero:
    """Nothing connected: zeros of ``shape``."""

    shape: tuple


@dataclass
class Sum:
    """Fan-in: the sum of the terms."""

    terms: list


@dataclass
class Apply:
    """A virtual port's transformation (reshape, transpose, concat, ...) applied to its arguments."""

    port: VirtualPort
    args: list


def resolve(port: AbstractPort, leaves: set[int], depth: int = 0) -> ty.Any:
    """The expression of what ``port`` receives, in terms of the OutPorts of the processes ``leaves``."""
    if depth > 10_000:
        raise CompileError(f"connection loop through {port.qualified_name}")
    if isinstance(port, OutPort) and port.process is not None and port.process.id in leaves:
        return Src(port)
    if isinstance(port, ConcatPort):
        return Apply(port, [resolve(u, leaves, depth + 1) for u in port.in_connections])
    terms = [t for t in (resolve(u, leaves, depth + 1) for u in port.in_connections) if not isinstance(t, Zero)]
    inner: ty.Any = Zero(port.shape) if not terms else terms[0] if len(terms) == 1 else Sum(terms)
    if isinstance(port, VirtualPort):
        if isinstance(inner, Zero):
            return Zero(port._target if hasattr(port, "_target") else port.shape)
        return Apply(port, [inner])
    return inner


def sources(expr: ty.Any) -> list[OutPort]:
    """The OutPorts an expression reads, in evaluation order."""
    if isinstance(expr, Src):
        return [expr.port]
    if isinstance(expr, Sum):
        return [s for t in expr.terms for s in sources(t)]
    if isinstance(expr, Apply):
        return [s for t in expr.args for s in sources(t)]
    return []


def _evaluator(expr: ty.Any, counter: list[int]) -> ty.Callable[[list], np.ndarray]:
    if isinstance(expr, Src):
        i = counter[0]
        counter[0] += 1
        return lambda vals: vals[i]
    if isinstance(expr, Zero):
        z = np.zeros(expr.shape)
        return lambda vals: z
    if isinstance(expr, Sum):
        fs = [_evaluator(t, counter) for t in expr.terms]
        return lambda vals: functools.reduce(lambda a, f: a + f(vals), fs[1:], fs[0](vals))
    if isinstance(expr, Apply):
        fs = [_evaluator(t, counter) for t in expr.args]
        fwd = expr.port.forward
        return lambda vals: fwd([f(vals) for f in fs])
    raise TypeError(expr)


@dataclass
class Link:
    """One message queue: from a leaf OutPort to a leaf InPort (one per source occurrence)."""

    src: int  # process id
    src_port: str
    dst: int
    dst_port: str
    queue: ty.Any

    def label(self, models: dict[int, ty.Any]) -> str:
        return f"{models[self.src].process_name}.{self.src_port}->{models[self.dst].process_name}.{self.dst_port}"

    def replace(self, models: dict[int, ty.Any], sender: ty.Any, receiver: ty.Any) -> None:
        """Put new endpoints where this link's queue sits in both ports' queue lists (order matters)."""
        out, inp = getattr(models[self.src], self.src_port), getattr(models[self.dst], self.dst_port)
        out._queues[[id(q) for q in out._queues].index(id(self.queue))] = sender
        inp._queues[[id(q) for q in inp._queues].index(id(self.queue))] = receiver
        self.queue = receiver


def wire(
    models: dict[int, AbstractPyProcessModel], leaves: list[Process], links: list[Link] | None = None
) -> dict[int, set[int]]:
    """Create queues between model ports (appending a :class:`Link` per queue to ``links``) and point
    RefPorts at their targets; return, per process id, the ids of the processes feeding it."""
    leaf_ids = {p.id for p in leaves}
    feeders: dict[int, set[int]] = {p.id: set() for p in leaves}
    for proc in leaves:
        model = models[proc.id]
        for port in proc.in_ports:
            py_in: PyInPort = getattr(model, port.name)
            expr = resolve(port, leaf_ids)
            srcs = sources(expr)
            if not srcs:
                continue
            src_dtypes = []
            for sp in srcs:
                py_out: PyOutPort = getattr(models[sp.process.id], sp.name)
                q: collections.deque = collections.deque()
                py_out._queues.append(q)
                py_in._queues.append(q)
                if links is not None:
                    links.append(Link(sp.process.id, sp.name, proc.id, port.name, q))
                src_dtypes.append(py_out.dtype)
                feeders[proc.id].add(sp.process.id)
            py_in._result_dtype = np.result_type(py_in.dtype, *src_dtypes)
            if isinstance(expr, Src):
                py_in._combine = None
            else:
                ev = _evaluator(expr, [0])
                in_dtype, shape = py_in.dtype, py_in.shape

                def combine(vals, ev=ev, in_dtype=in_dtype, shape=shape):
                    out = np.zeros(shape, in_dtype) + ev(vals)
                    if out.shape != shape:
                        out = out.reshape(shape)
                    return out

                py_in._combine = combine
        for port in proc.ref_ports:
            target = port.target_var
            if target is None:
                # a parent's RefPort connected to this child's RefPort
                ups = [u for u in port.in_connections if isinstance(u, RefPort)]
                target = ups[0].target_var if ups else None
            py_ref: PyRefPort = getattr(model, port.name)
            if target is None:
                continue
            target = target.resolve()
            if target.process is None or target.process.id not in models:
                raise CompileError(
                    f"{port.qualified_name} refers to {target.qualified_name}, which is not part of the network"
                )
            py_ref._target_model = models[target.process.id]
            py_ref._target_name = target.name
    return feeders


__all__ = ["Src", "Zero", "Sum", "Apply", "resolve", "sources", "Link", "wire"]
