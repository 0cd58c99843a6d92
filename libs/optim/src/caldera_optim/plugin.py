"""Registers caldera-optim's process models and the ``caldera qubo`` command (entry point ``caldera: optim``)."""

from __future__ import annotations

from caldera.hookspecs import defined_in, hookimpl


@hookimpl
def caldera_process_models(process_class: type | None) -> list[type]:
    # its models are for its own processes only
    if process_class is not None and not defined_in(process_class, "caldera_optim"):
        return []
    from caldera_optim.models import MODELS

    return list(MODELS)


@hookimpl
def caldera_cli(commands: dict) -> None:
    from caldera_optim.cli import configure, run

    commands["qubo"] = ("solve QUBO / Max-Cut problems with caldera-optim", configure, run)
