"""Process models: how a process behaves, for a protocol, on a resource, in a flavour (tag).

A model class declares typed fields (``LavaPyType``) for the Vars and ports of
its process and implements ``run_spk`` (and, where needed, the management and
learning phases). Built-in models can also declare *how* they exchange
messages within a step, which lets the executor run them in a static order:

* ``schedule = "send_first"``: the model implements ``send_spk()`` (send what
  it computed last step) and ``recv_spk()`` (receive and compute for the next
  step); ``run_spk`` is both, in that order. Synapses work this way.
* ``schedule = "recv_first"``: ``run_spk`` receives all its inputs before it
  sends anything. Neurons work this way.
* ``schedule = None`` (user models, by default): anything goes; the executor
  runs the model as a cooperative task that is suspended while it waits for a
  message.
"""

from __future__ import annotations

import typing as ty

import numpy as np

from caldera.process import Process, ProcessParameters
from caldera.protocols import AbstractSyncProtocol


# -- decorators ---------------------------------------------------------------------------
def implements(proc: type[Process] | None = None, protocol: type[AbstractSyncProtocol] | None = None):
    """Declare which process class (and protocol) a model implements."""

    def deco(cls):
        if proc is not None:
            if not (isinstance(proc, type) and issubclass(proc, Process)):
                raise TypeError(f"@implements(proc=...) expects a Process class, got {proc!r}")
            cls.implements_process = proc
        if protocol is not None:
            cls.implements_protocol = protocol
        return cls

    return deco


def requires(*resources: ty.Any):
    """Declare the compute resources a model needs (e.g. ``CPU``)."""

    def deco(cls):
        cls.required_resources = tuple(resources)
        return cls

    return deco


def tag(*tags: str):
    """Declare the flavours a model is (``"floating_pt"``, ``"fixed_pt"``, ...)."""
    for t in tags:
        if not isinstance(t, str):
            raise TypeError(f"@tag expects strings, got {t!r}")

    def deco(cls):
        cls.tags = tuple(tags)
        return cls

    return deco


# -- field types --------------------------------------------------------------------------
class LavaPyType:
    """The Python type of a model field: its class (``np.ndarray``, ``int``, a port class), dtype, bits."""

    __slots__ = ("cls", "d_type", "precision")

    def __init__(self, cls: ty.Any, d_type: ty.Any, precision: int | None = None) -> None:
        self.cls = cls
        self.d_type = d_type
        self.precision = precision

    def __repr__(self) -> str:
        return f"LavaPyType({getattr(self.cls, '__name__', self.cls)}, {self.d_type}, precision={self.precision})"


PyType = LavaPyType

#: The ``LavaPyType`` class of weights held as a scipy CSR matrix. A name rather than
#: ``scipy.sparse.csr_matrix`` itself, so that declaring a model does not import scipy.
CSR_MATRIX = "csr_matrix"


# -- model-side ports ---------------------------------------------------------------------
class PyPort:
    """Base of the ports a model uses at run time."""

    VEC_DENSE: type
    VEC_SPARSE: type | None = None
    SCALAR_DENSE: type | None = None
    SCALAR_SPARSE: type | None = None

    def __init__(self, name: str, process_name: str, shape: tuple[int, ...], dtype: ty.Any) -> None:
        self.name = name
        self.process_name = process_name
        self.shape = shape
        self.dtype = np.dtype(dtype)


class PyOutPort(PyPort):
    """Sends one message per step (by convention) to every connected InPort."""

    def __init__(self, name, process_name, shape, dtype) -> None:
        super().__init__(name, process_name, shape, dtype)
        self._queues: list = []  # one deque per connected (leaf) destination feed
        self.scheduler = None

    def send(self, data: ty.Any) -> None:
        self.send_owned(np.array(data, dtype=self.dtype, copy=True))

    def send_owned(self, arr: np.ndarray) -> None:
        """Send an array the caller hands over (it will not read or write it again): no copy is made
        when it already has the port's dtype. ``send`` is ``send_owned`` of a copy."""
        if arr.dtype != self.dtype:
            arr = arr.astype(self.dtype)
        if arr.shape != self.shape:
            if arr.size == 1 and len(self.shape) <= 1 and int(np.prod(self.shape)) == 1:
                arr = arr.reshape(self.shape)
            else:
                raise ValueError(f"{self.process_name}.{self.name}.send: expected shape {self.shape}, got {arr.shape}")
        queues = self._queues
        if queues:
            queues[0].append(arr)
            for q in queues[1:]:  # every receiver owns its message (recv hands it out without a copy)
                q.append(arr.copy())
        if self.scheduler is not None:
            self.scheduler.progress += 1

    def flush(self) -> None:
        pass


PyOutPort.VEC_DENSE = PyOutPort


class PyInPort(PyPort):
    """Receives the sum of what its sources sent this step (zeros if unconnected)."""

    def __init__(self, name, process_name, shape, dtype) -> None:
        super().__init__(name, process_name, shape, dtype)
        self._queues: list = []  # deques, in the order the feed expression reads them
        self._combine: ty.Callable[[list], np.ndarray] | None = None
        self._result_dtype = self.dtype
        self.scheduler = None

    @property
    def connected(self) -> bool:
        """Whether any source feeds this port (an unconnected port receives zeros)."""
        return bool(self._queues)

    def probe(self) -> bool:
        """True when a message from every source is waiting."""
        return all(self._queues)

    def _wait(self) -> None:
        if all(self._queues):
            return
        sched = self.scheduler
        if sched is not None:
            sched.block_until(self)
            return
        for q in self._queues:  # static schedule: only messages from other partitions can be late
            if not q:
                wait = getattr(q, "wait", None)
                if wait is None:
                    raise RuntimeError(f"{self.process_name}.{self.name}.recv: no message available")
                wait()

    def recv(self) -> np.ndarray:
        qs = self._queues
        if not qs:
            return np.zeros(self.shape, self.dtype)
        if not all(qs):
            self._wait()
        if self._combine is None:  # a single source with no transformation
            out = qs[0].popleft().astype(self._result_dtype, copy=False)  # the message is ours alone
        else:
            out = self._combine([q.popleft() for q in qs])
        if self.scheduler is not None:
            self.scheduler.progress += 1
        return out

    def peek(self) -> np.ndarray:
        qs = self._queues
        if not qs:
            return np.zeros(self.shape, self.dtype)
        self._wait()
        if self._combine is None:
            return qs[0][0].astype(self._result_dtype)
        return self._combine([q[0] for q in qs])


PyInPort.VEC_DENSE = PyInPort


class PyRefPort(PyPort):
    """Reads and writes a Var of another process (in the management phases)."""

    def __init__(self, name, process_name, shape, dtype) -> None:
        super().__init__(name, process_name, shape, dtype)
        self._target_model: ty.Any = None
        self._target_name: str | None = None

    @property
    def connected(self) -> bool:
        return self._target_model is not None

    def read(self) -> np.ndarray:
        if self._target_model is None:
            raise RuntimeError(f"{self.process_name}.{self.name}: RefPort is not connected")
        value = getattr(self._target_model, self._target_name)
        return np.array(value, copy=True)

    def write(self, data: ty.Any) -> None:
        if self._target_model is None:
            raise RuntimeError(f"{self.process_name}.{self.name}: RefPort is not connected")
        write_model_var(self._target_model, self._target_name, data)


PyRefPort.VEC_DENSE = PyRefPort


def write_model_var(model: ty.Any, name: str, value: ty.Any) -> None:
    """Write a Var's value into a model, in place for arrays, then tell the model (``on_var_set``).

    Used by RefPorts and by ``Var.set`` in every partition. If the model rejects the
    value (its hook raises), the old value is restored: a rejected write changes nothing.
    """
    cur = getattr(model, name)
    backup = cur.copy() if isinstance(cur, np.ndarray) else None
    if isinstance(cur, np.ndarray):
        cur[...] = value
    else:
        setattr(model, name, value)
    hook = getattr(model, "on_var_set", None)
    if hook is not None:
        try:
            hook(name)
        except Exception:
            if backup is not None:
                cur[...] = backup
            setattr(model, name, cur)
            raise


class PyVarPort(PyPort):
    """The Var side of a RefPort connection; in-process it needs no action."""


PyVarPort.VEC_DENSE = PyVarPort


# -- models -------------------------------------------------------------------------------
class AbstractProcessModel:
    """Base of all models. ``proc_params`` are the process's keyword arguments."""

    implements_process: type[Process] | None = None
    implements_protocol: type[AbstractSyncProtocol] | None = None
    required_resources: tuple = ()
    tags: tuple[str, ...] = ()
    #: False when the run asked for Lava's handling of values (``RunConfig(value_checks="lava")``): a fixed-point
    #: model then truncates non-integers and clips weights instead of refusing them
    strict: bool = True
    #: True for a model built without its Vars (they are ``None``): on an MPI rank, a process another rank runs
    shell: bool = False

    def __init__(self, proc_params: dict | None = None) -> None:
        self.proc_params = proc_params if proc_params is not None else ProcessParameters()

    def validate(self) -> None:
        """Called once the model's Vars are set, before the first step: raise on bad parameters."""


class AbstractPyProcessModel(AbstractProcessModel):
    """A model executed by Python (NumPy) or by a backend that runs Python models."""

    schedule: str | None = None
    #: models with a higher order run later in the management phases (monitors read last)
    mgmt_order: int = 0

    def __init__(self, proc_params: dict | None = None) -> None:
        super().__init__(proc_params)
        self.time_step = 0
        self.process_name = ""
        self.var_ports: list = []


class PyLoihiProcessModel(AbstractPyProcessModel):
    """A model of a process under ``LoihiProtocol`` (the phases of Loihi's time step)."""

    def run_spk(self) -> None:
        """Spiking phase: receive and send messages."""

    # -- fusion: one call for several populations of the same kind (receive-first models) ----------
    def fusion_key(self) -> ty.Hashable | None:
        """A key shared by the models that ``fuse`` can step together, or None (the default: never fused).

        The in-process executor groups the receive-first models of one schedule level (no
        same-step message passes between them) by this key; a group of two or more runs as
        the single call ``type(model).fuse(group)`` returns, instead of one ``run_spk`` each.
        A vectorized backend thus pays the per-call cost of its array operations once for many
        small populations. The fused step must receive, compute and send exactly what the
        models' own ``run_spk`` would, and the models' Vars must stay their state.
        """
        return None

    @classmethod
    def fuse(cls, models: list) -> ty.Callable[[], None]:
        """The spiking phase of ``models`` (all with one ``fusion_key``) as one callable; see ``fusion_key``."""
        raise NotImplementedError(f"{cls.__name__} gives a fusion_key but does not implement fuse()")

    def pre_guard(self) -> bool:
        return False

    def run_pre_mgmt(self) -> None:
        pass

    def lrn_guard(self) -> bool:
        return False

    def run_lrn(self) -> None:
        pass

    def post_guard(self) -> bool:
        return False

    def run_post_mgmt(self) -> None:
        pass


class SendFirstMixin:
    """For synapse-like models: send last step's result, then receive and compute."""

    schedule = "send_first"

    def send_spk(self) -> None:
        raise NotImplementedError

    def recv_spk(self) -> None:
        raise NotImplementedError

    def run_spk(self) -> None:
        self.send_spk()
        self.recv_spk()


class PyAsyncProcessModel(AbstractPyProcessModel):
    """A model under ``AsyncProtocol``: ``run_async`` runs free in its own thread during a run.

    It exchanges messages with the step loop through blocking channels and
    must return soon after ``check_for_stop_cmd()`` turns True (the run's
    steps are done, or pause()/stop() was called). ``num_steps`` is the length
    of the current run; the model keeps its own notion of time.
    """

    num_steps: int = 0
    _stop_event: ty.Any = None

    def run_async(self) -> None:
        raise NotImplementedError

    def check_for_stop_cmd(self) -> bool:
        ev = self._stop_event
        return ev is not None and ev.is_set()

    def check_for_pause_cmd(self) -> bool:
        return self.check_for_stop_cmd()


class AbstractSubProcessModel(AbstractProcessModel):
    """A model that builds its process out of other processes (a hierarchical process).

    ``__init__(self, proc)`` creates child processes as attributes, connects the
    parent's ports to theirs and aliases the parent's Vars to theirs.
    """

    def __init__(self, proc: Process) -> None:  # noqa: D401 - Lava's signature
        super().__init__(proc.proc_params)

    def find_sub_procs(self) -> list[Process]:
        out: list[Process] = []
        for value in vars(self).values():
            if isinstance(value, Process):
                out.append(value)
            elif isinstance(value, (list, tuple)):
                out.extend(v for v in value if isinstance(v, Process))
            elif isinstance(value, dict):
                out.extend(v for v in value.values() if isinstance(v, Process))
        return out


def model_fields(cls: type) -> dict[str, LavaPyType]:
    """All ``LavaPyType`` fields of a model class, subclasses overriding bases."""
    fields: dict[str, LavaPyType] = {}
    for klass in reversed(cls.__mro__):
        for k, v in vars(klass).items():
            if isinstance(v, LavaPyType):
                fields[k] = v
            elif k in fields and v is None:
                fields.pop(k)
    return fields


__all__ = [
    "implements",
    "requires",
    "tag",
    "LavaPyType",
    "PyType",
    "PyInPort",
    "PyOutPort",
    "PyRefPort",
    "PyVarPort",
    "AbstractProcessModel",
    "AbstractPyProcessModel",
    "PyLoihiProcessModel",
    "PyAsyncProcessModel",
    "AbstractSubProcessModel",
    "SendFirstMixin",
    "model_fields",
]
