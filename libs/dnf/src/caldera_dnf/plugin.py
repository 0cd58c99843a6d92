"""Registers caldera-dnf's process models with Caldera (entry point ``caldera: dnf``)."""

from __future__ import annotations

from caldera.hookspecs import hookimpl


@hookimpl
def caldera_process_models(process_class: type | None) -> list[type]:
    if process_class is not None and not _ours(process_class):  # its models are for its own processes only
        return []
    from caldera_dnf.models import MODELS

    return list(MODELS)


def _ours(process_class: type) -> bool:
    """Whether ``process_class`` is, or derives from, a process of this library (without importing it)."""
    return any(getattr(k, "__module__", "").startswith("caldera_dnf.") for k in getattr(process_class, "__mro__", ()))
