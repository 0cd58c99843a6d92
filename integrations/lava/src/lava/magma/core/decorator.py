"""Lava's ``lava.magma.core.decorator``: ``implements``, ``requires``, ``tag`` (caldera.model)."""

from caldera.model import implements, requires, tag

from lava._compat import missing

__all__ = ["implements", "requires", "tag"]
__getattr__ = missing(__name__)
