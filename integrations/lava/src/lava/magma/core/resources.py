"""Lava's ``lava.magma.core.resources`` (caldera.resources).

The compute resources a model can ``@requires``. ``CPU`` models run on caldera's ``cpu`` (and
``cython``) backends; ``Loihi2NeuroCore`` is what caldera's Loihi 2 emulator (``caldera-loihi``) executes.
``HostCPU``, ``ECPU`` and ``PB`` are kept as markers for scripts that name them; here ``HostCPU`` counts
as a ``CPU`` (a simulation runs everything on the host), ``ECPU``/``PB`` are accepted by no backend.
"""

from caldera.resources import (
    CPU,
    GPU,
    LMT,
    AbstractComputeResource,
    AbstractResource,
    Loihi1NeuroCore,
    Loihi2NeuroCore,
    NeuroCore,
)

from lava._compat import missing


class HostCPU(CPU):
    """The host's CPU (Lava: models that run on the host of a Loihi system); runs on caldera's CPU backends."""


class ECPU(AbstractComputeResource):
    """Loihi's embedded CPUs; no caldera backend executes models that require them."""


class PB(ECPU):
    """Loihi's processing block (an embedded resource); no caldera backend executes models that require it."""


class AbstractPeripheralResource(AbstractResource):
    """A device a model talks to (camera, drive)."""


class DVS(AbstractPeripheralResource):
    pass


class HardDrive(AbstractPeripheralResource):
    pass


class HeadNodeHardDrive(AbstractPeripheralResource):
    pass


_NODE = "not supported: compute nodes (Loihi systems, boards) describe Lava's hardware deployment; caldera selects a backend by name (RunConfig(backend=...))"

__all__ = [
    "AbstractResource",
    "AbstractComputeResource",
    "CPU",
    "HostCPU",
    "GPU",
    "ECPU",
    "LMT",
    "PB",
    "NeuroCore",
    "Loihi1NeuroCore",
    "Loihi2NeuroCore",
    "AbstractPeripheralResource",
    "DVS",
    "HardDrive",
    "HeadNodeHardDrive",
]
__getattr__ = missing(
    __name__,
    {
        n: _NODE
        for n in (
            "AbstractNode",
            "GenericNode",
            "HeadNode",
            "Loihi1System",
            "KapohoBay",
            "Nahuku",
            "Pohoiki",
            "Loihi2System",
            "OheoGulch",
            "KapohoPoint",
            "Unalaska",
        )
    },
)
