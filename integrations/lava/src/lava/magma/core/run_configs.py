"""Lava's ``lava.magma.core.run_configs``: run configurations, with Lava's constructor arguments.

| Lava                          | caldera                                                          |
|-------------------------------|------------------------------------------------------------------|
| ``Loihi1SimCfg``, ``Loihi2SimCfg`` | the best installed CPU backend (``cpu``, or ``cython`` when installed) |
| ``Loihi2HwCfg``               | caldera's Loihi 2 emulator, backend ``loihi`` (``caldera-loihi``)  |
| ``select_tag``                | ``RunConfig.tag`` (``None`` prefers ``floating_pt``, as Lava's model order does) |
| ``select_sub_proc_model``, ``exception_proc_model_map``, ``custom_sync_domains`` | the same |

A subclass that overrides ``select(self, proc, proc_models)`` (Lava's hook to choose a model per
process) is honoured: caldera calls it with the models registered for the process (plugins and the
process's own module) and uses its answer; ``super().select(...)`` applies Lava's rules (exception map,
then sub-process models or not, then ``select_tag``). caldera's own options are keyword arguments
after Lava's (``backend``, ``backend_map``, ``partitions``, ``watchdog_s``, ``profile``, ``progress``,
``value_checks``).

Values follow Lava by default (``value_checks="lava"``): a ``fixed_pt`` model truncates non-integer
parameters and clips weights to the 8-bit range of their sign mode, as Lava 0.10 does, where caldera's own
``RunConfig`` refuses them; pass ``value_checks="strict"`` for caldera's errors.
"""

from __future__ import annotations

import logging
import typing as ty

from caldera.errors import NoBackendError, NoModelError
from caldera.model import AbstractSubProcessModel
from caldera.run_config import RunConfig as _CalderaRunConfig

from lava._compat import missing

__all__ = [
    "RunConfig",
    "AbstractLoihiRunCfg",
    "AbstractLoihiSimRunCfg",
    "AbstractLoihiHWRunCfg",
    "Loihi1SimCfg",
    "Loihi2SimCfg",
    "Loihi2HwCfg",
]


class RunConfig(_CalderaRunConfig):
    """Lava's base run configuration: ``RunConfig(custom_sync_domains=None, loglevel=logging.WARNING)``.

    ``loglevel`` sets the level of the ``lava`` logger caldera-lava uses for its own messages.
    """

    def __init__(
        self,
        custom_sync_domains: list | None = None,
        loglevel: int = logging.WARNING,
        *,
        select_tag: str | None = None,
        select_sub_proc_model: bool = False,
        exception_proc_model_map: dict | None = None,
        **caldera_options: ty.Any,
    ) -> None:
        if custom_sync_domains is not None and not isinstance(custom_sync_domains, list):
            raise TypeError(f"{type(self).__name__}: custom_sync_domains must be a list of SyncDomain")
        caldera_options.setdefault("value_checks", "lava")
        if "tag" in caldera_options:  # caldera's name (dataclasses.replace passes it)
            tag = caldera_options.pop("tag")
            select_tag = tag if select_tag is None else select_tag
        super().__init__(
            tag=select_tag,
            exception_proc_model_map=dict(exception_proc_model_map or {}),
            select_sub_proc_model=bool(select_sub_proc_model),
            custom_sync_domains=list(custom_sync_domains or []),
            **caldera_options,
        )
        self.loglevel = loglevel
        self.log = logging.getLogger("lava")
        self.log.setLevel(loglevel)

    # Lava's attribute name for the tag
    @property
    def select_tag(self) -> str | None:
        return self.tag

    @select_tag.setter
    def select_tag(self, value: str | None) -> None:
        self.tag = value

    def select(self, process: ty.Any, proc_models: list) -> type | None:
        """Lava's hook: the model to use for ``process`` among ``proc_models``; None leaves it to caldera."""
        return None

    def exclude_nodes(self, nodes: list) -> None:
        raise NotImplementedError(
            f"{type(self).__name__}.exclude_nodes: not supported (compute nodes are Lava's hardware "
            "deployment); choose a backend with backend=... or pin processes with backend_map={...}"
        )

    def require_nodes(self, nodes: list) -> None:
        raise NotImplementedError(
            f"{type(self).__name__}.require_nodes: not supported (compute nodes are Lava's hardware "
            "deployment); choose a backend with backend=... or pin processes with backend_map={...}"
        )

    # -- caldera's compiler asks this first for every process -------------------------------------
    def pinned_model(self, proc: ty.Any) -> type | None:
        pinned = super().pinned_model(proc)
        if pinned is not None:
            return pinned
        if _overrides_select(type(self)):
            return self.select(proc, _candidate_models(proc, self))
        if self.tag not in (None, "floating_pt", "fixed_pt") and _untagged_in_lava(proc):
            # Lava's Monitor/Injector/Extractor models carry no tag, so any select_tag (a user's own tag such as
            # "rate_neurons") selects them; caldera's come as floating_pt/fixed_pt: take the floating_pt one
            floating = [m for m in _candidate_models(proc, self) if "floating_pt" in getattr(m, "tags", ())]
            return floating[0] if floating else None
        return None


class AbstractLoihiRunCfg(RunConfig):
    """Lava's Loihi run configurations: ``(custom_sync_domains, select_tag, select_sub_proc_model,
    exception_proc_model_map, loglevel)``, in Lava's order."""

    def __init__(
        self,
        custom_sync_domains: list | None = None,
        select_tag: str | None = None,
        select_sub_proc_model: bool | None = False,
        exception_proc_model_map: dict | None = None,
        loglevel: int = logging.WARNING,
        **caldera_options: ty.Any,
    ) -> None:
        super().__init__(
            custom_sync_domains,
            loglevel,
            select_tag=select_tag,
            select_sub_proc_model=bool(select_sub_proc_model),
            exception_proc_model_map=exception_proc_model_map,
            **caldera_options,
        )

    def select(self, process: ty.Any, proc_models: list) -> type | None:
        """Lava's rules: the exception map, then sub-process models (or not, by ``select_sub_proc_model``),
        then the first model carrying ``select_tag`` (or the first model when there is no tag)."""
        pinned = _CalderaRunConfig.pinned_model(self, process)
        if pinned is not None:
            return pinned
        if not proc_models:
            raise NoModelError(f"{type(self).__name__}.select: no process model for {process!r}")
        if self.tag not in (None, "floating_pt", "fixed_pt") and _untagged_in_lava(process):
            floating = [m for m in proc_models if "floating_pt" in getattr(m, "tags", ())]
            if floating:  # Lava's model of this process is untagged: every select_tag selects it
                return floating[0]
        subs = [m for m in proc_models if issubclass(m, AbstractSubProcessModel)]
        direct = [m for m in proc_models if not issubclass(m, AbstractSubProcessModel)]
        preferred = (subs or direct) if self.select_sub_proc_model else (direct or subs)
        if self.tag is None:
            floating = [m for m in preferred if "floating_pt" in getattr(m, "tags", ())]
            return (floating or preferred)[0]
        tagged = [m for m in preferred if self.tag in getattr(m, "tags", ())]
        if not tagged:
            tagged = [m for m in proc_models if self.tag in getattr(m, "tags", ()) or not getattr(m, "tags", ())]
        if not tagged:
            raise NoModelError(
                f"{type(self).__name__}.select: no process model of {process!r} carries the tag {self.tag!r}; "
                f"models: {', '.join(m.__name__ for m in proc_models)}"
            )
        return tagged[0]


class AbstractLoihiSimRunCfg(AbstractLoihiRunCfg):
    """Simulation on the CPU (caldera's default backend)."""


class AbstractLoihiHWRunCfg(AbstractLoihiRunCfg):
    """Loihi hardware: caldera runs it on its Loihi 2 emulator (backend ``loihi``)."""


class Loihi1SimCfg(AbstractLoihiSimRunCfg):
    """Simulation of Lava's Loihi 1 models on the CPU: the same models as ``Loihi2SimCfg``."""


class Loihi2SimCfg(Loihi1SimCfg):
    """Simulation on the CPU; ``select_tag="fixed_pt"`` gives Loihi's bit-accurate arithmetic."""


class Loihi2HwCfg(AbstractLoihiHWRunCfg):
    """Loihi 2 hardware, which caldera replaces by its bit-accurate emulator (backend ``loihi``, from caldera-loihi).

    ``callback_fxs`` and ``embedded_allocation_order`` concern the chip's embedded CPUs and are not
    supported (they must be left empty).
    """

    def __init__(
        self,
        custom_sync_domains: list | None = None,
        select_tag: str | None = None,
        select_sub_proc_model: bool | None = False,
        exception_proc_model_map: dict | None = None,
        loglevel: int = logging.WARNING,
        callback_fxs: list | None = None,
        embedded_allocation_order: ty.Any = None,
        **caldera_options: ty.Any,
    ) -> None:
        caldera_options.setdefault("backend", "loihi")
        backend = caldera_options["backend"]
        if callback_fxs:
            raise NotImplementedError(
                "Loihi2HwCfg(callback_fxs=...): not supported; callback functions run on Loihi hardware only"
            )
        if embedded_allocation_order is not None:
            raise NotImplementedError(
                "Loihi2HwCfg(embedded_allocation_order=...): not supported; caldera's emulator has no embedded CPUs"
            )
        if backend == "loihi":
            from caldera import plugins

            if "loihi" not in plugins.backends():
                raise NoBackendError(
                    "Loihi2HwCfg runs on caldera's Loihi 2 emulator (backend 'loihi'), which is not installed: "
                    "pip install caldera-loihi (or use Loihi2SimCfg for the CPU)"
                )
        super().__init__(
            custom_sync_domains,
            select_tag,
            select_sub_proc_model,
            exception_proc_model_map,
            loglevel,
            **caldera_options,
        )
        self.callback_fxs: list = []
        self.embedded_allocation_order = embedded_allocation_order


# The select methods defined here: a class whose select is one of them has not overridden it.
_DEFAULT_SELECT = (RunConfig.select, AbstractLoihiRunCfg.select)


def _overrides_select(cls: type) -> bool:
    return cls.select not in _DEFAULT_SELECT


def _untagged_in_lava(proc: ty.Any) -> bool:
    from caldera.procs import Extractor, Injector, Monitor

    return isinstance(proc, (Monitor, Injector, Extractor))


def _candidate_models(proc: ty.Any, cfg: RunConfig) -> list[type]:
    """The models caldera knows for ``proc``'s class: its plugins' (for the backend) and the process module's."""
    from caldera import plugins
    from caldera.compiler import selection

    backend = selection.select_backend(cfg)
    registered = [m for _, m in plugins.models_for(type(proc), backend.name)]
    user = [m for m in selection.user_models(type(proc)) if all(m is not r for r in registered)]
    return registered + user


__getattr__ = missing(
    __name__,
    {
        "Loihi1HwCfg": "not supported: caldera emulates Loihi 2 only; use Loihi2HwCfg (backend 'loihi') or "
        "Loihi1SimCfg",
        "EMBEDDED_ALLOCATION_ORDER": "not supported: caldera's emulator has no embedded CPUs",
    },
)
