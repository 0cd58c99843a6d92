"""Lava's ``lava.proc.conv.process``: the Conv connection, XYC layout (caldera.procs)."""

from __future__ import annotations

from caldera.procs.conv import Conv

from lava._compat import missing

__all__ = ["Conv"]
__getattr__ = missing(__name__)
