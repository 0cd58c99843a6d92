"""Lava's ``lava.proc.io.encoder``: DeltaEncoder and its Compression modes (caldera.procs)."""

from __future__ import annotations

from caldera.procs.dataio import Compression, DeltaEncoder
from caldera_cpu.models.delta import PyDeltaEncoderModelDense, PyDeltaEncoderModelSparse

from lava._compat import missing

__all__ = ["Compression", "DeltaEncoder", "PyDeltaEncoderModelDense", "PyDeltaEncoderModelSparse"]
__getattr__ = missing(
    __name__,
    {
        "AbstractPyDeltaEncoderModel": "not supported: an abstract base of Lava's models; subclass the concrete model instead",
    },
)
