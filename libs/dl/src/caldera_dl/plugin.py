"""Registers caldera-dl's process models with Caldera (entry point ``caldera: dl``)."""

from __future__ import annotations

from caldera.hookspecs import defined_in, hookimpl


@hookimpl
def caldera_process_models(process_class: type | None) -> list[type]:
    # its models are for its own processes only
    if process_class is not None and not defined_in(process_class, "caldera_dl"):
        return []
    from caldera_dl.models import MODELS

    return list(MODELS)
