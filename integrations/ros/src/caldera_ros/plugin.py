"""Registers caldera-ros with Caldera (entry point ``caldera: ros``): its models and ``caldera ros``."""

from __future__ import annotations

from caldera.hookspecs import defined_in, hookimpl


@hookimpl
def caldera_process_models(process_class: type | None) -> list[type]:
    # its models and ``caldera ros``.are for its own processes only
    if process_class is not None and not defined_in(process_class, "caldera_ros"):
        return []
    from caldera_ros.models import MODELS

    return list(MODELS)


@hookimpl
def caldera_cli(commands: dict) -> None:
    from caldera_ros.cli import configure, run

    commands["ros"] = ("run a caldera network as a ROS node: caldera ros run|check|replay SPEC", configure, run)
