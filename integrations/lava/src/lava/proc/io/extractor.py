"""Lava's ``lava.proc.io.extractor``: Extractor: the host reads data out of a running network (caldera.procs)."""

from __future__ import annotations

from caldera.procs.io.host import Extractor

from lava._compat import missing

__all__ = ["Extractor"]
__getattr__ = missing(
    __name__,
    {
        "PyLoihiExtractorModel": "caldera_cpu.models.io.PyExtractorModelFloat / PyExtractorModelFixed",
        "PyLoihiExtractorModelAsync": "not supported: caldera's Extractor runs under LoihiProtocol only",
        "VarWire": "not supported: read a Var with a Monitor or lava.proc.io.sink.Read",
        "PyLoihiVarWireModel": "not supported: no VarWire process",
    },
)
