"""Compute resources a process model can require (Lava's ``lava.magma.core.resources``)."""

from __future__ import annotations


class AbstractResource:
    """A kind of hardware a model needs; backends say which ones they execute."""


class AbstractComputeResource(AbstractResource):
    pass


class CPU(AbstractComputeResource):
    """A general-purpose processor running Python/NumPy or compiled code."""


class GPU(AbstractComputeResource):
    pass


class LMT(AbstractComputeResource):
    """Loihi's embedded x86 management cores."""


class NeuroCore(AbstractComputeResource):
    pass


class Loihi1NeuroCore(NeuroCore):
    pass


class Loihi2NeuroCore(NeuroCore):
    pass


__all__ = [
    "AbstractResource",
    "AbstractComputeResource",
    "CPU",
    "GPU",
    "LMT",
    "NeuroCore",
    "Loihi1NeuroCore",
    "Loihi2NeuroCore",
]
