"""CSP channels between partitions: bounded, typed, blocking, over shared memory.

A channel carries fixed-shape, fixed-dtype arrays from one sending port to one
receiving port in another OS process (or thread). It is a ring of ``depth``
slots in a ``multiprocessing.shared_memory`` block guarded by two semaphores
(free slots, filled slots). Every blocking wait polls an *abort* event, so a
failure anywhere ends every wait within ``POLL_S`` seconds instead of hanging.

The endpoints duck-type the ``collections.deque`` the in-process executor uses
for local messages (``append``, ``popleft``, ``[0]``, truth value = "a message
is ready"), so models and ports do not know whether a peer is local or remote.

A partition that needs a message from another partition blocks on that channel, as
long as it takes: only the watchdog, the peers' liveness (the parent's supervisor
aborts when a child dies; a child stops when its parent is gone) and a *proven*
deadlock end the wait. The proof is the ``WaitBoard``: every partition publishes in
shared memory whether it runs, waits (and on which channels) or has finished its
run; a waiting partition reports a deadlock only when, in one consistent snapshot,
no partition runs, at least one waits, and none of the awaited channels holds a
message (or, for a blocked sender, room). A message that has not arrived *yet* is
never taken for one that never comes.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
import typing as ty
from multiprocessing import shared_memory

import numpy as np

from caldera.errors import PartitionAborted, RunError
from caldera.watchdog import WatchdogTimeout

POLL_S = 0.05
_CTX = mp.get_context("fork")
#: set in a child partition: the pid of the parent it must not outlive
_PARENT_PID: int | None = None


def set_parent(pid: int | None) -> None:
    """Called in a child partition: its waits end (``PartitionAborted``) if process ``pid`` goes away."""
    global _PARENT_PID
    _PARENT_PID = pid


RUNNING, WAITING, FINISHED = 0, 1, 2


class WaitBoard:
    """Shared-memory record of what each partition is doing: the evidence for a deadlock claim.

    Partition ``k`` alone writes its entry (``state``, ``epoch``, the wait flags of the
    channels it receives from or sends to), inside a sequence lock (``seq[k]`` is odd
    while it writes). ``epoch`` tells a partition that finished the current run from one
    that has not started it yet. A partition that runs models in threads of its own
    (AsyncProtocol) is not tracked: it always counts as running, so no deadlock is ever
    claimed while it exists (the watchdog still applies).
    """

    def __init__(
        self, n_partitions: int, channels: list[ShmChannel], tracked: list[bool], steps: ty.Any = None
    ) -> None:
        self.n = n_partitions
        self.channels = channels
        self.tracked = list(tracked)
        self.seq = _CTX.RawArray("q", n_partitions)
        self.state = _CTX.RawArray("q", [FINISHED if t else RUNNING for t in self.tracked])
        self.epoch = _CTX.RawArray("q", n_partitions)
        #: the last step each partition completed (shared with the executors)
        self.step = steps if steps is not None else _CTX.RawArray("q", n_partitions)
        self.run_epoch = _CTX.RawValue("q", 0)
        self.recv_wait = _CTX.RawArray("b", max(1, len(channels)))
        self.send_wait = _CTX.RawArray("b", max(1, len(channels)))
        #: rung by a sender when the receiving partition waits on several channels at once
        self.doorbells = [_CTX.Semaphore(0) for _ in range(n_partitions)]
        for i, ch in enumerate(channels):
            ch.board, ch.index = self, i

    # -- writing (partition k only) -----------------------------------------------------------
    # Each write is idempotent, so one interrupted by an asynchronous exception (the watchdog's)
    # can simply be repeated; an odd ``seq`` left behind only makes deadlock claims impossible.
    def _open(self, k: int) -> None:
        s = self.seq[k]
        if not s & 1:
            self.seq[k] = s + 1

    def _close(self, k: int) -> None:
        self.seq[k] = (self.seq[k] | 1) + 1

    def new_epoch(self) -> int:
        """The parent starts a run: partitions that have not begun it do not count as finished."""
        self.run_epoch.value += 1
        return self.run_epoch.value

    def begin(self, k: int, epoch: int) -> None:
        if not self.tracked[k]:
            return
        self._open(k)
        self.epoch[k] = epoch
        self.state[k] = RUNNING
        self._close(k)

    def finish(self, k: int) -> None:
        if not self.tracked[k]:
            return
        self._open(k)
        self.state[k] = FINISHED
        self._close(k)

    def wait_on(self, k: int, recv: ty.Sequence[int] = (), send: ty.Sequence[int] = (), flag: int = 1) -> None:
        """Partition k starts (``flag=1``) or ends (``flag=0``) waiting on these channels."""
        if not self.tracked[k]:
            return
        self._open(k)
        for i in recv:
            self.recv_wait[i] = flag
        for i in send:
            self.send_wait[i] = flag
        self.state[k] = WAITING if flag else RUNNING
        self._close(k)

    # -- the proof ----------------------------------------------------------------------------
    def deadlock(self) -> str | None:
        """A description of the deadlock if one is proven now, else None.

        Proven means: between two reads of every sequence number that agree (so no
        partition changed its entry meanwhile, and the channels, which only running
        partitions change, stood still), every tracked partition waited or had finished
        the current run, at least one waited, and no channel a partition waits on held
        a message (receivers) or room (senders).
        """
        seq = self.seq[:]
        if any(s & 1 for s in seq):
            return None
        cur = self.run_epoch.value
        states, epochs, steps = self.state[:], self.epoch[:], self.step[:]
        if any(s == RUNNING for s in states) or WAITING not in states:
            return None
        if any(s == FINISHED and e != cur for s, e in zip(states, epochs)):
            return None  # has not begun this run yet
        rw, sw = self.recv_wait[:], self.send_wait[:]
        try:
            for i, ch in enumerate(self.channels):
                if rw[i] and ch.filled.get_value() > 0:
                    return None
                if sw[i] and ch.free.get_value() > 0:
                    return None
        except NotImplementedError:  # no sem_getvalue (macOS): nothing can be proven
            return None
        if self.seq[:] != seq:
            return None
        parts = []
        for k in range(self.n):
            if states[k] == FINISHED:
                parts.append(f"partition {k} has finished its run (step {steps[k]})")
                continue
            on = [f"a message on {ch.name}" for i, ch in enumerate(self.channels) if rw[i] and ch.dst == k]
            on += [f"room on {ch.name} (full)" for i, ch in enumerate(self.channels) if sw[i] and ch.src == k]
            parts.append(f"partition {k} waits at step {steps[k] + 1} for {' and '.join(on) or 'a message'}")
        return "; ".join(parts)

    def check(self, abort: ty.Any) -> None:
        """Called by a waiting partition now and then: raise if the wait can never end."""
        if abort.is_set():
            raise PartitionAborted("the run was aborted")
        if _PARENT_PID is not None and os.getppid() != _PARENT_PID:
            abort.set()
            raise PartitionAborted("the parent process is gone")
        why = self.deadlock()
        if why is not None:
            abort.set()
            step = min(self.step[k] for k in range(self.n) if self.state[k] == WAITING) + 1
            raise RunError(
                f"deadlock at step {step}: every partition waits and no message is in flight: "
                f"{why} (a model receives more messages than its sources send, or a loop "
                "without a send-first process crosses partitions)",
                step=step,
                phase="spk",
            )


def _check_alone(abort: ty.Any) -> None:
    """``WaitBoard.check`` for a channel that belongs to no board."""
    if abort.is_set():
        raise PartitionAborted("the run was aborted")
    if _PARENT_PID is not None and os.getppid() != _PARENT_PID:
        abort.set()
        raise PartitionAborted("the parent process is gone")


class ShmChannel:
    """The shared part of a channel: created by the parent before partitions are forked."""

    def __init__(
        self,
        shape: tuple[int, ...],
        dtype: ty.Any,
        abort: ty.Any,
        depth: int = 8,
        name: str = "",
        src: int = 0,
        dst: int = 0,
    ) -> None:
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.depth = int(depth)
        self.name = name
        self.nbytes = int(np.prod(self.shape, dtype=np.int64)) * self.dtype.itemsize
        self._shm = shared_memory.SharedMemory(create=True, size=max(1, self.nbytes * self.depth))
        self.free = _CTX.Semaphore(self.depth)
        self.filled = _CTX.Semaphore(0)
        self.abort = abort
        #: partitions at the two ends, and the board that records waits (set by ``WaitBoard``)
        self.src, self.dst = src, dst
        self.board: WaitBoard | None = None
        self.index = 0
        self._closed = False

    @property
    def buf(self) -> memoryview:
        return self._shm.buf

    def slot(self, i: int) -> np.ndarray:
        return np.ndarray(self.shape, dtype=self.dtype, buffer=self._shm.buf, offset=i * self.nbytes)

    def acquire(self, sem: ty.Any, sending: bool = False) -> None:
        """Take ``sem`` (``free`` to send, ``filled`` to receive), waiting as long as the peer needs.

        The wait ends early only when the run is aborted, the parent is gone, or the
        board proves a deadlock. The watchdog's timeout is ignored here: this partition
        only waits; the stuck partition's own watchdog (or the parent's supervisor)
        names the culprit and aborts the run.
        """
        if sem.acquire(block=False):
            return
        board = self.board
        k = self.src if sending else self.dst
        mine = ((), (self.index,)) if sending else ((self.index,), ())
        published = False
        try:
            while True:
                try:
                    if board is not None and not published:
                        board.wait_on(k, *mine)
                        published = True
                    while not sem.acquire(timeout=POLL_S):
                        if board is not None:
                            board.check(self.abort)
                        else:
                            _check_alone(self.abort)
                    return
                except WatchdogTimeout:
                    continue
        finally:
            if published:
                _retry(lambda: board.wait_on(k, *mine, flag=0))

    def close(self, unlink: bool) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._shm.close()
        except Exception:  # noqa: BLE001 - views may still exist; unlinking still frees the segment
            pass
        if unlink:
            try:
                self._shm.unlink()
            except FileNotFoundError:
                pass

    @property
    def shm_name(self) -> str:
        return self._shm.name


class ChannelSender:
    """Sending endpoint; used in place of a deque in a ``PyOutPort``'s queue list."""

    def __init__(self, channel: ShmChannel) -> None:
        self.channel = channel
        self._i = 0
        self._slots = [channel.slot(k) for k in range(channel.depth)]

    def append(self, arr: np.ndarray) -> None:
        ch = self.channel
        ch.acquire(ch.free, True)  # positional: the profiler wraps acquire(*args)
        self._slots[self._i][...] = arr
        self._i = (self._i + 1) % ch.depth
        ch.filled.release()
        board = ch.board
        if board is not None and board.recv_wait[ch.index]:
            board.doorbells[ch.dst].release()


class ChannelReceiver:
    """Receiving endpoint; used in place of a deque in a ``PyInPort``'s queue list."""

    remote = True

    def __init__(self, channel: ShmChannel) -> None:
        self.channel = channel
        self._i = 0
        self._slots = [channel.slot(k) for k in range(channel.depth)]
        self._pending: np.ndarray | None = None

    def _take(self) -> None:
        ch = self.channel
        self._pending = self._slots[self._i].copy()
        self._i = (self._i + 1) % ch.depth
        ch.free.release()

    def __bool__(self) -> bool:
        if self._pending is not None:
            return True
        if self.channel.filled.acquire(block=False):
            self._take()
            return True
        return False

    def __len__(self) -> int:
        return 1 if self else 0

    def wait(self) -> None:
        """Block until a message is ready (or the run is aborted)."""
        if self._pending is None:
            self.channel.acquire(self.channel.filled)
            self._take()

    def popleft(self) -> np.ndarray:
        self.wait()
        out, self._pending = self._pending, None
        return out

    def __getitem__(self, i: int) -> np.ndarray:
        if i != 0:
            raise IndexError(i)
        self.wait()
        return self._pending  # type: ignore[return-value]


def new_abort_event() -> ty.Any:
    return _CTX.Event()


def _retry(f: ty.Callable[[], None]) -> None:
    """Run an idempotent bookkeeping step to its end even if the watchdog interrupts it."""
    while True:
        try:
            f()
            return
        except WatchdogTimeout:
            continue


def wait_any(queues: list) -> None:
    """Block until at least one of several remote endpoints holds a message.

    Used by a partition whose models wait on messages from other partitions on more than
    one channel: any of them may be the one that lets it go on. Channels of one board
    wake the waiter through its partition's doorbell; other endpoints are polled.
    """
    if len(queues) == 1:
        queues[0].wait()
        return
    recvs = [q for q in queues if isinstance(q, ChannelReceiver)]
    boards = {id(r.channel.board) for r in recvs}
    board = recvs[0].channel.board if recvs else None
    if len(recvs) == len(queues) and len(boards) == 1 and board is not None:
        k = recvs[0].channel.dst
        idx = [r.channel.index for r in recvs]
        bell = board.doorbells[k]
        abort = recvs[0].channel.abort
        published = False
        try:
            while True:
                try:
                    if not published:
                        board.wait_on(k, recv=idx)
                        published = True
                    while not any(recvs):  # flags first, then look: a sender that missed the flag rang
                        if not bell.acquire(timeout=POLL_S):
                            board.check(abort)
                    return
                except WatchdogTimeout:
                    continue
        finally:
            if published:
                _retry(lambda: board.wait_on(k, recv=idx, flag=0))
            while bell.acquire(block=False):  # rings meant for this wait
                pass
        return
    aborts = [getattr(getattr(q, "channel", q), "abort", None) for q in queues]
    while True:
        try:
            while not any(queues):
                for a in aborts:
                    if a is not None:
                        _check_alone(a)
                time.sleep(0.0005)
            return
        except WatchdogTimeout:
            continue


class ThreadChannel:
    """A bounded, blocking FIFO between two threads of one OS process (async models <-> the step loop).

    Both ends are this object: it duck-types a deque for the sender (``append``)
    and the receiver (``popleft``, ``[0]``, truth value, ``wait``).
    """

    remote = True

    def __init__(self, abort: ty.Any, depth: int = 64, name: str = "") -> None:
        import collections
        import threading

        self._q: collections.deque = collections.deque()
        self._cv = threading.Condition()
        self.depth = depth
        self.abort = abort
        self.name = name

    def _block(self, ready: ty.Callable[[], bool]) -> None:
        while not ready():
            if self.abort.is_set():
                raise PartitionAborted(f"channel {self.name}: the run was aborted")
            try:
                self._cv.wait(POLL_S)
            except WatchdogTimeout:
                continue

    def append(self, arr: np.ndarray) -> None:
        with self._cv:
            self._block(lambda: len(self._q) < self.depth)
            self._q.append(arr)
            self._cv.notify_all()

    def __bool__(self) -> bool:
        return bool(self._q)

    def __len__(self) -> int:
        return len(self._q)

    def wait(self) -> None:
        with self._cv:
            self._block(lambda: bool(self._q))

    def popleft(self) -> np.ndarray:
        with self._cv:
            self._block(lambda: bool(self._q))
            item = self._q.popleft()
            self._cv.notify_all()
            return item

    def __getitem__(self, i: int) -> np.ndarray:
        if i != 0:
            raise IndexError(i)
        self.wait()
        return self._q[0]


__all__ = [
    "ShmChannel",
    "ChannelSender",
    "ChannelReceiver",
    "ThreadChannel",
    "WaitBoard",
    "wait_any",
    "set_parent",
    "PartitionAborted",
    "new_abort_event",
    "POLL_S",
]
