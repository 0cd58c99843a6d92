"""Lava's ``lava.proc.monitor.process``: the Monitor: probes Vars and OutPorts (caldera.procs.monitor)."""

from __future__ import annotations

from caldera.procs.monitor import Monitor

from lava._compat import missing

__all__ = ["Monitor"]
__getattr__ = missing(__name__)
