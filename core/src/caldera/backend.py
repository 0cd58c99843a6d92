"""``Backend``: what a plugin provides to execute (part of) a network."""

from __future__ import annotations

import typing as ty
from dataclasses import dataclass, field


@dataclass
class Backend:
    """An execution engine for process models.

    name:
        What users write in ``RunConfig(backend=...)``.
    priority:
        The default backend is the installed one with the highest priority.
    accepts:
        ``accepts(model_cls) -> bool``: whether this backend can execute a model
        class (its own models, and e.g. any Python model for CPU backends).
    make_executor:
        ``make_executor(models, plan) -> executor`` builds the step engine for a
        partition (see ``caldera.executor``).
    description:
        One line shown by ``caldera plugins``.
    tag_hints:
        Optional advice per tag this backend has no model for (e.g. how to
        convert a ``floating_pt`` network for a fixed-point backend); the
        compiler appends it to its "no model" error.
    """

    name: str
    priority: int
    accepts: ty.Callable[[type], bool]
    make_executor: ty.Callable[..., ty.Any]
    description: str = ""
    plugin: str = field(default="", compare=False)
    tag_hints: dict = field(default_factory=dict, compare=False)


__all__ = ["Backend"]
