"""Lava's ``lava.utils.serialization``: ``save(processes, filename, executable=None)`` / ``load(filename)``.

Backed by caldera's network files (``caldera.save``/``caldera.load``: the whole network the processes belong
to, with its current state, no pickle), written, as Lava does, to ``filename + ".pickle"``. ``load`` returns
``(processes, executable)`` with the processes in the shape they were saved (one process or a list).
caldera compiles a network in milliseconds, so an "executable" is not a compiled artefact here: what is
saved is its run configuration, and ``process.create_runtime(executable=loaded_ex)`` (or the first ``run``)
compiles the loaded network with it. Run configurations that pin models or backends by class
(``exception_proc_model_map``, ``backend_map``) cannot be saved this way and are refused.
"""

from __future__ import annotations

import json
import os
import pathlib
import typing as ty

import caldera

from lava._compat import missing

_META_SUFFIX = ".lava.json"
_SAVED_FIELDS = ("backend", "tag", "select_sub_proc_model", "partitions", "watchdog_s", "value_checks")


class LoadedExecutable:
    """The run configuration a saved executable was compiled with (``create_runtime(executable=...)`` uses it)."""

    def __init__(self, run_cfg: caldera.RunConfig) -> None:
        self.run_cfg = run_cfg

    def __repr__(self) -> str:
        return f"LoadedExecutable({self.run_cfg!r})"


def _run_cfg_of(executable: ty.Any) -> caldera.RunConfig:
    rt = getattr(executable, "caldera_runtime", executable)  # lava's Executable, or process.compile()'s runtime
    cfg = getattr(rt, "run_cfg", None)
    if not isinstance(cfg, caldera.RunConfig):
        raise TypeError(f"lava.utils.serialization.save: {executable!r} is not a compiled network (no run config)")
    if cfg.exception_proc_model_map or cfg.backend_map or cfg.custom_sync_domains:
        raise NotImplementedError(
            "lava.utils.serialization.save(executable=...): a run configuration with exception_proc_model_map, "
            "backend_map or custom_sync_domains cannot be saved; save the processes and pass the run configuration "
            "again when running them"
        )
    return cfg


def _encode_cfg(cfg: caldera.RunConfig) -> dict:
    fields = {k: getattr(cfg, k) for k in _SAVED_FIELDS}
    if not isinstance(fields["partitions"], (int, str)):
        raise NotImplementedError("lava.utils.serialization.save: explicit partition lists cannot be saved")
    return {"class": type(cfg).__name__, "module": type(cfg).__module__, "fields": fields}


def _decode_cfg(d: dict) -> caldera.RunConfig:
    from lava.magma.core import run_configs

    f = dict(d["fields"])
    cls = getattr(run_configs, d["class"], None) if d["module"] == run_configs.__name__ else None
    if cls is None:
        return caldera.RunConfig(**f)
    tag = f.pop("tag")
    ssp = f.pop("select_sub_proc_model")
    return cls(select_tag=tag, select_sub_proc_model=ssp, **f)


def save(processes: ty.Any, filename: str | os.PathLike, executable: ty.Any = None) -> None:
    """Save the network of ``processes`` (a process or a list of them), and the run configuration of
    ``executable`` if given, to ``filename + ".pickle"``."""
    single = isinstance(processes, caldera.Process)
    procs = [processes] if single else list(processes)
    if not procs or not all(isinstance(p, caldera.Process) for p in procs):
        raise TypeError("lava.utils.serialization.save: expected a process or a list of processes")
    meta = {"single": single, "names": [p.name for p in procs]}
    if executable is not None:
        meta["run_cfg"] = _encode_cfg(_run_cfg_of(executable))
    path = pathlib.Path(os.fspath(filename) + ".pickle")
    caldera.save(procs, path)
    pathlib.Path(str(path) + _META_SUFFIX).write_text(json.dumps(meta))


def load(filename: str | os.PathLike) -> tuple[ty.Any, LoadedExecutable | None]:
    """Load what ``save`` wrote (pass the file name, with or without ``.pickle``)."""
    path = pathlib.Path(filename)
    found = next((c for c in (path, pathlib.Path(str(path) + ".pickle")) if c.is_file()), None)
    if found is None:
        raise FileNotFoundError(f"lava.utils.serialization.load: no file {os.fspath(filename)!r}")
    procs = caldera.load(found)
    meta_file = pathlib.Path(str(found) + _META_SUFFIX)
    if not meta_file.exists():
        return list(procs.values()), None
    meta = json.loads(meta_file.read_text())
    absent = [n for n in meta["names"] if n not in procs]
    if absent:
        raise KeyError(
            f"lava.utils.serialization.load: {absent} were saved as children of a hierarchical process; "
            f"the file holds the top-level processes {sorted(procs)}"
        )
    out = [procs[n] for n in meta["names"]]
    executable = LoadedExecutable(_decode_cfg(meta["run_cfg"])) if "run_cfg" in meta else None
    return (out[0] if meta["single"] else out), executable


__all__ = ["save", "load"]
__getattr__ = missing(
    __name__,
    {"SerializationObject": "not supported: caldera's network files hold the network itself (caldera.save)"},
)
