"""Where caldera-lava follows Lava's behaviour rather than caldera's: for *Lava code*.

Lava code is a module whose source imports ``lava`` (``import lava…`` / ``from lava… import …``, also
inside functions), or code without a source file (an interactive session or a notebook) in an
interpreter where a ``lava.*`` module has been imported. Three of Lava's behaviours apply to it only
(two through the plugin's hooks in ``lava._plugin``, one through a core policy), so that caldera's own API keeps its stricter rules in
the same interpreter:

* keyword arguments that a process does not take are kept in its ``proc_params`` (with a
  :class:`LavaCompatibilityWarning`) instead of a ``TypeError`` — :func:`keeps_unknown_kwargs`;
* process models kept in other modules of a process's package (Lava's ``process.py`` + ``models.py``
  layout) are found without an import — :func:`models_beside`.
* a process made without a name is named ``Process_<id>``, as Lava names it — :func:`lava_default_name`
  (registered with ``caldera.process.use_default_name_policy`` when ``lava`` is imported).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import pkgutil
import sys
import types
import typing as ty
import warnings
import weakref


class LavaCompatibilityWarning(UserWarning):
    """caldera-lava followed Lava where caldera's own API would refuse (e.g. an unknown keyword argument)."""


#: our own modules: importing them is not a sign of Lava code
_INTERNAL_MODULES = {"lava", "lava._compat", "lava._plugin", "lava._lava_names", "lava._check", "lava._lavacode"}
#: frames of these packages are skipped when looking for the code that made a process
_SKIPPED_PACKAGES = ("caldera", "caldera_", "pluggy", "lava", "importlib", "functools", "contextlib")

_file_cache: dict[str, tuple[float, bool]] = {}


def _source_imports_lava(source: str) -> bool:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name == "lava" or a.name.startswith("lava.") for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "lava" or node.module.startswith("lava."):
                return True
    return False


def file_imports_lava(path: str) -> bool:
    """Whether the Python file at ``path`` imports ``lava`` anywhere (parsed, cached by modification time)."""
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        return False
    hit = _file_cache.get(path)
    if hit is not None and hit[0] == mtime:
        return hit[1]
    try:
        with open(path, encoding="utf-8") as f:
            found = _source_imports_lava(f.read())
    except (OSError, UnicodeDecodeError):
        found = False
    _file_cache[path] = (mtime, found)
    return found


_lava_seen = False


def lava_imported() -> bool:
    """Whether some ``lava.*`` module besides caldera-lava's own machinery has been imported (once seen, the
    answer is kept: it is asked for every process made by code without a source file)."""
    global _lava_seen
    if not _lava_seen:
        _lava_seen = any(
            (m == "lava" or m.startswith("lava.")) and m not in _INTERNAL_MODULES for m in list(sys.modules)
        )
    return _lava_seen


def is_lava_code(module_globals: ty.Mapping[str, ty.Any]) -> bool:
    """Whether the module with these globals is Lava code (see the module docstring)."""
    path = module_globals.get("__file__")
    if isinstance(path, str) and path.endswith(".py"):
        return file_imports_lava(path)
    return lava_imported()  # an interactive session, a notebook, exec'd code


def _skipped(module_name: str) -> bool:
    return any(module_name == p or module_name.startswith(p if p.endswith("_") else p + ".") for p in _SKIPPED_PACKAGES)


def calling_frame() -> types.FrameType | None:
    """The first frame outside caldera, its plugins and caldera-lava: the code that is making a process
    (a user's script, or a user's process subclass)."""
    frame = sys._getframe(1)
    while frame is not None and _skipped(frame.f_globals.get("__name__", "")):
        frame = frame.f_back
    return frame


def keeps_unknown_kwargs(process_class: type, names: list[str]) -> bool:
    """Lava keeps keyword arguments a process does not take in its ``proc_params``: so does caldera-lava for
    Lava code, with a warning that names them (a typo would otherwise go unnoticed)."""
    frame = calling_frame()
    if frame is None or not is_lava_code(frame.f_globals):
        return False
    warnings.warn_explicit(
        f"{process_class.__name__}: keyword argument(s) {', '.join(map(repr, names))} are not parameters of "
        f"{process_class.__name__}; kept in proc_params and otherwise ignored, as Lava does "
        "(caldera's own API refuses them with a TypeError)",
        LavaCompatibilityWarning,
        frame.f_code.co_filename,
        frame.f_lineno,
        module=frame.f_globals.get("__name__"),
        registry=frame.f_globals.setdefault("__warningregistry__", {}),
    )
    return True


def lava_default_name(process: ty.Any) -> str | None:
    """Lava names a process made without a name ``Process_<id>``; so does caldera-lava for a process made by
    Lava code (scripts print or look up those names, e.g. the keys of a Monitor's data). Caldera's own API keeps
    ``<ClassName>_<id>``. The ids are caldera's process counter, which counts processes as Lava's does."""
    frame = calling_frame()
    if frame is None or not is_lava_code(frame.f_globals):
        return None
    return f"Process_{process.id}"


def _package_of(process_class: type) -> types.ModuleType | None:
    if _skipped(process_class.__module__):
        return None  # caldera's standard processes and caldera-lava's own
    mod = sys.modules.get(process_class.__module__)
    if mod is None or mod.__name__ == "__main__":
        return None
    package = getattr(mod, "__package__", None)
    if not package:
        return None  # a top-level module: Lava finds models next to it only in the module itself
    if not is_lava_code(vars(mod)):
        return None  # caldera's own rule: models live in the process's module or come from a plugin
    return sys.modules.get(package)


def models_beside(process_class: type) -> list[type]:
    """The process models of ``process_class`` in the other modules of its package, found the way Lava's
    compiler finds them (it imports every module of the package of the process's module and keeps the
    models that implement exactly this class). Only for Lava code; a module that fails to import is
    skipped with a warning, as Lava does."""
    from caldera.model import AbstractProcessModel

    pkg = _package_of(process_class)
    if pkg is None or not hasattr(pkg, "__path__"):
        return []
    # one scan per class while the package's folders are unchanged (a network may hold many such processes)
    stamp = tuple(_mtime(d) for d in pkg.__path__)
    hit = _models_cache.get(process_class)
    if hit is not None and hit[0] == stamp:
        return list(hit[1])
    found: list[type] = []
    failed = False
    for info in pkgutil.iter_modules(pkg.__path__, pkg.__name__ + "."):
        if info.ispkg or info.name == process_class.__module__:
            continue
        try:
            module = importlib.import_module(info.name)
        except Exception as e:  # noqa: BLE001 - any error of a user's module, reported as Lava does
            warnings.warn(
                f"cannot import module {info.name!r} when searching process models for "
                f"{process_class.__name__}: {type(e).__name__}: {e}",
                LavaCompatibilityWarning,
                stacklevel=2,
            )
            failed = True  # not cached: the module is tried again at the next compile, as Lava does
            continue
        for obj in list(vars(module).values()):
            if (
                inspect.isclass(obj)
                and issubclass(obj, AbstractProcessModel)
                and obj.__dict__.get("implements_process", getattr(obj, "implements_process", None)) is process_class
                and obj not in found
            ):
                found.append(obj)
    if not failed:
        _models_cache[process_class] = (stamp, tuple(found))
    return found


def _mtime(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return -1.0


#: models_beside's answers: {process class: (mtimes of its package's folders, models)}
_models_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


__all__ = [
    "LavaCompatibilityWarning",
    "is_lava_code",
    "calling_frame",
    "keeps_unknown_kwargs",
    "lava_default_name",
    "models_beside",
]
