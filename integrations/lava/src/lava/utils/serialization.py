"""Lava's ``lava.utils.serialization``: ``save(processes, filename)`` / ``load(filename)``.

Backed by caldera's network files (``caldera.save``/``caldera.load``: the whole network the processes
belong to, with its current state, in one ``.npz``; no pickle). ``load`` returns ``(processes, None)`` with
the processes in the shape they were saved (one process or a list). Lava's third element, a compiled
``executable``, is not stored: caldera compiles a loaded network on its first run (milliseconds), so
``save(..., executable=...)`` is refused rather than silently dropping it.
"""

from __future__ import annotations

import json
import os
import pathlib
import typing as ty

import caldera

from lava._compat import missing

_NAMES_SUFFIX = ".lava.json"


def _path(filename: str | os.PathLike) -> pathlib.Path:
    return pathlib.Path(filename)


def save(processes: ty.Any, filename: str | os.PathLike, executable: ty.Any = None) -> None:
    """Save the network of ``processes`` (a process or a list of them) to ``filename``."""
    if executable is not None:
        raise NotImplementedError(
            "lava.utils.serialization.save(executable=...): not supported; caldera compiles a loaded network on "
            "its first run, save the processes alone"
        )
    single = isinstance(processes, caldera.Process)
    procs = [processes] if single else list(processes)
    if not procs or not all(isinstance(p, caldera.Process) for p in procs):
        raise TypeError("lava.utils.serialization.save: expected a process or a list of processes")
    written = caldera.save(procs, _path(filename))
    # which of the network's processes the caller named, in order (caldera.load returns the top-level ones by name)
    meta = {"single": single, "names": [p.name for p in procs]}
    pathlib.Path(str(written) + _NAMES_SUFFIX).write_text(json.dumps(meta))


def load(filename: str | os.PathLike) -> tuple[ty.Any, None]:
    """Load what ``save`` wrote: ``(process or list of processes, None)``."""
    path = _path(filename)
    candidates = [path, path.with_name(path.name + ".npz")]
    found = next((c for c in candidates if c.exists()), None)
    if found is None:
        raise FileNotFoundError(f"lava.utils.serialization.load: no file {os.fspath(filename)!r}")
    procs = caldera.load(found)
    meta_file = pathlib.Path(str(found) + _NAMES_SUFFIX)
    if not meta_file.exists():
        return list(procs.values()), None
    meta = json.loads(meta_file.read_text())
    missing_names = [n for n in meta["names"] if n not in procs]
    if missing_names:
        raise KeyError(
            f"lava.utils.serialization.load: {missing_names} were saved as children of a hierarchical process; "
            f"the file holds the top-level processes {sorted(procs)}"
        )
    out = [procs[n] for n in meta["names"]]
    return (out[0] if meta["single"] else out), None


__all__ = ["save", "load"]
__getattr__ = missing(
    __name__,
    {"SerializationObject": "not supported: caldera's network files hold the network itself (caldera.save)"},
)
