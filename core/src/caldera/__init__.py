"""Caldera: Lava's programming model, fast and open — the core.

Processes with Vars and ports describe an application; process models say how
each behaves; backends from plugins (``caldera-cpu`` first) run them.
"""

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
from caldera.process import AbstractProcess, Process, use_runtime
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

__version__ = "0.1.0"

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
