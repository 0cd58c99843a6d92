"""Lava's ``lava.magma.core.process.variable``: ``Var`` (caldera.variable).

``get()``/``set()`` take whole arrays (or an ``idx``) whenever the network is not mid-step, keep the
model's dtype, and work after ``stop()`` too (Lava loses the state at stop).
"""

from caldera.variable import Var

from lava._compat import missing

__all__ = ["Var"]
__getattr__ = missing(__name__, {"VarServer": "not supported: caldera Vars need no id server"})
