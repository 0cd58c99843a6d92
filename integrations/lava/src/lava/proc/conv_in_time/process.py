"""Lava's ``lava.proc.conv_in_time.process``: ConvInTime (caldera.procs)."""

from __future__ import annotations

from caldera.procs.conv_in_time import ConvInTime

from lava._compat import missing

__all__ = ["ConvInTime"]
__getattr__ = missing(__name__)
