"""Lava's ``lava.frameworks``: ``loihi2`` gathers the names of Lava's algebraic network syntax."""

from lava._compat import missing

__all__: list[str] = []
__getattr__ = missing(__name__)
