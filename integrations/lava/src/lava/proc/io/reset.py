"""Lava's ``lava.proc.io.reset``: Reset: writes a value into a Var periodically (caldera.procs)."""

from __future__ import annotations

from caldera.procs.dataio import Reset
from caldera_cpu.models.dataio import PyResetModelFixed as PyResetFixed
from caldera_cpu.models.dataio import PyResetModelFloat as PyResetFloat

from lava._compat import missing

__all__ = ["Reset", "PyResetFixed", "PyResetFloat"]
__getattr__ = missing(
    __name__,
    {
        "AbstractPyReset": "not supported: an abstract base of Lava's models; subclass the concrete model instead",
    },
)
