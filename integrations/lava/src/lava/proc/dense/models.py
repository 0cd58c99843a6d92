"""Lava's ``lava.proc.dense.models``: NumPy models of the Dense family (caldera_cpu.models)."""

from __future__ import annotations

from caldera_cpu.models.connections import (
    PyDelayDenseModelBitAcc,
    PyDelayDenseModelFloat,
    PyDenseModelBitAcc,
    PyDenseModelFloat,
)
from caldera_cpu.models.learning import PyLearningDenseModelFixed as PyLearningDenseModelBitApproximate
from caldera_cpu.models.learning import PyLearningDenseModelFloat

from lava._compat import missing

__all__ = [
    "PyDenseModelFloat",
    "PyDenseModelBitAcc",
    "PyDelayDenseModelFloat",
    "PyDelayDenseModelBitAcc",
    "PyLearningDenseModelFloat",
    "PyLearningDenseModelBitApproximate",
]
__getattr__ = missing(
    __name__,
    {
        "AbstractPyDenseModelFloat": "not supported: an abstract base of Lava's models; subclass the concrete model instead",
        "AbstractPyDenseModelBitAcc": "not supported: an abstract base of Lava's models; subclass the concrete model instead",
        "AbstractPyDelayDenseModel": "not supported: an abstract base of Lava's models; subclass the concrete model instead",
    },
)
