"""The profiler: where the time of a run goes, and what the network did meanwhile.

``RunConfig(profile=True)`` (then ``proc.runtime.profiler``) or ``with caldera.profile() as prof:`` around
runs records, per process, the time per step and per phase (spk / pre_mgmt / lrn / post_mgmt) and the
calls; per OutPort and channel the messages and bytes sent; per process the spikes it sent (non-zero
entries on the OutPorts of neuron-like, receive-first processes) and, for connection processes with a
weight matrix, the synaptic events (each input spike times the non-zero weights of its column); per
partition the steps, the wall time and the time spent waiting on channels from other partitions.
On the ``loihi`` backend the emulator's activity and energy report is added (found by duck typing:
an executor with a ``report()`` whose result has ``totals()``; the core imports no plugin).

How it stays free when off: nothing in the step loop tests for it. A profiled run asks the executor
(``InProcessExecutor.instrument``) to swap its calls for timed ones for the duration of that run and
swaps them back afterwards. Executors that run a compiled loop (``caldera-cython``) have no per-process
calls to time: the profiler records their partition's steps and wall time and says so.
"""

from __future__ import annotations

import contextlib
import json
import time
import typing as ty
import weakref

import numpy as np

from caldera.errors import ParameterError, RuntimeStateError

PHASES = ("spk", "pre_mgmt", "lrn", "post_mgmt")
#: per-step series (spikes, synaptic events) are kept for at most this many steps per process
MAX_SERIES_STEPS = 1_000_000

_ACTIVE: list[Profiler] = []  # profilers of open ``caldera.profile()`` blocks, innermost last


def _fanout(model: ty.Any) -> np.ndarray | None:
    """Non-zero weights per input (column) of a connection model's weight matrix, or None."""
    w = getattr(model, "weights", None)
    if w is None:
        return None
    if hasattr(w, "getnnz") and getattr(w, "ndim", 0) == 2:
        return np.asarray((w != 0).sum(axis=0)).reshape(-1).astype(np.int64)
    if isinstance(w, np.ndarray) and w.ndim == 2:
        return np.count_nonzero(w, axis=0).astype(np.int64)
    return None


class _Recording:
    """The instrumentation of one executor for one chunk of steps; ``result()`` is plain, picklable data."""

    def __init__(self, executor: ty.Any, partition: int, backend: str, steps: int) -> None:
        self.executor = executor
        self.partition = partition
        self.backend = backend
        self.first_step = int(executor.time_step) + 1
        self.capacity = max(int(steps), 1)
        self.procs: dict[str, dict] = {}
        self.ports: dict[str, list] = {}  # "proc.port" -> [messages, bytes, non-zero]
        self.waits: dict[str, list] = {}  # channel name -> [waits, ns]
        self._restore: list[ty.Callable[[], None]] = []
        self._gl_susp: ty.Any = weakref.WeakKeyDictionary()  # greenlet -> ns suspended so far
        self._gl_since: ty.Any = weakref.WeakKeyDictionary()  # greenlet -> when it was suspended
        self._old_trace: ty.Any = None
        self._greenlets = False
        # ns spent waiting on channels so far, per greenlet (None: no greenlets), taken out of the waiting model's time
        self._waited: dict = {}
        self.compiled = not hasattr(executor, "instrument")
        self.wall_ns = 0
        self.steps = 0

    # -- setting up ----------------------------------------------------------------------
    def _proc(self, model: ty.Any) -> dict:
        name = model.process_name
        p = self.procs.get(name)
        if p is None:
            proc = getattr(model, "process", None)
            kind = getattr(model, "schedule", None) or ("async" if hasattr(model, "run_async") else "general")
            p = self.procs[name] = {
                "class": type(proc).__name__ if proc is not None else "?",
                "model": type(model).__name__,
                "kind": kind,
                "partition": self.partition,
                "backend": self.backend,
                "size": int(np.prod(getattr(proc, "shape", None) or (1,))) if proc is not None else 1,
                "ns": [0, 0, 0, 0],
                "calls": [0, 0, 0, 0],
                "fused": False,
                "compiled": self.compiled,
                "spikes": np.zeros(self.capacity, np.int64),
                "sends": any(hasattr(v, "send_owned") for v in vars(model).values()),
                "synops": np.zeros(self.capacity, np.int64) if _fanout(model) is not None else None,
            }
        return p

    def _timed(self, owner: ty.Any, phase: str, call: ty.Callable) -> ty.Callable:
        k = PHASES.index(phase)
        clock = time.perf_counter_ns
        if isinstance(owner, list):  # a fused call: its time is shared by size among its members
            members = [self._proc(m) for m in owner]
            for p in members:
                p["fused"] = True
            total = sum(p["size"] for p in members) or 1
            shares = [(p["ns"], p["calls"], p["size"] / total) for p in members]

            def fused() -> ty.Any:
                t0 = clock()
                out = call()
                dt = clock() - t0
                for ns, calls, share in shares:
                    ns[k] += int(dt * share)
                    calls[k] += 1
                return out

            return fused
        p = self._proc(owner)
        ns, calls = p["ns"], p["calls"]
        susp = self._gl_susp if self._greenlets else None
        waited = self._waited

        def timed(*args: ty.Any, **kwargs: ty.Any) -> ty.Any:
            if susp is not None:
                import greenlet

                g = greenlet.getcurrent()
                s0 = susp.get(g, 0)
            else:
                g = None
            w0 = waited.get(g, 0)
            t0 = clock()
            try:
                return call(*args, **kwargs)
            finally:
                dt = clock() - t0 - (waited.get(g, 0) - w0)  # channel waits are the partition's, not the model's
                if susp is not None:
                    dt -= susp.get(g, 0) - s0  # time suspended while other models ran
                ns[k] += dt
                calls[k] += 1

        return timed

    def _count_sends(self, model: ty.Any) -> None:
        proc = self._proc(model)
        spiking = proc["kind"] not in ("send_first",)
        first, cap = self.first_step, self.capacity
        for port in vars(model).values():
            queues = getattr(port, "_queues", None)
            if queues is None or not hasattr(port, "send_owned") or "send_owned" in port.__dict__:
                continue
            key = f"{model.process_name}.{port.name}"
            stats = self.ports.setdefault(key, [0, 0, 0])
            series = proc["spikes"]
            inner = port.send_owned

            def send_owned(arr: ty.Any, inner=inner, port=port, stats=stats, series=series) -> None:
                a = np.asarray(arr)
                n = len(port._queues)
                nz = int(np.count_nonzero(a))
                stats[0] += n
                stats[1] += n * a.size * port.dtype.itemsize
                stats[2] += nz
                if spiking:
                    i = model.time_step - first
                    if 0 <= i < cap:
                        series[i] += nz
                inner(arr)

            port.__dict__["send_owned"] = send_owned
            self._restore.append(lambda port=port: port.__dict__.pop("send_owned", None))

    def _count_synops(self, model: ty.Any) -> None:
        fan = _fanout(model)
        port = getattr(model, "s_in", None)
        if fan is None or port is None or not hasattr(port, "recv") or "recv" in port.__dict__:
            return
        series = self._proc(model)["synops"]
        first, cap = self.first_step, self.capacity
        inner = port.recv

        def recv() -> ty.Any:
            x = inner()
            flat = np.asarray(x).reshape(-1)
            if flat.size == fan.size:
                i = model.time_step - first
                if 0 <= i < cap:
                    series[i] += int(fan[flat != 0].sum())
            return x

        port.__dict__["recv"] = recv
        self._restore.append(lambda: port.__dict__.pop("recv", None))

    def _time_channels(self, models: list) -> None:
        seen: set[int] = set()
        for m in models:
            for port in vars(m).values():
                for q in getattr(port, "_queues", None) or ():
                    ch = getattr(q, "channel", None)
                    target, attr = (ch, "acquire") if ch is not None else (q, "_block")
                    if not hasattr(target, attr) or id(target) in seen:
                        continue
                    seen.add(id(target))
                    stats = self.waits.setdefault(getattr(target, "name", "") or repr(target), [0, 0])
                    inner = getattr(target, attr)
                    clock = time.perf_counter_ns
                    total = self._waited
                    current = None
                    if self._greenlets:
                        import greenlet

                        current = greenlet.getcurrent

                    def waited(
                        *args: ty.Any, inner=inner, stats=stats, clock=clock, total=total, cur=current
                    ) -> ty.Any:
                        t0 = clock()
                        try:
                            return inner(*args)
                        finally:
                            dt = clock() - t0
                            stats[0] += 1
                            stats[1] += dt
                            g = None if cur is None else cur()
                            total[g] = total.get(g, 0) + dt

                    target.__dict__[attr] = waited
                    self._restore.append(lambda t=target, a=attr: t.__dict__.pop(a, None))

    def _trace_greenlets(self) -> None:
        import greenlet

        susp, since = self._gl_susp, self._gl_since
        clock = time.perf_counter_ns

        def trace(event: str, args: tuple) -> None:
            if event in ("switch", "throw"):
                origin, target = args
                now = clock()
                if origin.parent is not None and not origin.dead:
                    since[origin] = now
                t0 = since.pop(target, None)
                if t0 is not None:
                    susp[target] = susp.get(target, 0) + now - t0

        self._old_trace = greenlet.settrace(trace)
        self._restore.append(lambda: greenlet.settrace(self._old_trace))

    def __enter__(self) -> _Recording:
        ex = self.executor
        if not self.compiled:
            models = list(getattr(ex, "models", []))
            if getattr(ex, "dynamic", False):
                self._greenlets = True
                self._trace_greenlets()
            self._restore.append(ex.instrument(self._timed))
            for m in models:
                self._proc(m)
                self._count_sends(m)
                self._count_synops(m)
            self._time_channels(models)
        else:
            for m in getattr(ex, "models", []):
                self._proc(m)
        self._t0 = time.perf_counter_ns()
        self._step0 = int(ex.time_step)
        return self

    def __exit__(self, *exc: ty.Any) -> None:
        self.wall_ns = time.perf_counter_ns() - self._t0
        self.steps = int(self.executor.time_step) - self._step0
        for undo in reversed(self._restore):
            undo()
        self._restore.clear()

    def result(self) -> dict:
        steps = max(0, min(self.steps, self.capacity))
        procs = {}
        for name, p in self.procs.items():
            q = dict(p)
            q["spikes"] = p["spikes"][:steps].copy()
            q["synops"] = None if p["synops"] is None else p["synops"][:steps].copy()
            q["ns"], q["calls"] = list(p["ns"]), list(p["calls"])
            procs[name] = q
        out = {
            "partition": self.partition,
            "backend": self.backend,
            "compiled": self.compiled,
            "executor": type(self.executor).__name__,
            "steps": self.steps,
            "wall_ns": self.wall_ns,
            "procs": procs,
            "ports": {k: list(v) for k, v in self.ports.items()},
            "waits": {k: list(v) for k, v in self.waits.items()},
        }
        report = getattr(self.executor, "report", None)
        if callable(report):  # the loihi emulator's activity and energy (duck-typed)
            try:
                rep = report()
                if hasattr(rep, "totals"):
                    out["activity"] = {
                        "totals": rep.totals(),
                        "text": str(rep),
                        "cores": list(getattr(rep, "cores", []) or []),
                        "processes": list(getattr(rep, "processes", []) or []),
                    }
            except Exception as e:  # noqa: BLE001 - the profile itself stays usable
                out["activity"] = {"error": f"{type(e).__name__}: {e}"}
        return out


def record_partition(executor: ty.Any, partition: int, backend: str, steps: int) -> _Recording:
    """Instrument ``executor`` for a chunk of ``steps`` steps (used by the runtime and by child partitions)."""
    return _Recording(executor, partition, backend, steps)


class Profiler:
    """What profiled runs did; see the module docstring. ``table()`` for people, ``to_json()`` for tools."""

    def __init__(self) -> None:
        self.runs = 0
        self.steps = 0
        self.wall_ns = 0
        self.processes: dict[str, dict] = {}
        self.ports: dict[str, list] = {}
        self.waits: dict[tuple[int, str], list] = {}
        self.partitions: dict[int, dict] = {}
        self.activity: dict[int, dict] = {}
        self.links: list[tuple[str, str]] = []  # (channel label, source "proc.port")
        self._series: dict[str, list] = {}
        self._synops: dict[str, list] = {}
        self._network: ty.Any = None

    # -- recording (called by the runtime) -------------------------------------------------
    @contextlib.contextmanager
    def recording(self, runtime: ty.Any, steps: int) -> ty.Iterator[None]:
        """Profile one chunk of ``steps`` steps of ``runtime`` (every partition of it)."""
        net = runtime.net
        if self._network is None or self._network() is not net:
            self._network = weakref.ref(net)
            models = net.models
            for link in net.links:
                label = link.label(models)
                src = f"{models[link.src].process_name}.{link.src_port}"
                if (label, src) not in self.links:
                    self.links.append((label, src))
        group = runtime.group
        index = getattr(group, "rank", 0)  # over MPI this process runs the partition of its rank
        local = net.partitions[index] if net.partitions else None
        backend = local.backend.name if local is not None else runtime.backend
        t0 = time.perf_counter_ns()
        rec = record_partition(runtime.executor, index, backend, steps)
        if group is not None:
            group.profile = True
        try:
            with rec:
                yield
        finally:
            wall = time.perf_counter_ns() - t0
            if group is not None:
                group.profile = False
            gather = getattr(group, "gather_profiles", None)  # MPI: every rank gets every rank's recording
            for r in [rec.result()] if gather is None else gather(rec.result()):
                self.add(r)
            if group is not None:
                for r in group.profiles:
                    self.add(r)
                group.profiles = []
            self.runs += 1
            self.steps += rec.steps
            self.wall_ns += wall

    def add(self, r: dict) -> None:
        """Merge one partition's recording (``_Recording.result()``)."""
        k = r["partition"]
        part = self.partitions.setdefault(
            k, {"backend": r["backend"], "executor": r["executor"], "compiled": r["compiled"], "steps": 0, "wall_ns": 0}
        )
        part["steps"] += r["steps"]
        part["wall_ns"] += r["wall_ns"]
        part["compiled"] = r["compiled"]
        for name, p in r["procs"].items():
            q = self.processes.get(name)
            if q is None:
                q = self.processes[name] = {
                    key: p[key]
                    for key in ("class", "model", "kind", "partition", "backend", "size", "fused", "sends", "compiled")
                }
                q.update(ns=[0, 0, 0, 0], calls=[0, 0, 0, 0], steps=0, spikes=0, synops=None)
            q["fused"] = q["fused"] or p["fused"]
            q["steps"] += r["steps"]
            for i in range(4):
                q["ns"][i] += p["ns"][i]
                q["calls"][i] += p["calls"][i]
            q["spikes"] += int(np.sum(p["spikes"]))
            series = self._series.setdefault(name, [])
            if sum(len(s) for s in series) < MAX_SERIES_STEPS:
                series.append(np.asarray(p["spikes"]))
            if p["synops"] is not None:
                q["synops"] = (q["synops"] or 0) + int(np.sum(p["synops"]))
                syn = self._synops.setdefault(name, [])
                if sum(len(s) for s in syn) < MAX_SERIES_STEPS:
                    syn.append(np.asarray(p["synops"]))
        for key, v in r["ports"].items():
            acc = self.ports.setdefault(key, [0, 0, 0])
            for i in range(3):
                acc[i] += v[i]
        for name, v in r["waits"].items():
            acc = self.waits.setdefault((k, name), [0, 0])
            acc[0] += v[0]
            acc[1] += v[1]
        if "activity" in r:
            self.activity[k] = r["activity"]

    # -- results ---------------------------------------------------------------------------
    def spikes_per_step(self, process: str) -> np.ndarray:
        """The spikes ``process`` (by name) sent in each profiled step, in order."""
        if process not in self._series:
            raise ParameterError(f"no profiled process named {process!r}; profiled: {', '.join(self.processes)}")
        parts = self._series[process]
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)

    def synops_per_step(self, process: str) -> np.ndarray:
        """The synaptic events of connection process ``process`` in each profiled step."""
        if process not in self._synops:
            raise ParameterError(
                f"no synaptic events recorded for {process!r}; recorded for: {', '.join(self._synops) or 'none'}"
            )
        return np.concatenate(self._synops[process])

    def channels(self) -> list[dict]:
        """One row per message queue (``src.port->dst.port``): messages and bytes."""
        rows = []
        for label, src in self.links:
            v = self.ports.get(src)
            if v is not None:
                rows.append({"channel": label, "messages": v[0] // max(1, self._fanout_of(src)), "bytes": 0})
                rows[-1]["bytes"] = v[1] // max(1, self._fanout_of(src))
        return rows

    def _fanout_of(self, src: str) -> int:
        return sum(1 for _, s in self.links if s == src) or 1

    def rows(self) -> list[dict]:
        """Per process, sorted by total time (largest first)."""
        out = []
        total = sum(sum(p["ns"]) for p in self.processes.values()) or 1
        for name, p in self.processes.items():
            steps = max(p["steps"], 1)
            ns = sum(p["ns"])
            spiking = p["sends"] and p["kind"] != "send_first" and not p["compiled"]
            out.append(
                {
                    "process": name,
                    "class": p["class"],
                    "model": p["model"],
                    "kind": p["kind"],
                    "backend": p["backend"],
                    "partition": p["partition"],
                    "fused": p["fused"],
                    "steps": p["steps"],
                    "calls": sum(p["calls"]),
                    "time_s": ns / 1e9,
                    "share": ns / total,
                    "us_per_step": ns / steps / 1e3,
                    "phase_us_per_step": {ph: p["ns"][i] / steps / 1e3 for i, ph in enumerate(PHASES)},
                    "compiled": p["compiled"],  # in a compiled loop: no per-process figures
                    "spikes": p["spikes"] if spiking else None,
                    "spikes_per_step": p["spikes"] / steps if spiking else None,
                    "synops": None if p["compiled"] else p["synops"],
                    "synops_per_step": None if p["synops"] is None or p["compiled"] else p["synops"] / steps,
                }
            )
        out.sort(key=lambda r: -r["time_s"])
        return out

    def partition_rows(self) -> list[dict]:
        rows = []
        for k, part in sorted(self.partitions.items()):
            wait_ns = sum(v[1] for (pk, _), v in self.waits.items() if pk == k)
            in_models = sum(sum(p["ns"]) for p in self.processes.values() if p["partition"] == k)
            wall = part["wall_ns"] or 1
            rows.append(
                {
                    "partition": k,
                    "backend": part["backend"],
                    "executor": part["executor"],
                    "compiled": part["compiled"],
                    "steps": part["steps"],
                    "wall_s": part["wall_ns"] / 1e9,
                    "steps_per_s": part["steps"] / (wall / 1e9),
                    "in_models_s": in_models / 1e9,
                    "channel_wait_s": wait_ns / 1e9,
                    "channel_waits": {name: v[1] / 1e9 for (pk, name), v in self.waits.items() if pk == k},
                }
            )
        return rows

    def to_dict(self) -> dict:
        return {
            "format": "caldera-profile-1",
            "runs": self.runs,
            "steps": self.steps,
            "wall_s": self.wall_ns / 1e9,
            "processes": self.rows(),
            "channels": self.channels(),
            "ports": {k: {"messages": v[0], "bytes": v[1], "nonzero": v[2]} for k, v in self.ports.items()},
            "partitions": self.partition_rows(),
            "activity": {str(k): v for k, v in self.activity.items()},
        }

    def to_json(self, path: ty.Any = None, indent: int | None = 1) -> str:
        """The profile as JSON text; also written to ``path`` when given (its folder is created)."""
        text = json.dumps(self.to_dict(), indent=indent, default=_plain)
        if path is not None:
            import pathlib

            p = pathlib.Path(path)
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text)
        return text

    def table(self, limit: int | None = None) -> str:
        """A text table, processes sorted by time (what ``caldera profile`` prints)."""
        if not self.processes:
            return "profile: no run was recorded (start runs inside `with caldera.profile()` or use RunConfig(profile=True))"
        rows = self.rows()
        lines = [
            f"profile: {self.runs} run(s), {self.steps} steps, {self.wall_ns / 1e9:.3f} s wall "
            f"({self.steps / max(self.wall_ns / 1e9, 1e-12):,.0f} steps/s)",
            "",
            f"{'process':<22} {'class':<14} {'part':>4} {'time s':>8} {'%':>6} {'us/step':>9} "
            + " ".join(f"{ph:>9}" for ph in PHASES)
            + f" {'spikes/step':>11} {'synops/step':>11}",
        ]
        for r in rows[:limit] if limit else rows:
            ph = " ".join(f"{r['phase_us_per_step'][p]:>9.2f}" for p in PHASES)
            syn = "-" if r["synops_per_step"] is None else f"{r['synops_per_step']:.1f}"
            spk = "-" if r["spikes_per_step"] is None else f"{r['spikes_per_step']:.1f}"
            name = r["process"] + ("*" if r["fused"] else "")
            if r["compiled"]:
                lines.append(f"{name[:22]:<22} {r['class'][:14]:<14} {r['partition']:>4}   (in a compiled loop)")
                continue
            lines.append(
                f"{name[:22]:<22} {r['class'][:14]:<14} {r['partition']:>4} {r['time_s']:>8.4f} "
                f"{100 * r['share']:>5.1f}% {r['us_per_step']:>9.2f} {ph} {spk:>11} {syn:>11}"
            )
        if any(r["fused"] for r in rows):
            lines.append("* stepped in one fused call with others of its kind; the call's time is shared by size")
        chans = self.channels()
        if chans:
            lines += ["", f"{'channel':<48} {'messages':>10} {'bytes':>12}"]
            for c in sorted(chans, key=lambda c: -c["bytes"]):
                lines.append(f"{c['channel'][:48]:<48} {c['messages']:>10} {c['bytes']:>12}")
        lines += [
            "",
            f"{'partition':>9} {'backend':<10} {'steps':>8} {'wall s':>8} {'steps/s':>10} {'in models s':>11} "
            f"{'channel wait s':>14}",
        ]
        for p in self.partition_rows():
            lines.append(
                f"{p['partition']:>9} {p['backend']:<10} {p['steps']:>8} {p['wall_s']:>8.3f} {p['steps_per_s']:>10,.0f} "
                f"{p['in_models_s']:>11.3f} {p['channel_wait_s']:>14.3f}"
            )
            if p["compiled"]:
                lines.append(
                    f"{'':>9} {p['executor']} runs a compiled loop: no per-process split "
                    "(profile with backend='cpu' for one)"
                )
        for k, act in sorted(self.activity.items()):
            lines += ["", f"partition {k}: Loihi emulator activity and energy"]
            lines.append(act.get("text") or act.get("error", ""))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def __repr__(self) -> str:
        return f"Profiler(runs={self.runs}, steps={self.steps}, processes={len(self.processes)})"

    # -- as a context manager: ``with caldera.profile() as prof`` ------------------------------
    def __enter__(self) -> Profiler:
        from caldera.runtime import running_runtimes

        busy = running_runtimes()
        if busy:
            names = ", ".join(sorted(rt.net.leaves[0].name for rt in busy))
            raise RuntimeStateError(
                f"a network ({names}) is already running: a profiler records runs that start after it is "
                "turned on. Call pause() or wait() first and run again inside `with caldera.profile()`, or "
                "compile the network with RunConfig(profile=True)"
            )
        _ACTIVE.append(self)
        return self

    def __exit__(self, *exc: ty.Any) -> None:
        if self in _ACTIVE:
            _ACTIVE.remove(self)


def profile() -> Profiler:
    """``with caldera.profile() as prof:`` records every run started inside the block; then ``prof.table()``."""
    return Profiler()


def active() -> Profiler | None:
    """The innermost open ``caldera.profile()`` block's profiler, or None."""
    return _ACTIVE[-1] if _ACTIVE else None


def _plain(o: ty.Any) -> ty.Any:
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, np.generic):
        return o.item()
    return str(o)


__all__ = ["Profiler", "profile", "active", "record_partition", "PHASES"]
