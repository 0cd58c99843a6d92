"""Exceptions raised by Caldera; each message names what is wrong and what is allowed."""

from __future__ import annotations


class CalderaError(Exception):
    """Base class of every error Caldera raises on purpose."""


class ConnectionError_(CalderaError, ValueError):
    """Ports that cannot be connected (shape, kind or direction)."""


class ParameterError(CalderaError, ValueError):
    """A process or model parameter outside what is allowed."""


class CompileError(CalderaError):
    """The network cannot be compiled: no model, no backend, a cycle, a bad connection."""


class NoModelError(CompileError):
    """No installed plugin provides a model for a process under the run configuration."""


class NoBackendError(CompileError):
    """The requested backend is not installed, or no backend is installed at all."""


class CycleError(CompileError):
    """A directed cycle of same-step (receive-first) processes: it would deadlock."""


class RunError(CalderaError, RuntimeError):
    """A process model failed while the network ran.

    ``process`` names the failing process, ``step`` and ``phase`` say when;
    the original exception is chained as ``__cause__`` and its traceback is
    part of the message.
    """

    def __init__(
        self, message: str, *, process: str | None = None, step: int | None = None, phase: str | None = None
    ) -> None:
        super().__init__(message)
        self.process = process
        self.step = step
        self.phase = phase


class RuntimeStateError(CalderaError, RuntimeError):
    """A run-control call that does not fit the current state (already running, stopped, ...)."""


class PartitionAborted(CalderaError):
    """Raised inside a partition when another partition failed and the run is being torn down."""


# A public name that does not shadow the builtin when imported with ``from caldera.errors import *``.
PortConnectionError = ConnectionError_

__all__ = [
    "CalderaError",
    "PortConnectionError",
    "ParameterError",
    "CompileError",
    "NoModelError",
    "NoBackendError",
    "CycleError",
    "RunError",
    "RuntimeStateError",
    "PartitionAborted",
]
