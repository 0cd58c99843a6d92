"""Lava's ``lava.proc.conv_in_time.models``: ConvInTime's NumPy models (caldera_cpu.models)."""

from __future__ import annotations

from caldera_cpu.models.more import PyConvInTimeFixed, PyConvInTimeFloat

from lava._compat import missing

__all__ = ["PyConvInTimeFloat", "PyConvInTimeFixed"]
__getattr__ = missing(
    __name__,
    {
        "AbstractPyConvInTimeModel": "not supported: an abstract base of Lava's models; subclass the concrete model instead",
    },
)
