"""``RunConfig``: which backend runs a network, in which flavour, with which exceptions."""

from __future__ import annotations

import typing as ty
from dataclasses import dataclass, field

from caldera.errors import ParameterError


@dataclass
class RunConfig:
    """How a network is compiled and run.

    backend:
        Name of an installed backend (``caldera plugins`` lists them); ``None``
        picks the installed backend with the highest priority.
    tag:
        The model flavour: ``"floating_pt"`` or ``"fixed_pt"`` for the standard
        processes (plugins may add more). ``None`` prefers ``"floating_pt"``.
    exception_proc_model_map:
        Pins a model class per process class or per process instance; wins
        over backend and tag.
    select_sub_proc_model:
        When a process has both a direct model and a hierarchical (sub-process)
        model, prefer the hierarchical one.
    backend_map:
        Pins a backend per process class or instance (heterogeneous runs:
        processes on different backends form separate partitions).
    partitions:
        ``1`` (default) runs the network in this OS process; ``N`` splits it
        into N partitions run in parallel OS processes connected by
        shared-memory channels; ``"auto"`` picks 1 or more from the network's
        size; a list of process lists (or a ``{process: index}`` dict) assigns
        them explicitly. Traces do not depend on the partitioning. Host I/O
        (Injector, Extractor) runs in the user's process; left out of a list, it
        joins the first partition (over MPI, a list's k-th partition runs on rank k).
    custom_sync_domains:
        ``SyncDomain``s grouping processes by protocol (see ``caldera.sync_domain``).
    profile:
        Record where the time of every run goes (``runtime.profiler``, see
        ``caldera.profiler``); off by default, and then it costs nothing.
    progress:
        Show a progress bar (tqdm, steps/s) for runs that last more than 2 s.
    transport:
        How partitions in different OS processes exchange messages: ``"shm"``
        (default: forked processes on this machine, shared-memory channels) or
        ``"mpi"`` (one partition per MPI rank, started with ``mpiexec -n N``;
        see ``caldera.mpi``; needs ``pip install './core[mpi]'``).
    watchdog_s:
        If set, a run in which no step completes for this many seconds is
        stopped with an error naming the partition (and the model, when it can
        be interrupted).
    value_checks:
        ``"strict"`` (default): a ``fixed_pt`` model refuses values Loihi cannot
        hold (non-integers, weights beyond 8 bits, parameters beyond their bit
        widths) with a ``ParameterError``. ``"lava"``: it takes them as Lava 0.10
        does — non-integers truncated toward zero, weights clipped to the 8-bit
        range of their sign mode, parameter widths not checked (what Lava
        programs may rely on; ``caldera-lava``'s run configurations choose it).
    mpi_bcast_readers:
        Over MPI: an OutPort whose messages are read on at least this many
        other ranks sends each message once, with a non-blocking broadcast
        (``MPI_Ibcast``) on a communicator of its rank and the reading ranks,
        instead of one point-to-point send per reading rank (see
        ``caldera.mpi``). An int >= 1 (``1``: every channel between ranks is a
        broadcast) or ``None`` (default: point-to-point only). Off by default:
        on one machine broadcasts were 12-14 % slower with 2 and 3 reading ranks
        (``benchmarks/README.md``, "Point-to-point or collectives?"); they spare
        the writer its per-reader sends, which pays for an OutPort that many
        ranks read and whose rank is the slowest.
    """

    backend: str | None = None
    tag: str | None = None
    exception_proc_model_map: dict = field(default_factory=dict)
    select_sub_proc_model: bool = False
    backend_map: dict = field(default_factory=dict)
    partitions: ty.Any = 1
    watchdog_s: float | None = None
    custom_sync_domains: list = field(default_factory=list)
    profile: bool = False
    progress: bool = False
    value_checks: str = "strict"
    transport: str = "shm"
    mpi_bcast_readers: int | None = None

    def __post_init__(self) -> None:
        if self.transport not in ("shm", "mpi"):
            raise ParameterError(f"RunConfig.transport must be 'shm' or 'mpi', got {self.transport!r}")
        if self.value_checks not in ("strict", "lava"):
            raise ParameterError(f"RunConfig.value_checks must be 'strict' or 'lava', got {self.value_checks!r}")
        for flag in ("profile", "progress"):
            if not isinstance(getattr(self, flag), bool):
                raise ParameterError(f"RunConfig.{flag} must be True or False, got {getattr(self, flag)!r}")
        if self.backend is not None and not isinstance(self.backend, str):
            raise ParameterError(f"RunConfig.backend must be a backend name (str) or None, got {self.backend!r}")
        if self.tag is not None and not isinstance(self.tag, str):
            raise ParameterError(f"RunConfig.tag must be a str or None, got {self.tag!r}")
        if not isinstance(self.exception_proc_model_map, dict):
            raise ParameterError("RunConfig.exception_proc_model_map must be a dict")
        if not isinstance(self.backend_map, dict):
            raise ParameterError("RunConfig.backend_map must be a dict {process or class: backend name}")
        p = self.partitions
        if isinstance(p, bool) or not (
            (isinstance(p, int) and p >= 1) or p == "auto" or isinstance(p, (list, tuple, dict))
        ):
            raise ParameterError(
                f"RunConfig.partitions must be an int >= 1, 'auto', a list of process lists or a dict, got {p!r}"
            )
        k = self.mpi_bcast_readers
        if k is not None and (isinstance(k, bool) or not isinstance(k, int) or k < 1):
            raise ParameterError(
                "RunConfig.mpi_bcast_readers must be an int >= 1 (the number of reading ranks from which an "
                f"OutPort's messages go out as one MPI broadcast) or None (point-to-point only), got {k!r}"
            )
        if self.watchdog_s is not None and not (isinstance(self.watchdog_s, (int, float)) and self.watchdog_s > 0):
            raise ParameterError(f"RunConfig.watchdog_s must be a positive number of seconds, got {self.watchdog_s!r}")

    @staticmethod
    def _lookup(m: dict, proc: ty.Any) -> ty.Any:
        for key, value in m.items():
            if key is proc:
                return value
        for klass in type(proc).__mro__:
            if klass in m:
                return m[klass]
        return None

    def pinned_model(self, proc: ty.Any) -> type | None:
        return self._lookup(self.exception_proc_model_map, proc)

    def pinned_backend(self, proc: ty.Any) -> str | None:
        return self._lookup(self.backend_map, proc)


class Loihi2SimCfg(RunConfig):
    """Lava's name: ``Loihi2SimCfg(select_tag="fixed_pt")`` runs on the best installed CPU backend."""

    def __init__(
        self,
        select_tag: str | None = None,
        select_sub_proc_model: bool = False,
        exception_proc_model_map: dict | None = None,
        backend: str | None = None,
        **kwargs: ty.Any,
    ) -> None:
        known = {
            k: kwargs.pop(k)
            for k in (
                "backend_map",
                "partitions",
                "watchdog_s",
                "custom_sync_domains",
                "profile",
                "progress",
                "transport",
            )
            if k in kwargs and kwargs[k] is not None
        }
        if "mpi_bcast_readers" in kwargs:  # None is a value here: point-to-point only
            known["mpi_bcast_readers"] = kwargs.pop("mpi_bcast_readers")
        super().__init__(
            backend=backend,
            tag=select_tag,
            exception_proc_model_map=dict(exception_proc_model_map or {}),
            select_sub_proc_model=select_sub_proc_model,
            **known,
        )


__all__ = ["RunConfig", "Loihi2SimCfg"]
