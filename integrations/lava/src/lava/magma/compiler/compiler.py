"""Lava's ``lava.magma.compiler.compiler``: ``Compiler().compile(process, run_cfg)``.

caldera compiles a network on its first ``run``; calling the compiler yourself gives an ``Executable``
that ``lava.magma.runtime.runtime.Runtime`` (or ``process.create_runtime``-style code) then runs. The
executable *is* the compiled network: compiling the same network twice is an error, as in caldera.
"""

from __future__ import annotations

import typing as ty

from caldera.process import Process
from caldera.runtime import Runtime as _CalderaRuntime

from lava._compat import missing


class Executable:
    """A compiled network (holds caldera's runtime of it)."""

    def __init__(self, runtime: _CalderaRuntime, process: Process) -> None:
        self.caldera_runtime = runtime
        self.process = process

    def __repr__(self) -> str:
        return f"Executable({self.process.name!r}, backend={self.caldera_runtime.backend!r})"


class Compiler:
    """Lava's compiler front end: ``Compiler(compile_config=None, loglevel=...)``."""

    def __init__(self, compile_config: dict | None = None, loglevel: int | None = None) -> None:
        if compile_config:
            raise NotImplementedError(
                f"Compiler(compile_config={compile_config!r}): not supported; caldera's options live in "
                "RunConfig (backend, partitions, ...)"
            )
        self.compile_config = compile_config

    def compile(self, process: Process, run_cfg: ty.Any = None) -> Executable:
        """Compile the network ``process`` belongs to; returns an ``Executable``."""
        if not isinstance(process, Process):
            raise TypeError(f"Compiler.compile expects a process, got {type(process).__name__}")
        return Executable(process.compile(run_cfg), process)


__all__ = ["Compiler"]
__getattr__ = missing(__name__)
