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
shared memory whether it runs, waits (and on which channels, with the channel's
counter as it was just before its last look) or has finished its run; a waiting
partition reports a deadlock only when, in one consistent snapshot, no partition
runs, at least one waits, and no awaited channel's counter moved since its waiter
looked (nothing was sent to a waiting receiver, nothing taken from a full channel
a sender waits on). A message that has not arrived *yet* is never taken for one
that never comes.
"""

from __future__ import annotations

import mmap
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
SENT, TAKEN = 0, 1  # the two counters of a ShmChannel


class WaitBoard:
    """Shared-memory record of what each partition is doing: the evidence for a deadlock claim.

    Partition ``k`` alone writes its entry (``state``, ``epoch``, the wait flags of the
    channels it receives from or sends to, and per awaited channel the counter it saw:
    messages sent, for a receiver; messages taken, for a sender), inside a sequence lock
    (``seq[k]`` is odd while it writes). The counters, not the semaphores, are the
    evidence: a waiter takes its semaphore *before* it can mark itself running, so a
    partition marked as waiting may already hold the message it waited for (and be
    descheduled for a long while on a busy machine); the counter it waited on has then
    moved, which no proof overlooks. ``epoch`` tells a partition that finished the current run from one
    that has not started it yet. A partition that runs models in threads of its own
    (AsyncProtocol) is not tracked: it always counts as running, so no deadlock is ever
    claimed while it exists (the watchdog still applies).
    """

    def __init__(self, n_partitions: int, channels: list[ShmChannel], tracked: list[bool]) -> None:
        self.n = n_partitions
        self.channels = channels
        self.tracked = list(tracked)
        # Every field lives in one anonymous shared mapping that the forked partitions inherit: no file, no
        # descriptor and nothing in multiprocessing's heap, whose arenas (one descriptor each) are never given
        # back, so that a run cannot leave the process with more open descriptors than it found.
        m = max(1, len(channels))
        fields = {"seq": n_partitions, "state": n_partitions, "epoch": n_partitions, "step": n_partitions}
        fields.update(run_epoch=1, recv_wait=m, send_wait=m, recv_seen=m, send_seen=m)
        self._map = mmap.mmap(-1, 8 * sum(fields.values()))
        offset = 0
        for name, size in fields.items():
            setattr(self, name, np.ndarray((size,), dtype=np.int64, buffer=self._map, offset=offset))
            offset += 8 * size
        # seq: partition k's sequence lock; state, epoch: what it does, in which run; step: the last step it
        # completed (the executors write it); recv_seen/send_seen: per channel, the counter its waiter saw
        # before its last look (``sent`` for a receiver, ``taken`` for a sender)
        self.state[:] = [FINISHED if t else RUNNING for t in self.tracked]
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
        self.run_epoch[0] += 1
        return int(self.run_epoch[0])

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

    def wait_on(
        self,
        k: int,
        recv: ty.Sequence[int] = (),
        send: ty.Sequence[int] = (),
        flag: int = 1,
        seen: ty.Sequence[int] = (),
    ) -> None:
        """Partition k starts (``flag=1``) or ends (``flag=0``) waiting on these channels.

        ``seen``: for each channel of ``recv`` then ``send``, its counter (``sent``, resp. ``taken``) read
        before the waiter's last look at it found nothing (no message, resp. no room).
        """
        if not self.tracked[k]:
            return
        self._open(k)
        for j, i in enumerate(recv):
            self.recv_wait[i] = flag
            if flag:
                self.recv_seen[i] = seen[j]
        for j, i in enumerate(send):
            self.send_wait[i] = flag
            if flag:
                self.send_seen[i] = seen[len(recv) + j]
        self.state[k] = WAITING if flag else RUNNING
        self._close(k)

    # -- the proof ----------------------------------------------------------------------------
    def deadlock(self) -> str | None:
        """A description of the deadlock if one is proven now, else None.

        Proven means: between two reads of every sequence number that agree (so no
        partition changed its entry meanwhile), every tracked partition waited or had
        finished the current run, at least one waited, and no awaited channel's counter
        moved since its waiter last looked: nothing was sent on a channel a receiver waits
        on, nothing taken from a channel a sender waits on. Only a running partition sends
        or takes outside a wait, and a waiter's own take is counted, so every message that
        could end a wait shows, however late the waiter gets to mark itself running.
        """
        seq = self.seq.tolist()
        if any(s & 1 for s in seq):
            return None
        cur = int(self.run_epoch[0])
        states, epochs, steps = self.state.tolist(), self.epoch.tolist(), self.step.tolist()
        if any(s == RUNNING for s in states) or WAITING not in states:
            return None
        if any(s == FINISHED and e != cur for s, e in zip(states, epochs)):
            return None  # has not begun this run yet
        rw, sw = self.recv_wait.tolist(), self.send_wait.tolist()
        rs, ss = self.recv_seen.tolist(), self.send_seen.tolist()
        for i, ch in enumerate(self.channels):
            if rw[i] and ch.counts[SENT] != rs[i]:
                return None  # a message was sent after its receiver last looked
            if sw[i] and ch.counts[TAKEN] != ss[i]:
                return None  # room was made after its sender last looked
        if self.seq.tolist() != seq:
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
            step = int(min(self.step[k] for k in range(self.n) if self.state[k] == WAITING)) + 1
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
        ring = -(-self.nbytes * self.depth // 8) * 8  # the counters after the ring, 8-byte aligned
        self._shm = shared_memory.SharedMemory(create=True, size=ring + 16)
        #: messages sent and taken so far (each written by one end only): the deadlock proof's evidence
        self.counts = np.ndarray((2,), dtype=np.int64, buffer=self._shm.buf, offset=ring)
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
        seen = int(self.counts[TAKEN if sending else SENT])
        if sem.acquire(block=False):  # a last look after reading the counter: what the proof relies on
            return
        published = False
        try:
            while True:
                try:
                    if board is not None and not published:
                        board.wait_on(k, *mine, seen=(seen,))
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
        self.counts = self.counts.copy()  # let go of the shared block
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
        ch.counts[SENT] += 1  # before the message can be taken: see WaitBoard.deadlock
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
        ch.counts[TAKEN] += 1  # before the room can be used: see WaitBoard.deadlock
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
    own = getattr(type(queues[0]), "wait_any", None)  # endpoints of another transport (MPI) wait their own way
    if own is not None and all(type(q) is type(queues[0]) for q in queues):
        own(queues)
        return
    recvs = [q for q in queues if isinstance(q, ChannelReceiver)]
    boards = {id(r.channel.board) for r in recvs}
    board = recvs[0].channel.board if recvs else None
    if len(recvs) == len(queues) and len(boards) == 1 and board is not None:
        k = recvs[0].channel.dst
        idx = [r.channel.index for r in recvs]
        bell = board.doorbells[k]
        abort = recvs[0].channel.abort
        seen = [int(r.channel.counts[SENT]) for r in recvs]
        if any(recvs):  # a last look after reading the counters: what the proof relies on
            return
        published = False
        try:
            while True:
                try:
                    if not published:
                        board.wait_on(k, recv=idx, seen=seen)
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
