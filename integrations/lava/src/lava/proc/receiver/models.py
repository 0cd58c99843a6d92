"""Lava's ``lava.proc.receiver.models``: Receiver's NumPy model (caldera_cpu.models)."""

from __future__ import annotations

from caldera_cpu.models.more import ReceiverModel

from lava._compat import missing

__all__ = ["ReceiverModel"]
__getattr__ = missing(__name__)
