"""Lava's ``lava.proc.lif.models``: NumPy models of the LIF family, floating_pt and fixed_pt (caldera_cpu.models)."""

from __future__ import annotations

from caldera_cpu.models.learning import PyLearningLifModelFixed as PyLearningLIFModelFixed
from caldera_cpu.models.learning import PyLearningLifModelFloat
from caldera_cpu.models.lif import (
    AbstractPyLifModelFixed,
    AbstractPyLifModelFloat,
    PyLifModelBitAcc,
    PyLifModelFloat,
    PyLifRefractoryModelFloat,
    PyLifResetModelBitAcc,
    PyLifResetModelFloat,
    PyTernLifModelFixed,
    PyTernLifModelFloat,
)

from lava._compat import missing

__all__ = [
    "AbstractPyLifModelFloat",
    "AbstractPyLifModelFixed",
    "PyLifModelFloat",
    "PyLifModelBitAcc",
    "PyTernLifModelFloat",
    "PyTernLifModelFixed",
    "PyLifResetModelFloat",
    "PyLifResetModelBitAcc",
    "PyLifRefractoryModelFloat",
    "PyLearningLifModelFloat",
    "PyLearningLIFModelFixed",
]
__getattr__ = missing(__name__)
