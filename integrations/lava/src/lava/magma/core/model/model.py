"""Lava's ``lava.magma.core.model.model``: ``AbstractProcessModel`` (caldera.model)."""

from caldera.model import AbstractProcessModel

from lava._compat import missing

__all__ = ["AbstractProcessModel"]
__getattr__ = missing(__name__)
