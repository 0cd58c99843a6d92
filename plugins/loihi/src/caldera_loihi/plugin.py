"""Registers the ``loihi`` backend, its models and the ``caldera loihi`` command (entry point ``caldera: loihi``)."""

from __future__ import annotations

from caldera.backend import Backend
from caldera.hookspecs import hookimpl
from caldera.model import AbstractPyProcessModel
from caldera.resources import CPU, LMT, NeuroCore

from caldera_loihi.hints import CONVERT_HINT

PRIORITY = 5  # below cpu's 10: used only when asked for with RunConfig(backend="loihi")


def accepts(model_cls: type) -> bool:
    """The emulator's own neuro-core models, and host-side (CPU) models of processes the chip does not run.

    Host models tagged ``floating_pt`` are refused: the backend is a fixed-point
    machine and a float network is to be converted first.
    """
    if not (isinstance(model_cls, type) and issubclass(model_cls, AbstractPyProcessModel)):
        return False
    from caldera_loihi.models import CORE_PROCESSES, LoihiCoreModel  # on use: loading the plugin stays light

    if issubclass(model_cls, LoihiCoreModel):
        return True
    res = getattr(model_cls, "required_resources", ()) or ()
    if any(isinstance(r, type) and issubclass(r, NeuroCore) for r in res):
        return False
    if getattr(model_cls, "implements_process", None) in CORE_PROCESSES:
        return False
    if "floating_pt" in (getattr(model_cls, "tags", ()) or ()):
        return False
    return not res or any(isinstance(r, type) and issubclass(r, (CPU, LMT)) for r in res)


def _make_executor(plan):
    from caldera_loihi.executor import LoihiExecutor

    return LoihiExecutor(plan)


@hookimpl
def caldera_backends() -> list[Backend]:
    b = Backend(
        name="loihi",
        priority=PRIORITY,
        accepts=accepts,
        make_executor=_make_executor,
        description="Loihi 2 emulator: bit-accurate fixed_pt, mapped onto cores/chips, activity and energy report",
    )
    if hasattr(b, "tag_hints"):
        b.tag_hints = {"floating_pt": CONVERT_HINT}
    return [b]


@hookimpl
def caldera_process_models(backend: str | None) -> list[type]:
    if backend is not None and backend != "loihi":  # the neuro-core models serve the emulator only
        return []
    from caldera_loihi.models import MODELS

    return list(MODELS)


@hookimpl
def caldera_cli(commands: dict) -> None:
    from caldera_loihi import cli

    commands["loihi"] = (cli.HELP, cli.configure, cli.run)
