"""Lava's ``lava.proc.s4d.models``: the floating_pt models of the S4D neurons (caldera_cpu.models) and the
layer's sub-process model (caldera.procs.s4d, backend-independent)."""

from __future__ import annotations

from caldera.procs.s4d import SubDenseLayerModel
from caldera_cpu.models.s4d import PySigmaS4dDeltaModelFloat, S4dModel

from lava._compat import missing

__all__ = ["S4dModel", "PySigmaS4dDeltaModelFloat", "SubDenseLayerModel"]
__getattr__ = missing(
    __name__,
    {
        "AbstractSigmaS4dDeltaModel": "not supported: an abstract base of Lava's models; subclass "
        "PySigmaS4dDeltaModelFloat instead",
    },
)
