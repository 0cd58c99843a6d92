"""CSP channels between partitions: bounded, typed, blocking, over shared memory.

A channel carries fixed-shape, fixed-dtype arrays from one sending port to one
receiving port in another OS process (or thread). It is a ring of ``depth``
slots in a ``multiprocessing.shared_memory`` block guarded by two semaphores
(free slots, filled slots). Every blocking wait polls an *abort* event, so a
failure anywhere ends every wait within ``POLL_S`` seconds instead of hanging.

The endpoints duck-type the ``collections.deque`` the in-process executor uses
for local messages (``append``, ``popleft``, ``[0]``, truth value = "a message
is ready"), so models and ports do not know whether a peer is local or remote.
"""

from __future__ import annotations

import multiprocessing as mp
import typing as ty
from multiprocessing import shared_memory

import numpy as np

from caldera.errors import PartitionAborted  # noqa: F401 - re-exported: it used to live here
from caldera.watchdog import WatchdogTimeout

POLL_S = 0.05
_CTX = mp.get_context("fork")


class ShmChannel:
    """The shared part of a channel: created by the parent before partitions are forked."""

    def __init__(self, shape: tuple[int, ...], dtype: ty.Any, abort: ty.Any, depth: int = 8, name: str = "") -> None:
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.depth = int(depth)
        self.name = name
        self.nbytes = int(np.prod(self.shape, dtype=np.int64)) * self.dtype.itemsize
        self._shm = shared_memory.SharedMemory(create=True, size=max(1, self.nbytes * self.depth))
        self.free = _CTX.Semaphore(self.depth)
        self.filled = _CTX.Semaphore(0)
        self.abort = abort
        self._closed = False

    @property
    def buf(self) -> memoryview:
        return self._shm.buf

    def slot(self, i: int) -> np.ndarray:
        return np.ndarray(self.shape, dtype=self.dtype, buffer=self._shm.buf, offset=i * self.nbytes)

    def acquire(self, sem: ty.Any) -> None:
        if sem.acquire(block=False):
            return
        while True:
            try:
                while not sem.acquire(timeout=POLL_S):
                    if self.abort.is_set():
                        raise PartitionAborted(f"channel {self.name}: the run was aborted")
                return
            except WatchdogTimeout:
                # This partition only waits for another one; the stuck partition's own watchdog
                # (or the parent's supervisor) reports the culprit and aborts the run.
                continue

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
        ch.acquire(ch.free)
        self._slots[self._i][...] = arr
        self._i = (self._i + 1) % ch.depth
        ch.filled.release()


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
    "PartitionAborted",
    "new_abort_event",
    "POLL_S",
]
