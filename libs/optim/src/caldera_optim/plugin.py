"""Registers caldera-optim's process models and the ``caldera qubo`` command (entry point ``caldera: optim``)."""

from __future__ import annotations

from caldera.hookspecs import hookimpl


@hookimpl
def caldera_process_models() -> list[type]:
    from caldera_optim.models import MODELS

    return list(MODELS)


@hookimpl
def caldera_cli(commands: dict) -> None:
    from caldera_optim.cli import configure, run

    commands["qubo"] = ("solve QUBO / Max-Cut problems with caldera-optim", configure, run)
