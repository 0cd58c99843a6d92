"""Registers the ``cython`` backend and the compiled models (entry point ``caldera: cython``).

Priority 20, above the NumPy backend's 10: installing this distribution makes
it the default backend.
"""

from __future__ import annotations

from caldera.backend import Backend
from caldera.hookspecs import hookimpl
from caldera_cpu.plugin import accepts as _cpu_accepts

PRIORITY = 20


def accepts(model_cls: type) -> bool:
    """The compiled models and any other Python model that runs on a CPU (run by the core's executor):
    the cpu backend's public rule (:func:`caldera_cpu.plugin.accepts`), so that the NumPy models serve the
    processes this plugin does not compile (and the Monitor, whose probes the compiled loop records)."""
    return _cpu_accepts(model_cls)


def _make_executor(plan):  # imported lazily: the extension loads only when a network is built
    from caldera_cython.executor import make_executor

    return make_executor(plan)


@hookimpl
def caldera_backends() -> list[Backend]:
    return [
        Backend(
            name="cython",
            priority=PRIORITY,
            accepts=accepts,
            make_executor=_make_executor,
            description="compiled (Cython) kernels; whole step loops compiled for partitions of known models",
        )
    ]


@hookimpl
def caldera_process_models(backend: str | None) -> list[type]:
    if backend is not None and backend != "cython":  # the compiled models serve the cython backend only
        return []
    from caldera_cython.models import MODELS

    return list(MODELS)
