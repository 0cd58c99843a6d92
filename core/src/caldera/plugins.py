"""The plugin manager: loads installed plugins (entry-point group ``caldera``) and asks them."""

from __future__ import annotations

import typing as ty

import pluggy

from caldera import hookspecs
from caldera.backend import Backend
from caldera.entry_points import entry_points

_PM: pluggy.PluginManager | None = None
_CACHE: dict[str, ty.Any] = {}


def get_plugin_manager() -> pluggy.PluginManager:
    """The process-wide plugin manager, created and loaded on first use."""
    global _PM
    if _PM is None:
        pm = pluggy.PluginManager("caldera")
        pm.add_hookspecs(hookspecs)
        _load_entrypoints(pm)
        _PM = pm
    return _PM


#: plugins whose entry point failed to load: {name: "distribution: error"}
FAILED: dict[str, str] = {}
#: loaded entry-point plugins: {name: (distribution, version)}
DISTS: dict[str, tuple[str, str]] = {}


def _load_entrypoints(pm: pluggy.PluginManager) -> None:
    """Load the ``caldera`` entry points; a broken plugin is reported, not fatal for the others."""
    import importlib
    import warnings

    for name, value, dist_name, version in entry_points("caldera"):
        if pm.get_plugin(name) or pm.is_blocked(name):
            continue
        try:
            module, _, attrs = value.partition(":")
            plugin = importlib.import_module(module.strip())
            for attr in filter(None, attrs.strip().split(".")):
                plugin = getattr(plugin, attr)
        except Exception as e:  # noqa: BLE001 - any import failure of a third-party plugin
            FAILED[name] = f"{dist_name}: {type(e).__name__}: {e}"
            warnings.warn(f"caldera plugin {name!r} ({dist_name}) failed to load: {e}", RuntimeWarning, stacklevel=3)
            continue
        pm.register(plugin, name=name)
        DISTS[name] = (dist_name, version)


def register(plugin: ty.Any, name: str | None = None) -> None:
    """Register a plugin object at run time (tests, notebooks)."""
    get_plugin_manager().register(plugin, name=name)
    _forget()


def unregister(plugin: ty.Any) -> None:
    get_plugin_manager().unregister(plugin)
    _forget()


def _forget() -> None:
    _CACHE.clear()
    _MODELS.clear()
    _DECLINED.clear()
    _FOR.clear()


def _plugin_name(pm: pluggy.PluginManager, impl_plugin: ty.Any) -> str:
    return pm.get_name(impl_plugin) or getattr(impl_plugin, "__name__", repr(impl_plugin))


def backends() -> dict[str, Backend]:
    """Installed backends by name."""
    if "backends" not in _CACHE:
        pm = get_plugin_manager()
        out: dict[str, Backend] = {}
        for impl in pm.hook.caldera_backends.get_hookimpls():
            for b in impl.function() or []:
                b.plugin = _plugin_name(pm, impl.plugin)
                out[b.name] = b
        _CACHE["backends"] = out
    return _CACHE["backends"]


def process_models(process_class: type | None = None, backend: str | None = None) -> list[tuple[str, type]]:
    """Registered model classes as ``(plugin name, class)``: all of them, or (given a Process class and
    a backend name) those of the plugins that can serve that request (see ``caldera_process_models``).

    A plugin's answer is kept once it has returned its models; an empty answer is remembered for
    that request only.
    """
    pm = get_plugin_manager()
    out: list[tuple[str, type]] = []
    for impl in pm.hook.caldera_process_models.get_hookimpls():
        name = _plugin_name(pm, impl.plugin)
        models = _MODELS.get(name)
        if models is None:
            request = (name, process_class, backend)
            if process_class is not None and request in _DECLINED:
                continue
            args = {"process_class": process_class, "backend": backend}
            models = list(impl.function(**{k: args[k] for k in impl.argnames if k in args}) or [])
            if models or process_class is None:
                _MODELS[name] = models
            else:
                _DECLINED.add(request)
        out += [(name, m) for m in models]
    return out


def models_for(process_class: type, backend: str) -> list[tuple[str, type]]:
    """The registered models that implement ``process_class`` (asked for backend ``backend``), remembered."""
    key = (process_class, backend)
    found = _FOR.get(key)
    if found is None:
        found = _FOR[key] = [
            (p, m) for p, m in process_models(process_class, backend) if m.implements_process is process_class
        ]
    return found


#: models_for's answers: {(process class, backend): [(plugin, model)]}
_FOR: dict[tuple, list[tuple[str, type]]] = {}
#: the models each plugin has returned: {plugin name: [model classes]}
_MODELS: dict[str, list[type]] = {}
#: requests (plugin name, process class, backend) a plugin answered with no models
_DECLINED: set[tuple] = set()


def keep_unknown_kwargs(process_class: type, names: list[str]) -> bool:
    """Whether a plugin keeps keyword arguments that ``process_class`` does not take (hook ``caldera_unknown_kwargs``)."""
    return bool(get_plugin_manager().hook.caldera_unknown_kwargs(process_class=process_class, names=names))


def default_backend() -> Backend | None:
    bs = backends()
    if not bs:
        return None
    return max(bs.values(), key=lambda b: b.priority)


def distributions() -> dict[str, tuple[str, str]]:
    """Plugins loaded from installed distributions: ``{plugin name: (distribution, version)}``."""
    get_plugin_manager()
    return dict(DISTS)


def cli_commands() -> dict:
    """Subcommands from every plugin; a plugin whose hook fails is reported and skipped."""
    import warnings

    pm = get_plugin_manager()
    commands: dict = {}
    for impl in pm.hook.caldera_cli.get_hookimpls():
        try:
            impl.function(commands=commands)
        except Exception as e:  # noqa: BLE001 - one broken plugin must not break the command line
            name = _plugin_name(pm, impl.plugin)
            FAILED.setdefault(name, f"caldera_cli hook: {type(e).__name__}: {e}")
            warnings.warn(f"caldera plugin {name!r}: its caldera_cli hook failed: {e}", RuntimeWarning, stacklevel=2)
    return commands


__all__ = [
    "get_plugin_manager",
    "register",
    "unregister",
    "backends",
    "process_models",
    "default_backend",
    "distributions",
    "cli_commands",
]
