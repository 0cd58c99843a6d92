"""Lava's ``lava.magma.core.process.ports.reduce_ops``: ``ReduceSum``.

An InPort with several sources receives their sum, in Lava and in caldera; ``ReduceSum`` is the only
reduction Lava defines, so ``InPort(shape, reduce_op=ReduceSum)`` means exactly what caldera does.
"""

from lava._compat import missing


class AbstractReduceOp:
    """How an InPort combines the messages of several sources."""


class ReduceSum(AbstractReduceOp):
    """Sum the messages (what every caldera InPort does)."""


__all__ = ["AbstractReduceOp", "ReduceSum"]
__getattr__ = missing(__name__)
