"""Registers caldera-dnf's process models with Caldera (entry point ``caldera: dnf``)."""

from __future__ import annotations

from caldera.hookspecs import hookimpl


@hookimpl
def caldera_process_models() -> list[type]:
    from caldera_dnf.models import MODELS

    return list(MODELS)
