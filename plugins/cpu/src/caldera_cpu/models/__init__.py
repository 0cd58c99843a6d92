"""The NumPy models of the standard processes."""

from caldera_cpu.models import connections, io, lif, neurons

MODELS = [*lif.MODELS, *connections.MODELS, *neurons.MODELS, *io.MODELS]

__all__ = ["MODELS"]
