"""Registers the ``cpu`` backend and the NumPy models with Caldera (entry point ``caldera: cpu``).

Public API for other backends: :func:`accepts`, the rule by which a backend that runs Python models on
the host (``cython``) takes the models it does not compile itself.
"""

from __future__ import annotations

from caldera.backend import Backend
from caldera.executor import InProcessExecutor
from caldera.hookspecs import hookimpl
from caldera.model import AbstractPyProcessModel
from caldera.resources import CPU


def accepts(model_cls: type) -> bool:
    """Any Python process model that runs on a CPU (the standard ones and users' own).

    Public: the ``cython`` backend accepts the same models (its compiled ones and, for every other
    process, the NumPy models and users' own), so that one rule decides what runs on the host.
    """
    if not (isinstance(model_cls, type) and issubclass(model_cls, AbstractPyProcessModel)):
        return False
    res = getattr(model_cls, "required_resources", ()) or ()
    return not res or any(isinstance(r, type) and issubclass(r, CPU) for r in res)


@hookimpl
def caldera_backends() -> list[Backend]:
    return [
        Backend(
            name="cpu",
            priority=10,
            accepts=accepts,
            make_executor=InProcessExecutor,
            description="NumPy models, static in-process schedule (one thread per network)",
        )
    ]


@hookimpl
def caldera_process_models() -> list[type]:
    from caldera_cpu.models import MODELS

    return list(MODELS)


__all__ = ["accepts", "caldera_backends", "caldera_process_models"]
