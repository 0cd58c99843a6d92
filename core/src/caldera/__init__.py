"""Caldera: Lava's programming model, fast and open — the core.

Processes with Vars and ports describe an application; process models say how
each behaves; backends from plugins (``caldera-cpu`` first) run them.
"""

from caldera import plugins as _plugins
from caldera.errors import (
    CalderaError,
    CompileError,
    CycleError,
    NoBackendError,
    NoModelError,
    ParameterError,
    PortConnectionError,
    RunError,
    RuntimeStateError,
)
from caldera.hookspecs import hookimpl
from caldera.model import (
    AbstractProcessModel,
    AbstractPyProcessModel,
    AbstractSubProcessModel,
    LavaPyType,
    PyAsyncProcessModel,
    PyInPort,
    PyLoihiProcessModel,
    PyOutPort,
    PyRefPort,
    PyType,
    PyVarPort,
    SendFirstMixin,
    implements,
    requires,
    tag,
)
from caldera.ports import InPort, OutPort, RefPort, VarPort
from caldera.process import AbstractProcess, Process, use_runtime, use_unknown_kwargs_policy
from caldera.profiler import Profiler, profile
from caldera.protocols import AsyncProtocol, LoihiProtocol
from caldera.resources import CPU, GPU, LMT, Loihi2NeuroCore
from caldera.run_conditions import RunContinuous, RunSteps
from caldera.run_config import Loihi2SimCfg, RunConfig
from caldera.runtime import Runtime
from caldera.serialization import load, save
from caldera.sync_domain import SyncDomain
from caldera.variable import Var

# The one place where the process descriptions meet the runtime: Process.run() builds a Runtime.
use_runtime(Runtime.build)
# Keyword arguments a process does not take: a TypeError unless a plugin keeps them (caldera-lava, for Lava code).
use_unknown_kwargs_policy(_plugins.keep_unknown_kwargs)

__version__ = "0.1.0"


def view(proc: Process, path: str | None = None):  # noqa: ANN201 - caldera.netview.NetworkView
    """Draw the network ``proc`` belongs to (see ``caldera.netview``); written to ``path`` when given."""
    from caldera.netview import view as _view

    return _view(proc, path)


def report(proc: Process, path: str, profiler: Profiler | None = None, title: str | None = None):  # noqa: ANN201
    """Write the self-contained HTML run report of the network ``proc`` belongs to (see ``caldera.run_report``)."""
    from caldera.run_report import report as _report

    return _report(proc, path, profiler=profiler, title=title)


__all__ = [
    "Process",
    "AbstractProcess",
    "Var",
    "InPort",
    "OutPort",
    "RefPort",
    "VarPort",
    "AbstractProcessModel",
    "AbstractPyProcessModel",
    "PyLoihiProcessModel",
    "PyAsyncProcessModel",
    "AbstractSubProcessModel",
    "SendFirstMixin",
    "LavaPyType",
    "PyType",
    "PyInPort",
    "PyOutPort",
    "PyRefPort",
    "PyVarPort",
    "implements",
    "requires",
    "tag",
    "LoihiProtocol",
    "AsyncProtocol",
    "CPU",
    "GPU",
    "LMT",
    "Loihi2NeuroCore",
    "RunSteps",
    "RunContinuous",
    "RunConfig",
    "Loihi2SimCfg",
    "hookimpl",
    "save",
    "load",
    "profile",
    "Profiler",
    "view",
    "report",
    "SyncDomain",
    "CalderaError",
    "CompileError",
    "CycleError",
    "NoBackendError",
    "NoModelError",
    "ParameterError",
    "PortConnectionError",
    "RunError",
    "RuntimeStateError",
]
