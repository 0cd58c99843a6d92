"""The NumPy models of the standard processes."""

from caldera_cpu.models import connections, cuba, io, learning, lif, neurons, procs_extra

MODELS = [
    *lif.MODELS,
    *connections.MODELS,
    *neurons.MODELS,
    *io.MODELS,
    *cuba.MODELS,
    *learning.MODELS,
    *procs_extra.MODELS,
]

__all__ = ["MODELS"]
