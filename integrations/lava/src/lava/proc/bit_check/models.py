"""Lava's ``lava.proc.bit_check.models``: the model of ``BitCheck`` (defined with its process)."""

from __future__ import annotations

from lava._compat import missing
from lava.proc.bit_check.process import PyBitCheckModel

LoihiBitCheckModel = PyBitCheckModel

__all__ = ["LoihiBitCheckModel"]
__getattr__ = missing(
    __name__,
    {
        "AbstractPyBitCheckModel": "not supported: an abstract base of Lava's models; subclass LoihiBitCheckModel",
        "AbstractBitCheckModel": "not supported: an abstract base of Lava's models; subclass LoihiBitCheckModel",
    },
)
