"""Lava's ``lava.proc.io.dataloader``: SpikeDataloader and StateDataloader (caldera.procs)."""

from __future__ import annotations

from caldera.procs.dataio import SpikeDataloader, StateDataloader
from caldera_cpu.models.dataio import PySpikeDataloaderModelFixed as PySpikeModelFixed
from caldera_cpu.models.dataio import PySpikeDataloaderModelFloat as PySpikeModelFloat
from caldera_cpu.models.dataio import PyStateDataloaderModelFixed as PyStateModelFixed
from caldera_cpu.models.dataio import PyStateDataloaderModelFloat as PyStateModelFloat

from lava._compat import missing

__all__ = [
    "SpikeDataloader",
    "StateDataloader",
    "PySpikeModelFixed",
    "PySpikeModelFloat",
    "PyStateModelFixed",
    "PyStateModelFloat",
]
__getattr__ = missing(
    __name__,
    {
        "AbstractDataloader": "not supported: an abstract base of Lava's models; subclass the concrete model instead",
        "AbstractPyDataloaderModel": "not supported: an abstract base of Lava's models; subclass the concrete model instead",
        "AbstractPyStateDataloaderModel": "not supported: an abstract base of Lava's models; subclass the concrete model instead",
        "AbstractPySpikeDataloaderModel": "not supported: an abstract base of Lava's models; subclass the concrete model instead",
    },
)
