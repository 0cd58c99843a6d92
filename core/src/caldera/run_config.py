"""``RunConfig``: which backend runs a network, in which flavour, with which exceptions."""

from __future__ import annotations

import typing as ty
from dataclasses import dataclass, field

from caldera.errors import ParameterError


@dataclass
class RunConfig:
    """How a network is compiled and run.

    backend:
        Name of an installed backend (``caldera plugins`` lists them); ``None``
        picks the installed backend with the highest priority.
    tag:
        The model flavour: ``"floating_pt"`` or ``"fixed_pt"`` for the standard
        processes (plugins may add more). ``None`` prefers ``"floating_pt"``.
    exception_proc_model_map:
        Pins a model class per process class or per process instance; wins
        over backend and tag.
    select_sub_proc_model:
        When a process has both a direct model and a hierarchical (sub-process)
        model, prefer the hierarchical one.
    """

    backend: str | None = None
    tag: str | None = None
    exception_proc_model_map: dict = field(default_factory=dict)
    select_sub_proc_model: bool = False

    def __post_init__(self) -> None:
        if self.backend is not None and not isinstance(self.backend, str):
            raise ParameterError(f"RunConfig.backend must be a backend name (str) or None, got {self.backend!r}")
        if self.tag is not None and not isinstance(self.tag, str):
            raise ParameterError(f"RunConfig.tag must be a str or None, got {self.tag!r}")
        if not isinstance(self.exception_proc_model_map, dict):
            raise ParameterError("RunConfig.exception_proc_model_map must be a dict")

    def pinned_model(self, proc: ty.Any) -> type | None:
        m = self.exception_proc_model_map
        if proc in m:
            return m[proc]
        for klass in type(proc).__mro__:
            if klass in m:
                return m[klass]
        return None


class Loihi2SimCfg(RunConfig):
    """Lava's name: ``Loihi2SimCfg(select_tag="fixed_pt")`` runs on the best installed CPU backend."""

    def __init__(self, select_tag: str | None = None, select_sub_proc_model: bool = False,
                 exception_proc_model_map: dict | None = None, backend: str | None = None,
                 **_ignored: ty.Any) -> None:
        super().__init__(backend=backend, tag=select_tag,
                         exception_proc_model_map=dict(exception_proc_model_map or {}),
                         select_sub_proc_model=select_sub_proc_model)


__all__ = ["RunConfig", "Loihi2SimCfg"]
