"""Step 2: a backend and a model class per process; hierarchical processes expanded into their children.

Order of preference: the run configuration's exception map (a pinned model or
backend), then the requested backend and tag, then plugin priority (see
:func:`select_model`).
"""

from __future__ import annotations

import collections
import inspect
import sys
from dataclasses import dataclass

from caldera import plugins
from caldera.backend import Backend
from caldera.compiler.collection import collect_processes
from caldera.errors import CompileError, NoBackendError, NoModelError
from caldera.model import AbstractProcessModel, AbstractPyProcessModel, AbstractSubProcessModel
from caldera.process import Process
from caldera.run_config import RunConfig

CPU_PLUGIN_HINT = "install the NumPy backend: pip install ./plugins/cpu (distribution caldera-cpu)"


def user_models(proc_cls: type) -> list[type]:
    """Models defined in the same module as the process class (user scripts), the only ones found without a
    plugin, and those a plugin finds elsewhere for it (hook ``caldera_user_models``: caldera-lava, for Lava code)."""
    mod = sys.modules.get(proc_cls.__module__)
    out = []
    for obj in list(vars(mod).values()) if mod is not None else ():
        if (
            inspect.isclass(obj)
            and issubclass(obj, AbstractProcessModel)
            and obj.__dict__.get("implements_process", getattr(obj, "implements_process", None)) is proc_cls
        ):
            out.append(obj)
    for found in plugins.get_plugin_manager().hook.caldera_user_models(process_class=proc_cls):
        out += [m for m in found or () if m not in out]
    return out


def is_sub(model: type) -> bool:
    """Whether ``model`` is a sub-process model (a process built out of other processes)."""
    return issubclass(model, AbstractSubProcessModel)


def select_backend(run_cfg: RunConfig) -> Backend:
    """The backend the run configuration asks for, or the installed default."""
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
    user = [("user", m) for m in user_models(pcls) if all(m is not r for _, r in registered)]
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
    runnable = [(p, m) for p, m in candidates if is_sub(m) or backend.accepts(m)]
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
        sub_pref = (1 if is_sub(m) else 0) if run_cfg.select_sub_proc_model else (0 if is_sub(m) else 1)
        native = 1 if plug == backend.plugin else 0
        user_pref = 1 if plug == "user" else 0
        floating = 1 if (tag is None and "floating_pt" in m.tags) else 0
        exact_tag = 1 if (tag is not None and tag in m.tags) else 0
        return (sub_pref, exact_tag, native, user_pref, floating)

    return max(runnable, key=rank)[1]


def backend_for(proc: Process, run_cfg: RunConfig, default: Backend) -> Backend:
    """The backend of one process: pinned by ``backend_map``, implied by a pinned model, else ``default``."""
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
    if pinned is not None and not is_sub(pinned) and not default.accepts(pinned):
        able = [b for b in plugins.backends().values() if b.accepts(pinned)]
        if able:
            return max(able, key=lambda b: b.priority)
    return default


@dataclass
class Selection:
    """The outcome of step 2."""

    processes: list[Process]  # every process, hierarchical parents included, in discovery order
    leaves: list[Process]  # the processes that execute (no sub-process model)
    model_classes: dict[int, type]  # by process id, parents included
    backends: dict[int, Backend]  # by process id


def select_models(root: Process, run_cfg: RunConfig) -> Selection:
    """Select a backend and a model for every process reachable from ``root``, expanding hierarchy.

    A sub-process model creates its children; they are collected in turn, and so
    is the parent again, whose connections may reach further through them.
    """
    default_backend = select_backend(run_cfg)
    sel = Selection([], [], {}, {})
    done: set[int] = set()
    pending = collections.deque([root])
    while pending:
        for proc in collect_processes(pending.popleft()):
            if proc.id in done:
                continue
            done.add(proc.id)
            sel.processes.append(proc)
            backend = backend_for(proc, run_cfg, default_backend)
            mcls = select_model(proc, run_cfg, backend)
            sel.model_classes[proc.id] = mcls
            sel.backends[proc.id] = backend
            if is_sub(mcls):
                sub = mcls(proc)
                for i, child in enumerate(sub.find_sub_procs()):
                    child.parent = proc
                    proc.sub_procs[child.name or str(i)] = child
                    pending.append(child)
                pending.append(proc)
            else:
                if not (isinstance(mcls, type) and issubclass(mcls, AbstractPyProcessModel)):
                    raise CompileError(f"{mcls!r} (selected for {proc.name}) is not a process model class")
                if not backend.accepts(mcls):
                    raise NoModelError(
                        f"model {mcls.__name__} of {type(proc).__name__} {proc.name!r} cannot run on "
                        f"backend {backend.name!r}"
                    )
                sel.leaves.append(proc)
    if not sel.leaves:
        raise CompileError(f"{root.name}: the network has no process to execute")
    return sel


__all__ = [
    "Selection",
    "select_models",
    "select_model",
    "select_backend",
    "backend_for",
    "is_sub",
    "user_models",
    "CPU_PLUGIN_HINT",
]
