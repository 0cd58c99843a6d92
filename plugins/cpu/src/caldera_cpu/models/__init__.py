"""The NumPy models of the standard processes."""

from caldera_cpu.models import atrlif, connections, cuba, dataio, delta, graded, io, learning, lif, neurons

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
]

__all__ = ["MODELS"]
