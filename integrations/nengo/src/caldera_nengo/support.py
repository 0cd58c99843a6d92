"""What a caldera backend can run, checked on the Nengo network before anything is built.

An object that cannot be mapped raises ``nengo.exceptions.BuildError`` naming
the object and what is supported, at build time rather than mid-run.
"""

from __future__ import annotations

import nengo
from nengo.exceptions import BuildError
from nengo.neurons import NeuronType


def check_supported(network: nengo.Network, backend: str | None, tag: str) -> None:
    """Raise BuildError for the first object of ``network`` that the requested backend/tag cannot run."""
    for ens in network.all_ensembles:
        nt = ens.neuron_type
        if isinstance(nt, nengo.Direct):
            continue
        if type(nt).step is NeuronType.step:
            raise BuildError(
                f"{ens}: neuron type {type(nt).__name__} has no step() and no caldera kernel; supported: "
                "LIF, LIFRate, AdaptiveLIF, AdaptiveLIFRate, RectifiedLinear, SpikingRectifiedLinear, Sigmoid, "
                "Tanh, Izhikevich, RegularSpiking, PoissonSpiking, StochasticSpiking, Direct, and any NeuronType "
                "that implements step()"
            )
