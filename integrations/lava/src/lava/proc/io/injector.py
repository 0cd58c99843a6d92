"""Lava's ``lava.proc.io.injector``: Injector: the host pushes data into a running network (caldera.procs)."""

from __future__ import annotations

from caldera.procs.io.host import Injector

from lava._compat import missing

__all__ = ["Injector"]
__getattr__ = missing(
    __name__,
    {
        "PyLoihiInjectorModel": "caldera_cpu.models.io.PyInjectorModelFloat / PyInjectorModelFixed",
        "PyLoihiInjectorModelAsync": "not supported: caldera's Injector runs under LoihiProtocol only",
    },
)
