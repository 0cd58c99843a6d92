"""Lava's ``lava.proc.conv.models``: NumPy models of Conv (caldera_cpu.models)."""

from __future__ import annotations

from caldera_cpu.models.connections import PyConvModelFixed, PyConvModelFloat

from lava._compat import missing

__all__ = ["PyConvModelFloat", "PyConvModelFixed"]
__getattr__ = missing(
    __name__,
    {
        "AbstractPyConvModel": "not supported: an abstract base of Lava's models; subclass the concrete model instead",
    },
)
