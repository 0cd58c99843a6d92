"""The NumPy models of the standard processes."""

from caldera_cpu.models import (
    atrlif,
    clp,
    connections,
    cuba,
    dataio,
    delta,
    graded,
    io,
    learning,
    lif,
    more,
    neurons,
    s4d,
)

MODELS = [
    *lif.MODELS,
    *connections.MODELS,
    *neurons.MODELS,
    *io.MODELS,
    *cuba.MODELS,
    *learning.MODELS,
    *atrlif.MODELS,
    *graded.MODELS,
    *dataio.MODELS,
    *delta.MODELS,
    *clp.MODELS,
    *s4d.MODELS,
    *more.MODELS,
]

__all__ = ["MODELS"]
