"""Lava's ``lava.proc.sparse.models``: NumPy models of the Sparse family (caldera_cpu.models)."""

from __future__ import annotations

from caldera_cpu.models.connections import (
    PyDelaySparseModelBitAcc,
    PyDelaySparseModelFloat,
    PySparseModelBitAcc,
    PySparseModelFloat,
)
from caldera_cpu.models.learning import PyLearningSparseModelFixed as PyLearningSparseModelBitApproximate
from caldera_cpu.models.learning import PyLearningSparseModelFloat

from lava._compat import missing

__all__ = [
    "PySparseModelFloat",
    "PySparseModelBitAcc",
    "PyDelaySparseModelFloat",
    "PyDelaySparseModelBitAcc",
    "PyLearningSparseModelFloat",
    "PyLearningSparseModelBitApproximate",
]
__getattr__ = missing(
    __name__,
    {
        "AbstractPySparseModelFloat": "not supported: an abstract base of Lava's models; subclass the concrete model instead",
        "AbstractPySparseModelBitAcc": "not supported: an abstract base of Lava's models; subclass the concrete model instead",
        "AbstractPyDelaySparseModel": "not supported: an abstract base of Lava's models; subclass the concrete model instead",
    },
)
