"""Save a network (processes, parameters, connections, current state) to one file, and load it back.

The file is a NumPy ``.npz`` archive: arrays are stored as arrays, and a JSON
manifest describes the processes (class by import path, constructor
arguments), the connections (including virtual ports), Monitor probes, every
Var's current value and the time step. Nothing is pickled, so no code object
travels with the file; loading imports the process classes by name. A loaded
network continues with the same numbers as the original would have.
"""

from __future__ import annotations

import enum
import importlib
import io
import json
import pathlib
import typing as ty

import numpy as np

from caldera.compiler import collect_processes
from caldera.errors import CalderaError
from caldera.ports import AbstractPort, ConcatPort, InPort, ReshapePort, TransposePort, VirtualPort
from caldera.process import Process
from caldera.variable import is_sparse

FORMAT = "caldera-network/1"


class SerializationError(CalderaError, ValueError):
    """The network (or file) cannot be saved or loaded; the message says which part."""


class _Writer:
    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def array(self, a: np.ndarray) -> str:
        key = f"a{len(self.arrays)}"
        self.arrays[key] = np.asarray(a)
        return key

    def encode(self, v: ty.Any, where: str) -> ty.Any:
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        if isinstance(v, enum.Enum):
            return {"$enum": f"{type(v).__module__}:{type(v).__qualname__}", "name": v.name}
        if isinstance(v, np.generic):
            return {"$scalar": self.array(np.asarray(v))}
        if isinstance(v, np.ndarray):
            return {"$array": self.array(v)}
        if is_sparse(v):
            c = v.tocsr()
            return {"$csr": [self.array(c.data), self.array(c.indices), self.array(c.indptr)], "shape": list(c.shape)}
        if isinstance(v, (list, tuple)):
            return {"$" + type(v).__name__: [self.encode(x, where) for x in v]}
        if isinstance(v, dict) and all(isinstance(k, str) for k in v):
            return {"$dict": {k: self.encode(x, f"{where}.{k}") for k, x in v.items()}}
        raise SerializationError(f"cannot save {where}: values of type {type(v).__name__} are not supported")


def _decode(v: ty.Any, arrays: ty.Any) -> ty.Any:
    if not isinstance(v, dict):
        return v
    if "$enum" in v:
        return _import(v["$enum"])[v["name"]]
    if "$scalar" in v:
        return arrays[v["$scalar"]][()]
    if "$array" in v:
        return arrays[v["$array"]]
    if "$csr" in v:
        from scipy import sparse

        d, i, p = (arrays[k] for k in v["$csr"])
        return sparse.csr_matrix((d, i, p), shape=tuple(v["shape"]))
    if "$list" in v:
        return [_decode(x, arrays) for x in v["$list"]]
    if "$tuple" in v:
        return tuple(_decode(x, arrays) for x in v["$tuple"])
    if "$dict" in v:
        return {k: _decode(x, arrays) for k, x in v["$dict"].items()}
    raise SerializationError(f"unknown value encoding {v!r}")


def _import(path: str) -> ty.Any:
    mod, _, qual = path.partition(":")
    try:
        obj = importlib.import_module(mod)
        for part in qual.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as e:
        raise SerializationError(f"cannot import {path!r} while loading: {e}") from e
    return obj


def _top(p: Process) -> bool:
    return p.parent is None


def save(network: Process | ty.Iterable[Process], path: str | pathlib.Path) -> pathlib.Path:
    """Save the network that ``network`` belongs to (any of its processes will do)."""
    roots = [network] if isinstance(network, Process) else list(network)
    if not roots:
        raise SerializationError("nothing to save")
    procs: list[Process] = []
    seen: set[int] = set()
    for r in roots:
        for p in collect_processes(r):
            if p.id not in seen and _top(p):
                seen.add(p.id)
                procs.append(p)
    names = [p.name for p in procs]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise SerializationError(f"process names must be unique to save a network; repeated: {sorted(dup)}")
    w = _Writer()
    rt = next((p._runtime for p in procs if p._runtime is not None), None)
    if rt is not None and rt.state == "running":
        raise SerializationError("pause() or wait() before saving a running network")
    manifest: dict[str, ty.Any] = {
        "format": FORMAT,
        "time_step": int(rt.time_step) if rt else 0,
        "processes": [],
        "virtual": [],
        "connections": [],
        "refs": [],
    }
    from caldera.procs.monitor import Monitor

    for p in procs:
        args = getattr(p, "_ctor_args", None)
        if args is None:
            raise SerializationError(
                f"{p.name}: its constructor arguments were not recorded; "
                "processes must be subclasses of caldera.Process"
            )
        entry = {
            "name": p.name,
            "class": f"{type(p).__module__}:{type(p).__qualname__}",
            "args": {k: w.encode(v, f"{p.name}.{k}") for k, v in args.items() if k != "name"},
            "vars": {},
        }
        if isinstance(p, Monitor):
            entry["probes"] = [
                {"kind": kind, "target": tp, "member": member, "num_steps": int(getattr(p, data).shape[0])}
                for kind, _port, data, tp, member in p.proc_params["probes"]
            ]
        for var in p.vars:
            entry["vars"][var.name] = w.encode(var.get(), f"{p.name}.{var.name}")
        manifest["processes"].append(entry)
    # connections: every edge leaving a top-level process's port or a virtual port
    vids: dict[int, int] = {}

    def ref(port: AbstractPort) -> str:
        if isinstance(port, VirtualPort):
            if id(port) not in vids:
                vids[id(port)] = len(vids)
                if isinstance(port, ConcatPort):
                    spec = {"kind": "concat", "axis": port.axis, "inputs": [ref(u) for u in port.in_connections]}
                elif isinstance(port, ReshapePort):
                    spec = {"kind": "reshape", "shape": list(port.shape), "side": port.side, "parent": ref(port.parent)}
                elif isinstance(port, TransposePort):
                    axes = list(port._axes) if port.side == "out" else [int(a) for a in np.argsort(port._axes)]
                    spec = {"kind": "transpose", "axes": axes, "side": port.side, "parent": ref(port.parent)}
                else:
                    raise SerializationError(f"cannot save virtual port {port!r}")
                spec["id"] = vids[id(port)]
                manifest["virtual"].append(spec)
            return f"#{vids[id(port)]}"
        if port.process is None or port.process.id not in seen:
            raise SerializationError(f"{port!r} does not belong to a saved process")
        return f"{port.process.name}.{port.name}"

    def saved(port: AbstractPort) -> bool:
        return isinstance(port, VirtualPort) or (port.process is not None and port.process.id in seen)

    stack: list[AbstractPort] = [pt for p in procs for pt in [*p.out_ports, *p.in_ports]]
    done: set[int] = set()
    while stack:
        src = stack.pop()
        if id(src) in done:
            continue
        done.add(id(src))
        for dst in src.out_connections:
            if isinstance(dst, ConcatPort) or (isinstance(dst, VirtualPort) and dst.side == "out"):
                ref(dst)
                stack.append(dst)
                continue
            if not (saved(src) and saved(dst)):
                continue  # parent <-> child edges are rebuilt by the sub-process model
            if isinstance(dst.process, Monitor):
                continue  # probes are rebuilt by Monitor.probe
            if isinstance(src, InPort) and isinstance(dst, InPort) and not isinstance(src, VirtualPort):
                continue
            if isinstance(dst, VirtualPort) and dst.side == "in":
                ref(dst)
            manifest["connections"].append([ref(src), ref(dst)])
    for p in procs:
        if isinstance(p, Monitor):
            continue
        for rp in p.ref_ports:
            if rp.target_var is not None and rp.target_var.process is not None:
                tv = rp.target_var
                if tv.process.id not in seen:
                    raise SerializationError(f"{rp.qualified_name} refers to a process outside the network")
                manifest["refs"].append([f"{p.name}.{rp.name}", f"{tv.process.name}.{tv.name}"])
    buf = io.BytesIO()
    buf.write(json.dumps(manifest).encode())
    w.arrays["__manifest__"] = np.frombuffer(buf.getvalue(), dtype=np.uint8)
    path = pathlib.Path(path)
    comm = None
    if rt is not None and rt.run_cfg.transport == "mpi":  # every rank gathered the values; rank 0 writes
        from caldera.mpi import world

        comm = world()
    if comm is None or comm.rank == 0:
        with open(path, "wb") as f:
            np.savez_compressed(f, **w.arrays)
    if comm is not None:
        comm.Barrier()  # the file is complete when save() returns, on every rank
    return path


def load(path: str | pathlib.Path) -> dict[str, Process]:
    """Load a saved network; returns its top-level processes by name, ready to run."""
    if not pathlib.Path(path).is_file():
        what = "is a folder, not a file" if pathlib.Path(path).is_dir() else "does not exist"
        raise SerializationError(f"{path}: {what}; caldera.load reads a file written by caldera.save")
    try:
        arrays = np.load(pathlib.Path(path), allow_pickle=False)
        manifest = json.loads(bytes(arrays["__manifest__"]).decode())
    except (OSError, KeyError, ValueError) as e:
        raise SerializationError(f"{path}: not a caldera network file ({e})") from e
    if manifest.get("format") != FORMAT:
        raise SerializationError(f"{path}: unsupported format {manifest.get('format')!r} (expected {FORMAT})")
    procs: dict[str, Process] = {}
    for entry in manifest["processes"]:
        cls = _import(entry["class"])
        args = {k: _decode(v, arrays) for k, v in entry["args"].items()}
        try:
            procs[entry["name"]] = cls(name=entry["name"], **args)
        except TypeError:
            procs[entry["name"]] = cls(**args)
            procs[entry["name"]].name = entry["name"]
    virtual: dict[str, AbstractPort] = {}

    def port(r: str) -> AbstractPort:
        if r.startswith("#"):
            return virtual[r]
        pname, _, member = r.partition(".")
        return getattr(procs[pname], member)

    for spec in manifest["virtual"]:
        key = f"#{spec['id']}"
        if spec["kind"] == "concat":
            ins = [port(x) for x in spec["inputs"]]
            virtual[key] = ins[0].concat_with(ins[1:], axis=spec["axis"])
        elif spec["kind"] == "reshape":
            virtual[key] = port(spec["parent"]).reshape(tuple(spec["shape"]))
        else:
            virtual[key] = port(spec["parent"]).transpose(tuple(spec["axes"]))
    for src, dst in manifest["connections"]:
        port(src).connect(port(dst))
    for owner, target in manifest["refs"]:
        tp, _, tv = target.partition(".")
        port(owner).connect_var(getattr(procs[tp], tv))
    for entry in manifest["processes"]:
        p = procs[entry["name"]]
        for probe in entry.get("probes", []):
            p.probe(getattr(procs[probe["target"]], probe["member"]), probe["num_steps"])
    for entry in manifest["processes"]:
        p = procs[entry["name"]]
        for vname, enc in entry["vars"].items():
            if vname in p.vars:
                p.vars[vname].set(_decode(enc, arrays))
        p._start_time_step = int(manifest["time_step"])
    return procs


__all__ = ["save", "load", "SerializationError", "FORMAT"]
