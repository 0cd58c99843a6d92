"""Lava's ``lava.frameworks.loihi2`` (``import lava.frameworks.loihi2 as lv``): the algebraic network classes
of ``lava.networks.gradedvecnetwork``, the run conditions and the Loihi 2 run configurations, in one module.

All of its names are provided.
"""

from __future__ import annotations

from lava._compat import missing
from lava.magma.core.run_conditions import RunContinuous, RunSteps
from lava.magma.core.run_configs import Loihi2HwCfg, Loihi2SimCfg
from lava.networks.gradedvecnetwork import (
    GradedDense,
    GradedSparse,
    GradedVec,
    InputVec,
    LIFVec,
    NormalizeNet,
    OutputVec,
    ProductVec,
)
from lava.networks.resfire import ResFireVec

__all__ = [
    "InputVec",
    "OutputVec",
    "GradedVec",
    "GradedDense",
    "GradedSparse",
    "ProductVec",
    "LIFVec",
    "NormalizeNet",
    "ResFireVec",
    "RunSteps",
    "RunContinuous",
    "Loihi2SimCfg",
    "Loihi2HwCfg",
]
__getattr__ = missing(__name__)
