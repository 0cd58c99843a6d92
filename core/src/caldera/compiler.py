"""The compiler: from the process that is run to models wired for execution.

Steps, all in this module:

1. collect every process connected to the root (ports, RefPorts, hierarchy);
2. select a model per process (exception map -> backend and tag -> priority),
   expanding hierarchical processes through their sub-process models;
3. build the models: Vars materialised in the model's dtypes, parameters
   checked, model-side ports created;
4. resolve every leaf InPort's sources through hierarchy and virtual ports
   into message queues and a combining function;
5. order the step: send-first models emit, receive-first models run in
   topological order of their same-step edges (a cycle there is an error
   naming its processes), send-first models absorb.
"""

from __future__ import annotations

import collections
import functools
import inspect
import sys
import typing as ty
from dataclasses import dataclass, field

import numpy as np

from caldera import plugins
from caldera.backend import Backend
from caldera.errors import CompileError, CycleError, NoBackendError, NoModelError, ParameterError
from caldera.model import (
    CSR_MATRIX,
    AbstractProcessModel,
    AbstractPyProcessModel,
    AbstractSubProcessModel,
    PyAsyncProcessModel,
    PyInPort,
    PyOutPort,
    PyRefPort,
    PyVarPort,
    model_fields,
)
from caldera.ports import AbstractPort, ConcatPort, OutPort, RefPort, VirtualPort
from caldera.process import Process
from caldera.run_config import RunConfig
from caldera.variable import Var, is_sparse

CPU_PLUGIN_HINT = "install the NumPy backend: pip install ./plugins/cpu (distribution caldera-cpu)"


# -- 1. collect ---------------------------------------------------------------------------
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


# -- 2. select ----------------------------------------------------------------------------
def _user_models(proc_cls: type) -> list[type]:
    """Models defined in the same module as the process class (user scripts)."""
    mod = sys.modules.get(proc_cls.__module__)
    if mod is None:
        return []
    out = []
    for obj in list(vars(mod).values()):
        if (
            inspect.isclass(obj)
            and issubclass(obj, AbstractProcessModel)
            and obj.__dict__.get("implements_process", getattr(obj, "implements_process", None)) is proc_cls
        ):
            out.append(obj)
    return out


def _is_sub(model: type) -> bool:
    return issubclass(model, AbstractSubProcessModel)


def select_backend(run_cfg: RunConfig) -> Backend:
    bs = plugins.backends()
    if not bs:
        raise NoBackendError(f"no Caldera backend is installed; {CPU_PLUGIN_HINT}")
    if run_cfg.backend is None:
        return plugins.default_backend()  # type: ignore[return-value]
    if run_cfg.backend not in bs:
        raise NoBackendError(
            f"backend {run_cfg.backend!r} is not installed; installed backends: {', '.join(sorted(bs))}"
        )
    return bs[run_cfg.backend]


def select_model(proc: Process, run_cfg: RunConfig, backend: Backend) -> type:
    """The model class for ``proc`` (see the module docstring for the order)."""
    pinned = run_cfg.pinned_model(proc)
    if pinned is not None:
        return pinned
    pcls = type(proc)
    registered = plugins.models_for(pcls, backend.name)
    user = [("user", m) for m in _user_models(pcls) if all(m is not r for _, r in registered)]
    candidates = registered + user
    what = f"{pcls.__name__} {proc.name!r}"
    if not candidates:
        if not plugins.backends() or not plugins.process_models():
            raise NoModelError(f"no process model for {what}: no plugin provides models; {CPU_PLUGIN_HINT}")
        raise NoModelError(
            f"no process model implements {pcls.__name__} ({what}); define one with "
            f"@implements(proc={pcls.__name__}) in the module that defines the process, or pin one "
            "with RunConfig(exception_proc_model_map={...})"
        )
    runnable = [(p, m) for p, m in candidates if _is_sub(m) or backend.accepts(m)]
    if not runnable:
        raise NoModelError(
            f"no model of {what} runs on backend {backend.name!r}; models exist for: "
            + ", ".join(sorted({m.__name__ for _, m in candidates}))
        )
    tag = run_cfg.tag
    if tag is not None:
        # an untagged model (typical for hierarchical and users' models) fits every tag
        tagged = [(p, m) for p, m in runnable if tag in m.tags or not m.tags]
        if not tagged:
            tags = sorted({t for _, m in runnable for t in m.tags})
            hint = getattr(backend, "tag_hints", {}).get(tag)
            raise NoModelError(
                f"no {tag!r} model of {what} on backend {backend.name!r}; "
                f"available tags: {', '.join(tags) or 'none'}" + (f"; {hint}" if hint else "")
            )
        runnable = tagged

    def rank(item: tuple[str, type]) -> tuple:
        plug, m = item
        sub_pref = (1 if _is_sub(m) else 0) if run_cfg.select_sub_proc_model else (0 if _is_sub(m) else 1)
        native = 1 if plug == backend.plugin else 0
        user_pref = 1 if plug == "user" else 0
        floating = 1 if (tag is None and "floating_pt" in m.tags) else 0
        exact_tag = 1 if (tag is not None and tag in m.tags) else 0
        return (sub_pref, exact_tag, native, user_pref, floating)

    return max(runnable, key=rank)[1]


# -- 3. build -----------------------------------------------------------------------------
def _check_range(model_cls: type, proc: Process, name: str, value: ty.Any) -> None:
    ranges = getattr(model_cls, "param_ranges", None) or {}
    if name not in ranges or value is None:
        return
    lo, hi, desc = ranges[name]
    vals = value.data if is_sparse(value) else np.asarray(value)
    if vals.size == 0:
        return
    vmin, vmax = np.min(vals), np.max(vals)
    if vmin < lo or vmax > hi:
        bad = vmin if vmin < lo else vmax
        bad = bad.item() if isinstance(bad, np.generic) else bad  # 5000, not np.int64(5000)
        raise ParameterError(
            f"{type(proc).__name__} {proc.name!r}: {name}={bad!r} is outside {lo}..{hi} ({desc}) "
            f"for the model {model_cls.__name__} (tag {', '.join(model_cls.tags) or '-'})"
        )


def materialize_var(var: Var, lt: ty.Any) -> ty.Any:
    """The model-side value of a Var, as Lava's builder makes it."""
    init = var.init
    if lt is None:
        return init.copy() if is_sparse(init) else var.init_value()
    cls = lt.cls
    if isinstance(cls, type) and issubclass(cls, np.ndarray):
        arr = np.empty(var.shape, dtype=lt.d_type)
        arr[...] = init.toarray() if is_sparse(init) else np.broadcast_to(np.asarray(init), var.shape)
        return arr
    if cls in (int, float, str, bool):
        return init
    if (
        cls == CSR_MATRIX
        or isinstance(cls, type)
        and cls.__name__.endswith("_matrix")
        or getattr(cls, "format", None) == "csr"
    ):
        from scipy.sparse import csr_matrix

        m = csr_matrix(init) if not is_sparse(init) else init.tocsr(copy=True)
        return m.astype(lt.d_type)
    return init


def build_model(proc: Process, model_cls: type) -> AbstractPyProcessModel:
    model = model_cls(proc.proc_params)
    model.process_name = proc.name
    model.process = proc
    fields = model_fields(model_cls)
    for var in proc.vars:
        _check_range(model_cls, proc, var.name, var.init)
        setattr(model, var.name, materialize_var(var, fields.get(var.name)))
    for port in proc.in_ports:
        lt = fields.get(port.name)
        cls = lt.cls if lt is not None and isinstance(lt.cls, type) and issubclass(lt.cls, PyInPort) else PyInPort
        setattr(model, port.name, cls(port.name, proc.name, port.shape, lt.d_type if lt else float))
    for port in proc.out_ports:
        lt = fields.get(port.name)
        cls = lt.cls if lt is not None and isinstance(lt.cls, type) and issubclass(lt.cls, PyOutPort) else PyOutPort
        setattr(model, port.name, cls(port.name, proc.name, port.shape, lt.d_type if lt else float))
    for port in proc.ref_ports:
        lt = fields.get(port.name)
        setattr(model, port.name, PyRefPort(port.name, proc.name, port.shape, lt.d_type if lt else float))
    for port in proc.var_ports:
        setattr(model, port.name, PyVarPort(port.name, proc.name, port.shape, float))
    try:
        model.validate()
    except ParameterError:
        raise
    except (ValueError, TypeError) as e:
        raise ParameterError(f"{type(proc).__name__} {proc.name!r}: {e}") from e
    return model


# -- 4. wire ------------------------------------------------------------------------------
@dataclass
class _Src:
    port: OutPort


@dataclass
class _Zero:
    shape: tuple


@dataclass
class _Sum:
    terms: list


@dataclass
class _Apply:
    port: VirtualPort
    args: list


def _resolve(port: AbstractPort, leaves: set[int], depth: int = 0) -> ty.Any:
    if depth > 10_000:
        raise CompileError(f"connection loop through {port.qualified_name}")
    if isinstance(port, OutPort) and port.process is not None and port.process.id in leaves:
        return _Src(port)
    if isinstance(port, ConcatPort):
        return _Apply(port, [_resolve(u, leaves, depth + 1) for u in port.in_connections])
    terms = [t for t in (_resolve(u, leaves, depth + 1) for u in port.in_connections) if not isinstance(t, _Zero)]
    inner: ty.Any = _Zero(port.shape) if not terms else terms[0] if len(terms) == 1 else _Sum(terms)
    if isinstance(port, VirtualPort):
        if isinstance(inner, _Zero):
            return _Zero(port._target if hasattr(port, "_target") else port.shape)
        return _Apply(port, [inner])
    return inner


def _sources(expr: ty.Any) -> list[OutPort]:
    if isinstance(expr, _Src):
        return [expr.port]
    if isinstance(expr, _Sum):
        return [s for t in expr.terms for s in _sources(t)]
    if isinstance(expr, _Apply):
        return [s for t in expr.args for s in _sources(t)]
    return []


def _evaluator(expr: ty.Any, counter: list[int]) -> ty.Callable[[list], np.ndarray]:
    if isinstance(expr, _Src):
        i = counter[0]
        counter[0] += 1
        return lambda vals: vals[i]
    if isinstance(expr, _Zero):
        z = np.zeros(expr.shape)
        return lambda vals: z
    if isinstance(expr, _Sum):
        fs = [_evaluator(t, counter) for t in expr.terms]
        return lambda vals: functools.reduce(lambda a, f: a + f(vals), fs[1:], fs[0](vals))
    if isinstance(expr, _Apply):
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
    """Create queues between model ports; return, per model, the processes feeding it."""
    leaf_ids = {p.id for p in leaves}
    feeders: dict[int, set[int]] = {p.id: set() for p in leaves}
    for proc in leaves:
        model = models[proc.id]
        for port in proc.in_ports:
            py_in: PyInPort = getattr(model, port.name)
            expr = _resolve(port, leaf_ids)
            srcs = _sources(expr)
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
            if isinstance(expr, _Src):
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


# -- 5. order -----------------------------------------------------------------------------
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


# -- driver -------------------------------------------------------------------------------
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


@dataclass
class Partition:
    """Processes executed together by one executor of one backend, in one OS process."""

    index: int
    backend: Backend
    ids: set[int]
    plan: Plan


def _cost(proc: Process) -> int:
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
    import os

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    total = sum(_cost(p) for p in leaves)
    return int(max(1, min(cores, 1 + total // AUTO_PARTITION_MIN_COST)))


def assign_partitions(
    leaves: list[Process],
    models: dict[int, ty.Any],
    run_cfg: RunConfig,
    proc_backend: dict[int, Backend],
    all_procs: list[Process],
) -> list[Partition]:
    """Assign every leaf process to a partition (see ``RunConfig.partitions``).

    A RefPort reads and writes its target directly, so a RefPort's owner (e.g.
    a Monitor) always shares the partition of the processes it refers to; a
    process that talks to the user's thread (``host_only`` models) stays in
    partition 0, which runs in the user's OS process.
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
                    if not tb.accepts(type(models[p.id])):
                        raise CompileError(
                            f"{rp.qualified_name} refers to {tgt.qualified_name} on backend {tb.name!r}, but "
                            f"{p.name}'s model {type(models[p.id]).__name__} cannot run there"
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
        for unit in units:
            targets = {idx[p.id] for p in unit if p.id in idx and p.id not in owners}
            given = targets or {idx[p.id] for p in unit if p.id in idx}
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
        costs = [sum(_cost(p) for p in unit) for unit in units]
        target = sum(costs) / n
        acc = 0.0
        for c in costs:  # contiguous chunks of equal work, split at the units' midpoints
            unit_idx.append(min(n - 1, int((acc + c / 2) // target)))
            acc += c
    idx = {p.id: i for unit, i in zip(units, unit_idx) for p in unit}
    host = {idx[p.id] for p in leaves if getattr(models[p.id], "host_only", False)}
    if len(host) > 1:
        raise CompileError("host-bound processes (Injector, Extractor, ...) were assigned to different partitions")
    first = host.pop() if host else idx[leaves[0].id]
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


def _thread_channels_for_async(models: dict[int, ty.Any], links: list[Link], plan: Plan) -> None:
    """Async models run in their own thread: their message queues become thread-safe blocking channels."""
    if not plan.async_models:
        return
    import threading

    from caldera.channels import ThreadChannel

    plan.abort = threading.Event()
    for link in links:
        src, dst = models[link.src], models[link.dst]
        if isinstance(src, PyAsyncProcessModel) or isinstance(dst, PyAsyncProcessModel):
            ch = ThreadChannel(plan.abort, name=link.label(models))
            link.replace(models, ch, ch)


@dataclass
class CompiledNetwork:
    processes: list[Process]  # every process, hierarchical parents included
    leaves: list[Process]
    models: dict[int, AbstractPyProcessModel]
    plan: Plan
    backend: Backend
    run_cfg: RunConfig
    model_classes: dict[int, type]
    partitions: list[Partition] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    #: the step the network resumes from (a loaded network continues where it was saved)
    start_time_step: int = 0
    sync_domains: list = field(default_factory=list)


def _sync_domains(run_cfg: RunConfig, leaves: list[Process], models: dict[int, ty.Any]) -> list:
    """Check custom sync domains against the selected models; put every other process in a default one."""
    from caldera.protocols import AsyncProtocol, LoihiProtocol
    from caldera.sync_domain import SyncDomain

    leaf_ids = {p.id for p in leaves}
    placed: dict[int, str] = {}
    domains = []
    for dom in run_cfg.custom_sync_domains:
        if not isinstance(dom, SyncDomain):
            raise CompileError(f"custom_sync_domains holds {dom!r}, not a caldera.sync_domain.SyncDomain")
        members = []
        for proc in dom.processes:
            stack = [proc]
            while stack:
                q = stack.pop()
                stack.extend(q.sub_procs.values())
                if q.id not in leaf_ids:
                    continue
                if q.id in placed:
                    raise CompileError(f"{q.name} is in two sync domains: {placed[q.id]!r} and {dom.name!r}")
                model = models[q.id]
                proto = model.implements_protocol
                if proto is not None and not issubclass(proto, dom.protocol):
                    raise CompileError(
                        f"{q.name}'s model {type(model).__name__} implements {proto.__name__}, but sync domain "
                        f"{dom.name!r} uses {dom.protocol.__name__}"
                    )
                placed[q.id] = dom.name
                members.append(q)
        domains.append(SyncDomain(dom.name, dom.protocol, members))
    defaults: dict[type, SyncDomain] = {}
    for p in leaves:
        if p.id in placed:
            continue
        proto = AsyncProtocol if isinstance(models[p.id], PyAsyncProcessModel) else LoihiProtocol
        dom = defaults.get(proto)
        if dom is None:
            dom = defaults[proto] = SyncDomain(f"{proto.__name__}_default", proto, [])
            domains.append(dom)
        dom.processes.append(p)
    return domains


def _backend_for(proc: Process, run_cfg: RunConfig, default: Backend) -> Backend:
    name = run_cfg.pinned_backend(proc)
    if name is not None:
        bs = plugins.backends()
        if name not in bs:
            raise NoBackendError(
                f"RunConfig.backend_map pins {proc.name} to backend {name!r}, which is not installed; "
                f"installed: {', '.join(sorted(bs))}"
            )
        return bs[name]
    pinned = run_cfg.pinned_model(proc)
    if pinned is not None and not _is_sub(pinned) and not default.accepts(pinned):
        able = [b for b in plugins.backends().values() if b.accepts(pinned)]
        if able:
            return max(able, key=lambda b: b.priority)
    return default


def compile_network(root: Process, run_cfg: RunConfig | None = None) -> CompiledNetwork:
    run_cfg = run_cfg if run_cfg is not None else RunConfig()
    if not isinstance(run_cfg, RunConfig):
        raise CompileError(f"run_cfg must be a caldera.RunConfig, got {type(run_cfg).__name__}")
    for p in collect_processes(root):
        if p._runtime is not None:
            raise CompileError(
                f"{p.name} already belongs to a compiled network; a process can be part of one network only"
            )
    default_backend = select_backend(run_cfg)
    proc_backend: dict[int, Backend] = {}
    leaves: list[Process] = []
    model_classes: dict[int, type] = {}
    done: set[int] = set()
    all_procs: list[Process] = []
    pending = collections.deque([root])
    while pending:
        for proc in collect_processes(pending.popleft()):
            if proc.id in done:
                continue
            done.add(proc.id)
            all_procs.append(proc)
            backend = _backend_for(proc, run_cfg, default_backend)
            mcls = select_model(proc, run_cfg, backend)
            model_classes[proc.id] = mcls
            proc_backend[proc.id] = backend
            if _is_sub(mcls):
                sub = mcls(proc)
                for i, child in enumerate(sub.find_sub_procs()):
                    child.parent = proc
                    proc.sub_procs[child.name or str(i)] = child
                    pending.append(child)
                # the parent's own connections may reach more processes through the children
                pending.append(proc)
            else:
                if not (isinstance(mcls, type) and issubclass(mcls, AbstractPyProcessModel)):
                    raise CompileError(f"{mcls!r} (selected for {proc.name}) is not a process model class")
                if not backend.accepts(mcls):
                    raise NoModelError(
                        f"model {mcls.__name__} of {type(proc).__name__} {proc.name!r} cannot run on "
                        f"backend {backend.name!r}"
                    )
                leaves.append(proc)
    if not leaves:
        raise CompileError(f"{root.name}: the network has no process to execute")
    models = {p.id: build_model(p, model_classes[p.id]) for p in leaves}
    links: list[Link] = []
    feeders = wire(models, leaves, links)
    plan = order(leaves, models, feeders)
    _thread_channels_for_async(models, links, plan)
    partitions = assign_partitions(leaves, models, run_cfg, proc_backend, all_procs)
    for part in partitions:
        part.plan = subplan(plan, part.ids)
    sync_domains = _sync_domains(run_cfg, leaves, models)
    start = max(int(getattr(p, "_start_time_step", 0)) for p in all_procs)
    for m in models.values():
        m.time_step = start
    return CompiledNetwork(
        all_procs,
        leaves,
        models,
        plan,
        partitions[0].backend,
        run_cfg,
        model_classes,
        partitions,
        links,
        start,
        sync_domains,
    )


__all__ = [
    "compile_network",
    "CompiledNetwork",
    "Plan",
    "Partition",
    "Link",
    "subplan",
    "select_model",
    "select_backend",
    "collect_processes",
]
