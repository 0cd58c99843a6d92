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
        _load_entrypoints(pm)
        _PM = pm
    return _PM


#: plugins whose entry point failed to load: {name: "distribution: error"}
FAILED: dict[str, str] = {}
#: loaded entry-point plugins: {name: (distribution, version)}
DISTS: dict[str, tuple[str, str]] = {}


def _load_entrypoints(pm: pluggy.PluginManager) -> None:
    """Load the ``caldera`` entry points; a broken plugin is reported, not fatal for the others."""
    import importlib.metadata as md
    import warnings

    for dist in list(md.distributions()):
        for ep in dist.entry_points:
            if ep.group != "caldera" or pm.get_plugin(ep.name) or pm.is_blocked(ep.name):
                continue
            try:
                plugin = ep.load()
            except Exception as e:  # noqa: BLE001 - any import failure of a third-party plugin
                FAILED[ep.name] = f"{dist.metadata['name']}: {type(e).__name__}: {e}"
                warnings.warn(
                    f"caldera plugin {ep.name!r} ({dist.metadata['name']}) failed to load: {e}",
                    RuntimeWarning,
                    stacklevel=3,
                )
                continue
            pm.register(plugin, name=ep.name)
            DISTS[ep.name] = (dist.metadata["name"], dist.version)


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
