"""Lava's ``lava.proc.monitor.models``: NumPy models of Monitor (caldera_cpu.models)."""

from __future__ import annotations

from lava._compat import missing

__all__ = []
__getattr__ = missing(
    __name__,
    {
        "PyMonitorModel": "caldera_cpu.models.io.PyMonitorModelFloat / PyMonitorModelFixed (one per tag; the Monitor picks the tag of the run)",
    },
)
