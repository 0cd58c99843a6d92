"""Partitions on MPI ranks: ``RunConfig(transport="mpi")``, started with ``mpiexec -n N python script.py``.

Every rank runs the same script (SPMD, as with mpi4py or PyNEST): it builds the same network and
makes the same calls in the same order. The compiler cuts the network into one partition per rank
(``partitions="auto"`` or an explicit list of ``N`` process lists); rank ``k`` steps partition ``k``,
and every message queue between two ranks becomes an MPI point-to-point channel (or part of a broadcast
channel, see below). Nothing else changes:
the time-step semantics are those of one process, so traces are identical bit for bit.

Calls are collective: ``run``, ``Var.get``/``set``, ``Monitor.get_data`` and ``stop`` must be made on
every rank. A value is broadcast from the rank that owns it, so every rank (rank 0 included) gets it;
``Var.set`` takes rank 0's value. After ``stop()`` every rank holds the final state of the whole network.
Host I/O (``Injector``/``Extractor``) runs on rank 0; on the other ranks ``send()`` is ignored and
``receive()`` is an error naming rank 0 (see ``caldera.procs.io.host``).

Channels: one per OutPort and reading rank (a message read by several processes of one rank crosses once
and is copied there for each reader). A sender keeps at most ``DEPTH`` synchronous-mode sends (``Issend``)
outstanding per channel,
so a fast rank cannot run more than ``DEPTH`` steps ahead of its consumer; a receiver keeps one receive
posted. Waits poll (they must notice another rank's failure) and back off to sleeping, so that ranks
sharing cores leave them to each other.

Broadcast channels: an OutPort read on at least ``RunConfig.mpi_bcast_readers`` other ranks (off by default)
gets one channel to all of them instead, on a communicator of its rank and the reading ranks (created at
set-up by the members, in channel order on every rank): each message goes out with one non-blocking
``MPI_Ibcast`` (see :class:`MpiBcastSender` for the frame, which carries the size of the next one, and the
readers' acknowledgements that keep the writer at most ``DEPTH + HALF`` messages ahead). A broadcast
cannot be withdrawn, so at the end the writer broadcasts an end frame for the readers' last posted one.

Faults: a rank whose model raises sends an abort to every rank; waiting ranks stop, and at the end of the
run every rank raises the same ``RunError`` naming the rank and process. The watchdog (``watchdog_s``)
applies to waits too. A rank that dies is ended by the MPI launcher, which ends the job. Bad input
(more or fewer ranks than partitions, a partition list that misses processes, a Monitor listed on
another rank than the Var it reads) is found while compiling, before any step, and every rank raises.
"""

from __future__ import annotations

import collections
import dataclasses
import os
import signal
import sys
import time
import traceback
import typing as ty

import numpy as np

from caldera.errors import CompileError, PartitionAborted, RunError, RuntimeStateError
from caldera.model import write_model_var
from caldera.watchdog import watchdog

if ty.TYPE_CHECKING:
    from caldera.compiler import CompiledNetwork
    from caldera.run_config import RunConfig

#: synchronous sends a channel may have outstanding (how far a rank may run ahead of its consumer)
DEPTH = 8
_ABORT_TAG = 1
_PROBE_TAG = 2  # rank 0 asks a waiting rank for its state (the deadlock proof)
_REPLY_TAG = 3
_FIRST_CHANNEL_TAG = 16


def mpi() -> ty.Any:
    """The ``mpi4py.MPI`` module, or an error saying how to install it."""
    try:
        from mpi4py import MPI
    except ImportError as e:  # pragma: no cover - depends on the installation
        raise CompileError(
            "RunConfig(transport='mpi') needs mpi4py and an MPI library: pip install './core[mpi]' "
            "(installs mpi4py and MPICH from PyPI)"
        ) from e
    return MPI


def world() -> ty.Any:
    MPI = mpi()
    comm = MPI.COMM_WORLD
    comm.Set_errhandler(MPI.ERRORS_RETURN)  # MPI errors become exceptions (mpi4py's default, made explicit)
    _end_job_on_lone_errors(comm)
    return comm


_HOOKED = False


def _end_job_on_lone_errors(comm: ty.Any) -> None:
    """An uncaught exception that only this rank knows of ends the whole MPI job (``MPI_Abort``).

    The other ranks would otherwise wait forever in the next collective call (and this one in
    ``MPI_Finalize``). Errors that every rank raised together (compile errors, a run's ``RunError``,
    marked ``all_ranks``) end each rank normally. ``python -m mpi4py script.py`` does the same for
    every uncaught exception.

    A ``KeyboardInterrupt`` that only this rank raised (Ctrl-C reaching the ranks while they compile
    or import, each at its own point) ends this rank by SIGINT instead, as Python itself does: the
    launcher reports the interrupt and ends the other ranks. ``MPI_Abort`` would end the job at once
    and the launcher (MPICH's hydra) drops the output still in its pipes, the traceback included.
    """
    global _HOOKED
    if _HOOKED or comm.size == 1:
        return
    _HOOKED = True
    previous = sys.excepthook

    def hook(etype: type, value: BaseException, tb: ty.Any) -> None:
        previous(etype, value, tb)
        if issubclass(etype, KeyboardInterrupt) and not getattr(value, "all_ranks", False):
            sys.stdout.flush()
            sys.stderr.flush()
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)  # no MPI_Finalize: the other ranks may be in a collective
        if not getattr(value, "all_ranks", False):
            sys.stderr.write(f"caldera: rank {comm.rank} ends the MPI job ({etype.__name__} on this rank alone)\n")
            sys.stderr.flush()
            comm.Abort(1)

    sys.excepthook = hook


def _everywhere(exc: BaseException) -> BaseException:
    """Mark an exception that every rank raises at the same point (see ``_end_job_on_lone_errors``)."""
    exc.all_ranks = True  # type: ignore[attr-defined]
    return exc


# -- compile: one partition per rank ---------------------------------------------------------
def _check_monitors_follow_targets(spec: list | tuple | dict) -> None:
    """A process that reads a Var through a RefPort (a Monitor's Var probe) must be on the Var's rank."""
    if isinstance(spec, dict):
        where = {p.id: int(i) for p, i in spec.items()}
        listed = list(spec)
    else:
        where, listed = {}, []
        for i, group in enumerate(spec):
            for p in group if isinstance(group, (list, tuple)) else [group]:
                where[p.id] = i
                listed.append(p)
    for p in listed:
        for rp in getattr(p, "ref_ports", ()):
            var = rp.target_var
            if var is None:
                continue
            var = var.resolve()
            owner = var.process
            if owner is not None and owner.id in where and where[owner.id] != where[p.id]:
                raise CompileError(
                    f"{p.name} reads {var.qualified_name}, which is on rank "
                    f"{where[owner.id]}, but {p.name} is listed on rank {where[p.id]}: list it with "
                    f"{owner.name}'s partition (or leave it out: it then follows its target)"
                )


def prepare(run_cfg: RunConfig, size: int) -> RunConfig:
    """The run configuration the compiler gets on every rank: one partition per rank."""
    spec = run_cfg.partitions
    if spec in (1, "auto"):
        return dataclasses.replace(run_cfg, partitions=size)
    if isinstance(spec, int):
        if spec != size:
            raise CompileError(
                f"RunConfig(partitions={spec}, transport='mpi') was started on {size} MPI ranks: "
                f"use one partition per rank (partitions={size} or 'auto'), or start {spec} ranks (mpiexec -n {spec})"
            )
        return run_cfg
    groups = len(set(spec.values())) if isinstance(spec, dict) else len(spec)
    if isinstance(spec, dict) and groups == size and set(spec.values()) != set(range(size)):
        raise CompileError(
            f"RunConfig.partitions maps processes to ranks {sorted(set(spec.values()))}, but the job's ranks are "
            f"0 to {size - 1}"
        )
    if groups != size:
        raise CompileError(
            f"RunConfig.partitions lists {groups} partitions but the job has {size} MPI ranks; "
            f"one partition per rank is needed (start with mpiexec -n {groups}, or list {size} partitions)"
        )
    _check_monitors_follow_targets(spec)
    return run_cfg


def compile_on_every_rank(root: ty.Any, run_cfg: RunConfig) -> CompiledNetwork:
    """Compile on every rank; if any rank fails, every rank raises (the first failing rank's error)."""
    from caldera.compiler import compile_network

    comm = world()
    net, err = None, None
    try:
        net = compile_network(root, prepare(run_cfg, comm.size), local_partition=comm.rank)
        n = len(net.partitions)
        if n != comm.size:
            raise CompileError(
                f"the network splits into {n} partition{'s' if n != 1 else ''} but the job has {comm.size} MPI "
                f"ranks: one partition per rank is needed (a rank needs at least one process; processes on "
                f"different backends form partitions of their own): start mpiexec -n {n}"
            )
    except Exception as e:  # noqa: BLE001 - shared with every rank below
        err = e
    errors = comm.allgather(None if err is None else f"{type(err).__name__}: {err}")
    if err is not None:
        raise _everywhere(err)
    for rank, msg in enumerate(errors):
        if msg is not None:
            raise _everywhere(CompileError(f"rank {rank} could not build the network: {msg}"))
    assert net is not None
    return net


# -- channels ----------------------------------------------------------------------------------
class _Abort:
    """``is_set()``: has another rank reported a failure? (duck-types an Event for the executor's waits)"""

    def __init__(self, group: MpiGroup) -> None:
        self.group = group

    def is_set(self) -> bool:
        return self.group.aborted()


RUNNING, WAITING, FINISHED = 0, 1, 2
#: a rank that has waited this long (seconds) starts asking whether the wait can ever end (rank 0 asks;
#: shorter waits are the normal rhythm of a run and cost nothing)
CHECK_AFTER_S = 0.5
#: a wait spins this many looks, then sleeps 0.2 ms between looks; every ``_SERVICE_EVERY`` sleeps it serves
#: the deadlock proof
_SLEEP_AFTER = 2000
_SERVICE_EVERY = 64


def _wait(ready: ty.Callable[[], bool], group: MpiGroup, recv: tuple = (), send: tuple = ()) -> None:
    """Poll ``ready`` until it holds: spin briefly, then yield the core, then sleep 0.2 ms between looks.

    ``recv``/``send``: the channels (indices) this wait is for, published for the deadlock proof. A long wait
    answers the proof's questions and (on rank 0) asks them; a proven deadlock raises ``RunError``.
    """
    t0 = time.perf_counter()
    group.state, group.awaiting = WAITING, (recv, send)
    spins = 0
    try:
        while not ready():
            if group.aborted():
                raise PartitionAborted("another rank failed")
            spins += 1
            if spins > _SLEEP_AFTER:  # a long wait (a slow peer): check a few thousand times a second
                time.sleep(2e-4)
                if spins % _SERVICE_EVERY == 0:
                    group.service(time.perf_counter() - t0)
            elif spins > 50:  # give the core to a rank that shares it
                time.sleep(0)
    finally:
        group.state, group.awaiting = RUNNING, ((), ())
        group.activity += 1
        group.wait_s += time.perf_counter() - t0


def wait_any(queues: list) -> None:
    """Block until one of several MPI receivers holds a message (``caldera.channels.wait_any`` for MPI)."""
    group = queues[0].group
    _wait(lambda: any(queues), group, recv=tuple(q.index for q in queues))


def _encode(arr: np.ndarray, buf: np.ndarray) -> int:
    """Write message ``arr`` into the byte buffer ``buf``; return the bytes to send.

    An 8-byte header, then either the dense array (header -1) or, when that is smaller, the ``k`` non-zero
    values followed by their flat indices as int32 (header ``k``): a spike vector with few spikes costs
    bytes per spike, not per neuron. Zeros (``-0.0`` too) arrive as ``0``; everything else bit for bit.
    """
    flat = arr.reshape(-1)
    nz = flat.nonzero()[0]
    k = nz.size
    item = flat.dtype.itemsize
    head = buf[:8].view(np.int64)
    if k * (item + 4) < flat.nbytes:
        head[0] = k
        buf[8 : 8 + k * item].view(flat.dtype)[...] = flat[nz]
        end = 8 + k * item
        buf[end : end + 4 * k] = nz.astype(np.int32).view(np.uint8)
        return end + 4 * k
    head[0] = -1
    buf[8 : 8 + flat.nbytes] = flat.view(np.uint8)
    return 8 + flat.nbytes


def _decode(buf: np.ndarray, shape: tuple, dtype: np.dtype) -> np.ndarray:
    """The message that :func:`_encode` wrote into ``buf`` (a new array, or a view of ``buf``)."""
    k = int(buf[:8].view(np.int64)[0])
    if k < 0:
        return buf[8:].view(dtype).reshape(shape)
    out = np.zeros(shape, dtype)
    end = 8 + k * dtype.itemsize
    out.reshape(-1)[buf[end : end + 4 * k].view(np.int32)] = buf[8:end].view(dtype)
    return out


class MpiSender:
    """Sending endpoint: a ring of ``DEPTH`` buffers, each with its synchronous send."""

    def __init__(self, group: MpiGroup, index: int, dest: int, shape: tuple, dtype: ty.Any, name: str = "") -> None:
        self.group, self.index, self.dest, self.name = group, index, dest, name
        self.tag = _FIRST_CHANNEL_TAG + index
        self.nbytes = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize  # one dense message
        self._slots = [np.zeros(8 + self.nbytes, np.uint8) for _ in range(DEPTH)]
        self._reqs: list = [None] * DEPTH
        self._i = 0
        self.sent = 0
        self.bytes = 0  # payload bytes sent (headers included)

    @property
    def calls(self) -> int:
        """MPI calls started: one send per message."""
        return self.sent

    def append(self, arr: np.ndarray) -> None:
        k = self._i
        req = self._reqs[k]
        if req is not None and not req.Test():
            self._block(req.Test)
        slot = self._slots[k]
        size = _encode(arr, slot)
        self._reqs[k] = self.group.comm.Issend([slot[:size], self.group.MPI.BYTE], self.dest, self.tag)
        self._i = (k + 1) % DEPTH
        self.sent += 1
        self.bytes += size

    @property
    def need(self) -> int:
        """The messages its reader must have taken for a blocked ``append`` to go on (the deadlock proof)."""
        return self.sent - DEPTH

    def _block(self, ready: ty.Callable[[], bool]) -> None:
        """Wait for room: the oldest send is matched (the profiler times this call)."""
        _wait(ready, self.group, send=(self.index,))

    def finish(self) -> None:
        """Wait until every message was received (the receivers drain what they did not use)."""
        for req in self._reqs:
            if req is not None:
                req.Wait()
        self._reqs = [None] * DEPTH


class MpiReceiver:
    """Receiving endpoint: one receive posted ahead; duck-types the deque a ``PyInPort`` reads."""

    remote = True

    def __init__(self, group: MpiGroup, index: int, source: int, shape: tuple, dtype: ty.Any, name: str = "") -> None:
        self.group, self.index, self.source, self.name = group, index, source, name
        self.tag = _FIRST_CHANNEL_TAG + index
        self.shape, self.dtype = tuple(shape), np.dtype(dtype)
        self._nbytes = 8 + int(np.prod(self.shape, dtype=np.int64)) * self.dtype.itemsize  # header + dense message
        self.abort = _Abort(group)
        self.matched = 0  # messages received so far
        self._pending: np.ndarray | None = None
        self.taps: list[MpiTap] = []  # several readers on this rank: the message goes to each (see MpiTap)
        self._post()

    def _post(self) -> None:
        self._buf = np.empty(self._nbytes, np.uint8)  # a new buffer: the last message may be a view of the old
        self._req = self.group.comm.Irecv([self._buf, self.group.MPI.BYTE], self.source, self.tag)

    @property
    def calls(self) -> int:
        """MPI calls started: one receive per message (the one posted ahead not counted)."""
        return self.matched

    def _poll(self) -> bool:
        if self._pending is not None:
            return True
        if self._req.Test():
            self.matched += 1
            self._pending = _decode(self._buf, self.shape, self.dtype)
            self._post()
            return True
        return False

    def __bool__(self) -> bool:
        return self._poll()

    def fan_out(self) -> bool:
        """With taps: if a message has arrived, give it to every tap (the first gets the decoded array)."""
        if not self._poll():
            return False
        msg, self._pending = self._pending, None
        self.taps[0]._q.append(msg)
        for tap in self.taps[1:]:
            tap._q.append(msg.copy())
        return True

    def __len__(self) -> int:
        return 1 if self._poll() else 0

    def wait(self) -> None:
        if not self._poll():
            self._block(self._poll)

    def _block(self, ready: ty.Callable[[], bool]) -> None:
        """Wait for a message (the profiler times this call)."""
        _wait(ready, self.group, recv=(self.index,))

    def popleft(self) -> np.ndarray:
        self.wait()
        out, self._pending = self._pending, None
        return out  # type: ignore[return-value]

    def __getitem__(self, i: int) -> np.ndarray:
        if i != 0:
            raise IndexError(i)
        self.wait()
        return self._pending  # type: ignore[return-value]

    @staticmethod
    def wait_any(queues: list) -> None:
        wait_any(queues)

    def drain(self, sent: int) -> None:
        """Take the messages still on their way (``sent`` in all), then withdraw the posted receive."""
        while self.matched < sent:
            self._req.Wait()
            self.matched += 1
            self._post()
        self._req.Cancel()
        self._req.Wait()


class MpiTap:
    """One reader of a channel that several InPorts of this rank read: the message crosses once, and each
    reader gets its own copy (duck-types the deque a ``PyInPort`` reads, as :class:`MpiReceiver` does)."""

    remote = True

    def __init__(self, rx: MpiReceiver, name: str) -> None:
        self.rx, self.name = rx, name
        self.group, self.index, self.abort = rx.group, rx.index, rx.abort
        self._q: collections.deque = collections.deque()
        rx.taps.append(self)

    def _poll(self) -> bool:
        return bool(self._q) or self.rx.fan_out()

    __bool__ = _poll

    def __len__(self) -> int:
        self._poll()
        return len(self._q)

    def wait(self) -> None:
        if not self._poll():
            self._block(self._poll)

    def _block(self, ready: ty.Callable[[], bool]) -> None:
        """Wait for a message (the profiler times this call)."""
        _wait(ready, self.group, recv=(self.index,))

    def popleft(self) -> np.ndarray:
        self.wait()
        return self._q.popleft()

    def __getitem__(self, i: int) -> np.ndarray:
        self.wait()
        return self._q[i]

    @staticmethod
    def wait_any(queues: list) -> None:
        wait_any(queues)


# -- collective channels: one broadcast per message ----------------------------------------------
#: a broadcast channel's readers acknowledge every ``HALF``-th message they take (a small point-to-point send
#: to the writer); before every ``HALF``-th message the writer waits until every reader has acknowledged the
#: message ``DEPTH`` before it, so it runs at most ``DEPTH + HALF`` messages ahead of its slowest reader
#: (point-to-point channels: ``DEPTH + 1``), and an acknowledgement has ``HALF`` messages' time to arrive
HALF = DEPTH // 2
#: frame buffers (and their broadcasts in flight) per broadcast channel
RING = DEPTH + HALF
_ACK_TAG = 1  # acknowledgements, on a broadcast channel's own communicator
#: a broadcast message's frame header: int64 frame bytes, int64 bytes of the next message's first part
_FRAME_HEAD = 16
#: the first part of a channel's first message, and the least first part (bytes, headers included)
_FIRST_0, _FIRST_MIN = 256, 64


def _sigint_held() -> ty.Any:
    """Hold SIGINT back (the previous mask is returned): a broadcast channel's sequence of calls (first part,
    rest, acknowledgement) must not be cut by Ctrl-C, or the ranks would disagree on what comes next."""
    return signal.pthread_sigmask(signal.SIG_BLOCK, (signal.SIGINT,))


def _sigint_restored(mask: ty.Any) -> None:
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)


class MpiBcastSender:
    """Writing end of a broadcast channel: every message goes once to all reading ranks (``MPI_Ibcast``
    on the channel's own communicator, this rank its root).

    Receivers must know how many bytes to take, so a message travels as a frame: a 16-byte header (the
    frame's bytes, and how many bytes the *next* message's first part will have), then the message
    encoded as by point-to-point channels (sparse when smaller). The first part has the size announced by
    the previous frame (a quarter over the largest of the last ``DEPTH`` frames); a frame that does not fit
    sends its rest with a second broadcast. A ring of ``RING`` frame buffers with their requests. A
    broadcast's root may complete before any reader has received, so the readers acknowledge every
    ``HALF``-th message (see ``HALF``): the writer stays at most ``DEPTH + HALF`` messages ahead. (A
    non-blocking barrier on the channel's communicator would do the same with one more collective call,
    but between oversubscribed ranks here each barrier added about 0.5 ms: 3.5x the cost per message.)
    """

    def __init__(
        self, group: MpiGroup, index: int, comm: ty.Any, readers: tuple, shape: tuple, dtype: ty.Any, name: str = ""
    ) -> None:
        self.group, self.index, self.comm, self.readers, self.name = group, index, comm, readers, name
        dense = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
        self._frame = _FRAME_HEAD + 8 + dense
        self._slots = [np.zeros(self._frame, np.uint8) for _ in range(RING)]
        self._reqs: list[list] = [[] for _ in range(RING)]
        self._i = 0
        self._first = min(self._frame, _FIRST_0)  # the first part of the next message, as the readers expect it
        self._recent: collections.deque = collections.deque(maxlen=DEPTH)
        self._acked = [0] * len(readers)  # acknowledgements received from each reader (communicator rank 1..)
        self._ack_bufs = [np.zeros(1, np.uint8) for _ in readers]
        self._ack_reqs = [self._post_ack(i) for i in range(len(readers))]
        self.sent = 0  # messages
        self.bytes = 0  # bytes broadcast (each once, whatever the number of readers)
        self.calls = 0  # MPI calls started: broadcasts (first parts and rests), acknowledgements received
        self.rests = 0  # messages that needed a second broadcast
        self.need = 0  # while blocked: the messages every reader must have taken first (the deadlock proof)
        self._ended = False

    def _post_ack(self, i: int) -> ty.Any:
        return self.comm.Irecv([self._ack_bufs[i], self.group.MPI.BYTE], i + 1, _ACK_TAG)

    def _acks(self) -> int:
        """Acknowledgements received from the slowest reader (taking in those that arrived)."""
        for i, req in enumerate(self._ack_reqs):
            while req.Test():
                self._acked[i] += 1
                self.calls += 1
                req = self._ack_reqs[i] = self._post_ack(i)
        return min(self._acked)

    def append(self, arr: np.ndarray) -> None:
        j = self.sent + 1
        if (j - 1) % HALF == 0 and j - 1 - DEPTH >= HALF:  # every reader must have taken message j - 1 - DEPTH
            acks = (j - 1 - DEPTH) // HALF
            if self._acks() < acks:
                self.need = j - 1 - DEPTH
                self._block(lambda: self._acks() >= acks)
        k = self._i
        reqs = self._reqs[k]
        if reqs and not self.group.MPI.Request.Testall(reqs):
            self.need = j - 1 - RING
            self._block(lambda: self.group.MPI.Request.Testall(reqs))
        slot = self._slots[k]
        size = _FRAME_HEAD + _encode(arr, slot[_FRAME_HEAD:])
        self._recent.append(size)
        nxt = min(self._frame, max(_FIRST_MIN, (max(self._recent) * 5 // 4 + 7) // 8 * 8))
        head = slot[:_FRAME_HEAD].view(np.int64)
        head[0], head[1] = size, nxt
        first, byte = self._first, self.group.MPI.BYTE
        mask = _sigint_held()
        try:
            reqs = [self.comm.Ibcast([slot[:first], byte], root=0)]
            if size > first:
                reqs.append(self.comm.Ibcast([slot[first:size], byte], root=0))
                self.rests += 1
            self._reqs[k] = reqs
            self.sent, self._first, self._i = j, nxt, (k + 1) % RING
            self.calls += len(reqs)
        finally:
            _sigint_restored(mask)
        self.bytes += max(first, size)
        self.group.MPI.Request.Testall(reqs)  # progress it now: MPI advances a non-blocking collective in MPI calls

    def _block(self, ready: ty.Callable[[], bool]) -> None:
        """Wait for room: every reader has taken the message the writer waits for (the profiler times this
        call)."""
        _wait(ready, self.group, send=(self.index,))

    def end(self) -> None:
        """Closing: broadcast the end frame that the readers' last posted receive (a broadcast cannot be
        withdrawn) takes in."""
        if self._ended:
            return
        self._ended = True
        end = np.zeros(self._first, np.uint8)
        end[:8].view(np.int64)[0] = -1
        self._reqs.append([self.comm.Ibcast([end, self.group.MPI.BYTE], root=0)])

    def finish(self) -> None:
        """Wait until every broadcast is complete and every acknowledgement is in (the readers take in what
        they did not use), then withdraw the posted receives of acknowledgements."""
        self.end()
        for reqs in self._reqs:
            if reqs:
                self.group.MPI.Request.Waitall(reqs)
        for i in range(len(self.readers)):
            while self._acked[i] < self.sent // HALF:
                self._ack_reqs[i].Wait()
                self._acked[i] += 1
                self._ack_reqs[i] = self._post_ack(i)
            self._ack_reqs[i].Cancel()
            self._ack_reqs[i].Wait()
        self._reqs = [[] for _ in range(RING)]


class MpiBcastReceiver(MpiReceiver):
    """Reading end of a broadcast channel on one rank: one broadcast posted ahead (the next frame's first
    part, or the rest of the current one); every ``HALF``-th message taken is acknowledged to the writer
    (see :class:`MpiBcastSender`)."""

    def __init__(
        self, group: MpiGroup, index: int, comm: ty.Any, source: int, shape: tuple, dtype: ty.Any, name: str = ""
    ) -> None:
        self.comm = comm
        dense = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
        self._frame = _FRAME_HEAD + 8 + dense
        self._first = min(self._frame, _FIRST_0)
        self._acks: list = []  # acknowledgements in flight
        self._ack = np.zeros(1, np.uint8)
        self._rest = False
        self._calls = 0
        super().__init__(group, index, source, shape, dtype, name)

    @property
    def calls(self) -> int:
        """MPI calls started: broadcasts (first parts and rests) and acknowledgements."""
        return self._calls

    def _post(self) -> None:
        self._buf = np.empty(self._frame, np.uint8)  # a new buffer: the last message may be a view of the old
        self._rest = False
        self._req = self.comm.Ibcast([self._buf[: self._first], self.group.MPI.BYTE], root=0)
        self._calls += 1

    def _poll(self) -> bool:
        if self._pending is not None:
            return True
        if not self._req.Test():
            return False
        mask = _sigint_held()
        try:
            size, nxt = (int(x) for x in self._buf[:_FRAME_HEAD].view(np.int64))
            if not self._rest and size > self._first:  # the frame's rest comes in a second broadcast
                self._rest = True
                self._req = self.comm.Ibcast([self._buf[self._first : size], self.group.MPI.BYTE], root=0)
                self._calls += 1
                return False
            self.matched += 1
            self._pending = _decode(self._buf[_FRAME_HEAD:], self.shape, self.dtype)
            self._first = nxt
            if self.matched % HALF == 0:
                self._acks = [r for r in self._acks if not r.Test()]
                self._acks.append(self.comm.Isend([self._ack, self.group.MPI.BYTE], 0, _ACK_TAG))
                self._calls += 1
            self._post()
        finally:
            _sigint_restored(mask)
        return True

    def __bool__(self) -> bool:
        return self._poll()

    def drain(self, sent: int) -> None:
        """Take the messages still on their way (``sent`` in all) and the writer's end frame, which
        completes the broadcast posted last; then complete the acknowledgements."""
        while self.matched < sent:
            self._pending = None
            while not self._poll():
                self._req.Wait()
        self._req.Wait()  # the end frame
        self.group.MPI.Request.Waitall(self._acks)
        self._acks = []


class _Duplicate:
    """An OutPort's feed to a reader on a rank that the same message already reaches through another feed's
    channel (see :class:`MpiTap`): nothing to send."""

    __slots__ = ()

    def append(self, arr: np.ndarray) -> None:
        pass


def _ranks(dst: ty.Any) -> str:
    if isinstance(dst, tuple):
        return f"ranks {', '.join(str(d) for d in dst)} do"
    return f"rank {dst} does"


# -- the group of ranks ------------------------------------------------------------------------
def _payload(exc: BaseException, rank: int) -> dict:
    return {
        "rank": rank,
        "message": str(exc),
        "process": getattr(exc, "process", None),
        "step": getattr(exc, "step", None),
        "phase": getattr(exc, "phase", None),
        "type": type(exc).__name__,
        "traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
    }


class MpiGroup:
    """This rank's partition and its channels to the other ranks (the MPI counterpart of ``PartitionGroup``)."""

    def __init__(self, net: CompiledNetwork) -> None:
        self.MPI = mpi()
        self.comm = world()
        self.rank = rank = self.comm.rank
        self.net = net
        where = {pid: part.index for part in net.partitions for pid in part.ids}
        self.where = where
        self.senders: list[MpiSender] = []
        self.receivers: list[MpiReceiver] = []
        self._aborted = False
        self._failed = False
        self._closed = False
        #: seconds this rank spent waiting for messages or for room to send (benchmarks read it)
        self.wait_s = 0.0
        self.profile = False  # the profiler's switch (caldera.profiler gathers every rank's recording)
        self.profiles: list[dict] = []
        # what the deadlock proof reads: this rank's state, the channels it waits on, how many waits ended
        self.state, self.awaiting, self.activity = RUNNING, ((), ()), 0
        #: per channel index: label, source rank, destination rank (a tuple of ranks for a broadcast channel)
        self.channel_info: list[tuple[str, int, ty.Any]] = []
        self._answered = 0  # probes this rank answered (ranks > 0), this run
        self._asked = [0] * self.comm.size  # probes rank 0 sent to each rank, this run
        self._heard = [0] * self.comm.size  # replies rank 0 read from each rank, this run
        self._wave: dict | None = None  # rank 0: the round of questions in progress
        self._last_wave: dict | None = None  # rank 0: the answers of the previous complete round
        self._requests: list = []  # isend requests of probes and replies, completed at the end of the run
        self.comms: list = []  # the broadcast channels' communicators this rank belongs to (freed by close)
        # One channel per OutPort and reading rank, numbered in link order (the same on every rank): a spike
        # vector read by several processes of another rank crosses once, and each reader gets a copy there.
        # An OutPort read on at least ``run_cfg.mpi_bcast_readers`` other ranks gets one broadcast channel
        # to all of them instead.
        threshold = getattr(net.run_cfg, "mpi_bcast_readers", None)
        by_port: dict[tuple[int, str], dict[int, list]] = {}
        for link in net.links:
            src, dst = where[link.src], where[link.dst]
            if src != dst:
                by_port.setdefault((link.src, link.src_port), {}).setdefault(dst, []).append(link)
        channels: list[tuple[int, dict[int, list]]] = []  # (writer rank, {reading rank: links})
        for (pid, _), readers in by_port.items():
            if threshold is not None and len(readers) >= threshold:
                channels.append((where[pid], readers))
            else:
                channels.extend((where[pid], {dst: links}) for dst, links in readers.items())
        position = {id(link): i for i, link in enumerate(net.links)}
        channels.sort(key=lambda c: min(position[id(links[0])] for links in c[1].values()))  # link order
        for index, (src, readers) in enumerate(channels):
            first = next(iter(readers.values()))[0]
            out = getattr(net.models[first.src], first.src_port)
            bcast = threshold is not None and len(readers) >= threshold
            if bcast:
                to = ", ".join(str(d) for d in sorted(readers))
                label = f"{first.label(net.models)} (broadcast to rank{'s' if len(readers) > 1 else ''} {to})"
                self.channel_info.append((label, src, tuple(sorted(readers))))
                comm = None
                if rank == src or rank in readers:  # members create it, in channel order on every rank
                    members = self.comm.group.Incl([src, *readers])  # the writer is the root, rank 0
                    comm = self.comm.Create_group(members, tag=_FIRST_CHANNEL_TAG + index)
                    members.Free()
                    comm.Set_errhandler(self.MPI.ERRORS_RETURN)
                    self.comms.append(comm)
                if rank == src:
                    sender = MpiBcastSender(self, index, comm, tuple(readers), out.shape, out.dtype, label)
                    self.senders.append(sender)
                    for k, link in enumerate(link for links in readers.values() for link in links):
                        link.replace(net.models, sender if k == 0 else _Duplicate(), link.queue)
                elif rank in readers:
                    links = readers[rank]
                    receiver = MpiBcastReceiver(self, index, comm, src, out.shape, out.dtype, label)
                    self.receivers.append(receiver)
                    for link in links:
                        reader = receiver if len(links) == 1 else MpiTap(receiver, link.label(net.models))
                        link.replace(net.models, link.queue, reader)
                continue
            ((dst, links),) = readers.items()
            label = first.label(net.models)
            if len(links) > 1:
                label += f" (and {len(links) - 1} more reader{'s' if len(links) > 2 else ''} on rank {dst})"
            self.channel_info.append((label, src, dst))
            if src == rank:
                sender = MpiSender(self, index, dst, out.shape, out.dtype, label)
                self.senders.append(sender)
                for k, link in enumerate(links):
                    link.replace(net.models, sender if k == 0 else _Duplicate(), link.queue)
            elif dst == rank:
                receiver = MpiReceiver(self, index, src, out.shape, out.dtype, label)
                self.receivers.append(receiver)
                for link in links:
                    reader = receiver if len(links) == 1 else MpiTap(receiver, link.label(net.models))
                    link.replace(net.models, link.queue, reader)
        for p in net.leaves:  # host I/O run by another rank (rank 0): its buffer here takes no data
            buffer = getattr(p, "buffer", None)
            if where[p.id] != rank and getattr(net.model_classes[p.id], "host_only", False) and buffer is not None:
                buffer.place_on_rank(where[p.id], rank)
        local = net.partitions[rank]
        self.local = local.backend.make_executor(local.plan)
        self.local.time_step = net.start_time_step

    @property
    def time_step(self) -> int:
        return self.local.time_step

    @property
    def bytes_sent(self) -> int:
        """Payload bytes this rank has handed to MPI for other ranks (a broadcast's once)."""
        return sum(s.bytes for s in self.senders)

    @property
    def mpi_calls(self) -> int:
        """Non-blocking MPI calls this rank has started for its channels (sends, receives, broadcasts, barriers)."""
        return sum(s.calls for s in self.senders) + sum(r.calls for r in self.receivers)

    # -- faults -------------------------------------------------------------------------------
    def aborted(self) -> bool:
        if not self._aborted and self.comm.Iprobe(source=self.MPI.ANY_SOURCE, tag=_ABORT_TAG):
            self._aborted = True
        return self._aborted

    # -- the deadlock proof ---------------------------------------------------------------------
    # Rank 0 asks every other rank, in rounds, for a report: state, number of waits ended so far
    # (``activity``), the channels it waits on and its channel counters. Ranks answer only while they
    # wait (or have finished), so a report describes a rank that is not running. Two consecutive complete
    # rounds with identical reports prove that at the moment the first round completed every rank was
    # waiting or finished with exactly those counters (a rank's counters change only when one of its waits
    # ends, which changes ``activity``); a deadlock is claimed only if then no awaited message was in flight
    # and no awaited room could appear. A message that has not arrived *yet* is never taken for one that
    # never comes.
    def _report(self) -> tuple:
        return (
            self.state,
            self.activity,
            self.local.time_step,
            self.awaiting,
            tuple((s.index, s.sent, s.need) for s in self.senders),
            tuple((r.index, r.matched) for r in self.receivers),
        )

    def service(self, waited_s: float) -> None:
        """Called now and then by a long wait: answer rank 0's questions; on rank 0, ask them."""
        MPI, comm = self.MPI, self.comm
        if self.rank != 0:
            while comm.Iprobe(source=0, tag=_PROBE_TAG):
                wave = comm.recv(source=0, tag=_PROBE_TAG)
                self._answered += 1
                self._requests.append(comm.isend((wave, self._report()), dest=0, tag=_REPLY_TAG))
            return
        if self._wave is None:
            if waited_s < CHECK_AFTER_S or comm.size == 1:
                return
            wave = (self._last_wave or {}).get("id", 0) + 1
            for r in range(1, comm.size):
                self._asked[r] += 1
                self._requests.append(comm.isend(wave, dest=r, tag=_PROBE_TAG))
            self._wave = {"id": wave, "reports": {}}
        status = MPI.Status()
        while comm.Iprobe(source=MPI.ANY_SOURCE, tag=_REPLY_TAG, status=status):
            src = status.Get_source()
            wave, report = comm.recv(source=src, tag=_REPLY_TAG)
            self._heard[src] += 1
            if wave == self._wave["id"]:
                self._wave["reports"][src] = report
        if len(self._wave["reports"]) < comm.size - 1:
            return
        done, self._wave = self._wave, None
        done["reports"][0] = self._report()
        last, self._last_wave = self._last_wave, done
        if last is None or last["reports"] != done["reports"]:
            return  # something moved between the rounds (or this is the first): ask again
        why = self._deadlock(done["reports"])
        if why is not None:
            step = min(rep[2] for rep in done["reports"].values() if rep[0] == WAITING)
            raise RunError(
                f"deadlock at step {step}: every rank waits and no message is in flight: {why} (a model "
                "receives more messages than its sources send, or a loop without a send-first process "
                "crosses ranks)",
                step=step,
                phase="spk",
            )

    def _deadlock(self, reports: dict[int, tuple]) -> str | None:
        """A description of the deadlock the reports prove, or None."""
        states = [reports[r][0] for r in range(self.comm.size)]
        if RUNNING in states or WAITING not in states:
            return None
        sent = {i: n for rep in reports.values() for i, n, _ in rep[4]}
        need = {i: k for rep in reports.values() for i, _, k in rep[4]}
        taken: dict[int, dict[int, int]] = {}  # channel -> reading rank -> messages it has taken
        for r, rep in reports.items():
            for i, n in rep[5]:
                taken.setdefault(i, {})[r] = n
        for r, rep in reports.items():
            if rep[0] != WAITING:
                continue
            recv, send = rep[3]
            if any(sent.get(i, 0) > taken.get(i, {}).get(r, 0) for i in recv):
                return None  # a message is on its way
            if any(all(n >= need.get(i, 0) for n in taken.get(i, {}).values()) for i in send):
                return None  # the readers have taken what the writer waits for: the room is on its way
        parts = []
        for r in range(self.comm.size):
            state, _, step, (recv, send), _, _ = reports[r]
            if state == FINISHED:
                parts.append(f"rank {r} has finished its run (step {step})")
                continue
            info = self.channel_info
            on = [f"a message on {info[i][0]} (from rank {info[i][1]})" for i in recv]
            on += [f"room on {info[i][0]} ({_ranks(info[i][2])} not receive)" for i in send]
            parts.append(f"rank {r} waits at step {step} for {' or '.join(on) or 'a message'}")
        return "; ".join(parts)

    def _finish_run(self, mine: dict | None) -> tuple[dict | None, BaseException | None]:
        """This rank's part of the run is over: wait for every rank to get here, answering (and on rank 0
        asking) the deadlock proof's questions meanwhile. Returns this rank's failure report, if any, and
        the KeyboardInterrupt that struck meanwhile."""
        self.state, self.awaiting = FINISHED, ((), ())
        barrier = self.comm.Ibarrier()
        t0 = time.perf_counter()
        spins = 0
        interrupted: BaseException | None = None
        while True:
            try:
                while not barrier.Test():
                    spins += 1
                    if spins > _SLEEP_AFTER:
                        time.sleep(2e-4)
                        if mine is None and spins % _SERVICE_EVERY == 0:
                            self.service(time.perf_counter() - t0)
                    elif spins > 50:
                        time.sleep(0)
                break
            except BaseException as e:  # noqa: BLE001 - a proven deadlock, or Ctrl-C: every rank learns of it
                if mine is None:
                    mine = _payload(e, self.rank)
                    self._tell_others(mine)
                if isinstance(e, KeyboardInterrupt):
                    interrupted = e
        self.state = RUNNING
        return mine, interrupted

    def _settle_questions(self, answered: list[int], asked: list[int]) -> None:
        """Read the questions and answers still on their way (every rank knows how many), so none is left
        for the next run; then complete this rank's sends of them."""
        comm = self.comm
        if self.rank != 0:
            for _ in range(asked[self.rank] - self._answered):
                comm.recv(source=0, tag=_PROBE_TAG)
        else:
            for r in range(1, comm.size):
                for _ in range(answered[r] - self._heard[r]):
                    comm.recv(source=r, tag=_REPLY_TAG)
        for req in self._requests:
            req.wait()
        self._requests = []
        self._answered, self._asked, self._heard = 0, [0] * comm.size, [0] * comm.size
        self._wave = self._last_wave = None

    def _tell_others(self, payload: dict) -> None:
        self._aborted = True
        for r in range(self.comm.size):
            if r != self.rank:
                self.comm.isend(payload, dest=r, tag=_ABORT_TAG)

    # -- running (collective) -----------------------------------------------------------------
    def run_steps(self, n: int) -> None:
        if self._failed:
            raise RuntimeStateError("a rank failed earlier; build the network again")
        mine: dict | None = None
        interrupted: BaseException | None = None
        try:
            with watchdog(self.net.run_cfg.watchdog_s, lambda: self.local.time_step):
                self.local.run_steps(n)
        except PartitionAborted:
            pass
        except BaseException as e:  # noqa: BLE001 - shared with every rank below
            mine = _payload(e, self.rank)
            self._tell_others(mine)
            if isinstance(e, KeyboardInterrupt):
                interrupted = e
        mine, late = self._finish_run(mine)
        interrupted = interrupted or late
        # every rank ends the run here, so every rank learns how it went (Ctrl-C on one rank included)
        gathered = self.comm.allgather((mine, self._answered, self._asked))
        self._settle_questions([g[1] for g in gathered], gathered[0][2])
        failed = [g[0] for g in gathered if g[0] is not None]
        if not failed:
            return
        self._failed = True
        for _ in range(sum(1 for r in failed if r["rank"] != self.rank)):  # no abort notice stays in flight
            self.comm.recv(source=self.MPI.ANY_SOURCE, tag=_ABORT_TAG)
        self.close()  # every rank is here: take in what is in flight now, while it can be matched
        if interrupted is not None:
            raise _everywhere(interrupted)
        p = failed[0]
        raise _everywhere(
            RunError(f"rank {p['rank']}: {p['message']}", process=p["process"], step=p["step"], phase=p["phase"])
        )

    def gather_profiles(self, mine: dict) -> list[dict]:
        """Every rank's recording of a profiled run, on every rank (collective: caldera.profiler calls it)."""
        return self.comm.allgather(mine)

    # -- state (collective) -------------------------------------------------------------------
    def get(self, pid: int, name: str) -> ty.Any:
        owner = self.where[pid]
        value = getattr(self.net.models[pid], name) if owner == self.rank else None
        return self.comm.bcast(value, root=owner)

    def set(self, pid: int, name: str, value: ty.Any) -> None:
        value = self.comm.bcast(value, root=0)
        if self.where[pid] == self.rank:  # the other ranks hold a shell of this model (no state)
            write_model_var(self.net.models[pid], name, value)

    # -- teardown (collective) ----------------------------------------------------------------
    def close(self) -> None:
        """Take in every message still on its way, withdraw posted receives, and wait for the other ranks."""
        if self._closed:
            return
        self._closed = True
        sent = {s.index: s.sent for s in self.senders}
        totals: dict[int, int] = {}
        for part in self.comm.allgather(sent):
            totals.update(part)
        for s in self.senders:  # broadcast channels: the end frames first (a reader may be a writer too)
            if isinstance(s, MpiBcastSender):
                s.end()
        for r in self.receivers:
            r.drain(totals.get(r.index, 0))
        for s in self.senders:
            s.finish()
        self.comm.Barrier()
        for comm in self.comms:
            comm.Free()
        self.comms = []


__all__ = [
    "MpiGroup",
    "MpiSender",
    "MpiReceiver",
    "MpiBcastSender",
    "MpiBcastReceiver",
    "compile_on_every_rank",
    "prepare",
    "DEPTH",
]
