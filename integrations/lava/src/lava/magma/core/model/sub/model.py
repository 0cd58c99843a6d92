"""Lava's ``lava.magma.core.model.sub.model``: ``AbstractSubProcessModel`` (caldera.model).

``__init__(self, proc)`` builds the children, connects the parent's ports to theirs and aliases the
parent's Vars (``proc.vars.v.alias(self.lif.vars.v)``).
"""

from caldera.model import AbstractSubProcessModel

from lava._compat import missing

__all__ = ["AbstractSubProcessModel"]
__getattr__ = missing(__name__)
