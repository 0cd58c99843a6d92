"""The plugin manager: loads installed plugins (entry-point group ``caldera``) and asks them."""

from __future__ import annotations

import typing as ty

import pluggy

from caldera import hookspecs
from caldera.backend import Backend

_PM: pluggy.PluginManager | None = None
_CACHE: dict[str, ty.Any] = {}


def get_plugin_manager() -> pluggy.PluginManager:
    """The process-wide plugin manager, created and loaded on first use."""
    global _PM
    if _PM is None:
        pm = pluggy.PluginManager("caldera")
        pm.add_hookspecs(hookspecs)
        pm.load_setuptools_entrypoints("caldera")
        _PM = pm
    return _PM


def register(plugin: ty.Any, name: str | None = None) -> None:
    """Register a plugin object at run time (tests, notebooks)."""
    get_plugin_manager().register(plugin, name=name)
    _CACHE.clear()


def unregister(plugin: ty.Any) -> None:
    get_plugin_manager().unregister(plugin)
    _CACHE.clear()


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


def process_models() -> list[tuple[str, type]]:
    """Registered model classes as ``(plugin name, class)``."""
    if "models" not in _CACHE:
        pm = get_plugin_manager()
        out: list[tuple[str, type]] = []
        for impl in pm.hook.caldera_process_models.get_hookimpls():
            for m in impl.function() or []:
                out.append((_plugin_name(pm, impl.plugin), m))
        _CACHE["models"] = out
    return _CACHE["models"]


def default_backend() -> Backend | None:
    bs = backends()
    if not bs:
        return None
    return max(bs.values(), key=lambda b: b.priority)


def distributions() -> dict[str, str]:
    """Installed distributions that provide plugins, with versions."""
    out: dict[str, str] = {}
    for dist, _ in get_plugin_manager().list_plugin_distinfo():
        out[dist.project_name if hasattr(dist, "project_name") else dist.metadata["name"]] = dist.version
    return out


def cli_commands() -> dict:
    commands: dict = {}
    get_plugin_manager().hook.caldera_cli(commands=commands)
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
