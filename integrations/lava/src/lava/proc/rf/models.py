"""Lava's ``lava.proc.rf.models``: NumPy models of RF (caldera_cpu.models)."""

from __future__ import annotations

from caldera_cpu.models.neurons import PyRFModelFixed, PyRFModelFloat

from lava._compat import missing

__all__ = ["PyRFModelFloat", "PyRFModelFixed"]
__getattr__ = missing(
    __name__,
    {
        "AbstractPyRFModelFloat": "not supported: an abstract base of Lava's models; subclass the concrete model instead",
        "AbstractPyRFModelFixed": "not supported: an abstract base of Lava's models; subclass the concrete model instead",
    },
)
