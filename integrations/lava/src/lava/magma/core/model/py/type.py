"""Lava's ``lava.magma.core.model.py.type``: ``LavaPyType`` (caldera.model)."""

from caldera.model import LavaPyType

from lava._compat import missing

__all__ = ["LavaPyType"]
__getattr__ = missing(__name__)
