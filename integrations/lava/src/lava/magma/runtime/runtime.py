"""Lava's ``lava.magma.runtime.runtime``: ``Runtime(exe, message_infrastructure_type)``.

Runs an ``Executable`` from ``lava.magma.compiler.compiler.Compiler``: ``initialize()``,
``start(run_condition)``, ``wait()``, ``pause()``, ``stop()``. It drives caldera's runtime of that
network, so ``process.run(...)`` and ``var.get()`` keep working alongside it.
"""

from __future__ import annotations

import typing as ty

from caldera.runtime import Runtime as _CalderaRuntime

from lava._compat import missing
from lava.magma.core.process.message_interface_enum import ActorType


class Runtime:
    def __init__(self, exe: ty.Any, message_infrastructure_type: ActorType = ActorType.MultiProcessing, **_: ty.Any):
        rt = getattr(exe, "caldera_runtime", None)
        if not isinstance(rt, _CalderaRuntime):
            raise TypeError(
                f"Runtime(exe=...) expects the Executable of lava.magma.compiler.compiler.Compiler, got {exe!r}"
            )
        self._executable = exe
        self._rt = rt
        self.message_infrastructure_type = ActorType(message_infrastructure_type)
        self._is_initialized = False

    @property
    def executable(self) -> ty.Any:
        return self._executable

    def initialize(self, node_cfg_idx: int = 0) -> None:
        if node_cfg_idx != 0:
            raise NotImplementedError("Runtime.initialize(node_cfg_idx != 0): caldera runs one node configuration")
        self._is_initialized = True

    def start(self, run_condition: ty.Any) -> None:
        if not self._is_initialized:
            self.initialize()
        self._rt.run(run_condition)

    def wait(self) -> None:
        self._rt.wait()

    def pause(self) -> None:
        self._rt.pause()

    def stop(self) -> None:
        self._rt.stop()

    @property
    def current_ts(self) -> int:
        return self._rt.time_step

    def __repr__(self) -> str:
        return f"Runtime({self._executable!r})"


__all__ = ["Runtime"]
__getattr__ = missing(__name__)
