"""Lava's ``lava.proc.sdn.models``: NumPy models of Sigma and SigmaDelta (caldera_cpu.models)."""

from __future__ import annotations

from caldera_cpu.models.neurons import (
    PySigmaDeltaModelFixed,
    PySigmaDeltaModelFloat,
    PySigmaModelFixed,
    PySigmaModelFloat,
)

from lava._compat import missing

__all__ = ["PySigmaModelFloat", "PySigmaModelFixed", "PySigmaDeltaModelFloat", "PySigmaDeltaModelFixed"]
__getattr__ = missing(
    __name__,
    {
        "AbstractSigmaModel": "not supported: an abstract base of Lava's models; subclass the concrete model instead",
        "AbstractDeltaModel": "not supported: an abstract base of Lava's models; subclass the concrete model instead",
        "AbstractSigmaDeltaModel": "not supported: an abstract base of Lava's models; subclass the concrete model instead",
        "ReLU": "not supported: use ActivationMode.RELU",
    },
    optional={
        "PyDeltaModelFloat": ("caldera-dl", "caldera_dl.models", "PyDeltaModelFloat"),
        "PyDeltaModelFixed": ("caldera-dl", "caldera_dl.models", "PyDeltaModelFixed"),
    },
)
