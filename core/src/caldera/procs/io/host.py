"""``Injector`` and ``Extractor``: the user's own thread pushes arrays into, and pulls arrays out of,
a running network (Lava's Injector/Extractor idea; what the ROS bridge stands on).

Each holds a bounded, thread-safe buffer. Policies say what happens at its limits:

* ``Injector(when_full=...)`` when the user sends into a full buffer:
  ``"block"`` (wait for room), ``"drop_oldest"`` (discard the oldest queued
  array), ``"drop_newest"`` (discard the array being sent);
  ``Injector(when_empty=...)`` when the network needs data and none is queued:
  ``"block"`` (the network waits), ``"zeros"`` (send zeros), ``"repeat"``
  (send the last array again; zeros before the first).
* ``Extractor(when_full=...)`` when the network delivers into a full buffer:
  ``"block"`` (the network waits for the user), ``"drop_oldest"``,
  ``"drop_newest"``; ``Extractor.receive(block=True, timeout=None)`` waits for
  data, or with ``block=False`` raises ``queue.Empty`` at once.

Both always run in the user's OS process (partition 0); over MPI
(``RunConfig(transport="mpi")``) on rank 0, whose script feeds and reads them. Every rank runs the
same script, so on the other ranks ``send()`` is accepted and ignored (rank 0's data is what the
network gets, as ``Var.set`` takes rank 0's value) and ``receive()``/``available()`` raise a
``RuntimeStateError`` naming the rank that has the data. ``pause()`` and
``stop()`` release a network blocked on an empty Injector or a full
Extractor: until the run ends (at the next step with one partition, at the
end of the current chunk of steps with several), those steps complete as if
the policy were "zeros"/"drop_newest".
"""

from __future__ import annotations

import collections
import queue
import threading
import typing as ty

import numpy as np

from caldera.errors import ParameterError, RuntimeStateError
from caldera.ports import InPort, OutPort
from caldera.process import Process
from caldera.procs._validate import integer, shape_of

FULL_POLICIES = ("block", "drop_oldest", "drop_newest")
EMPTY_POLICIES = ("block", "zeros", "repeat")


class HostBuffer:
    """A bounded FIFO shared by a user thread and the network thread."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._q: collections.deque = collections.deque()
        self._cv = threading.Condition()
        self._interrupts = 0
        self._released = False
        self.dropped = 0
        #: over MPI, on ranks other than the one running the process: that rank (its data is there)
        self.elsewhere: int | None = None
        self.here: int | None = None

    def place_on_rank(self, rank: int, here: int) -> None:
        """This OS process is MPI rank ``here``, which holds a shell of the buffer's process; ``rank`` runs it.
        What the script queued here before the network was built is dropped (rank 0's queue counts)."""
        with self._cv:
            self.elsewhere, self.here = rank, here
            self._q.clear()
            self._cv.notify_all()

    def __len__(self) -> int:
        return len(self._q)

    def put(self, item: np.ndarray, when_full: str, timeout: float | None = None) -> bool:
        """Queue ``item``; returns False if it was dropped (or the wait timed out)."""
        with self._cv:
            if len(self._q) >= self.size:
                if when_full == "drop_newest":
                    self.dropped += 1
                    return False
                if when_full == "drop_oldest":
                    self._q.popleft()
                    self.dropped += 1
                else:
                    gen = self._interrupts
                    ok = not self._released and self._cv.wait_for(
                        lambda: len(self._q) < self.size or self._interrupts != gen or self._released, timeout
                    )
                    if not ok or len(self._q) >= self.size:
                        self.dropped += 1
                        return False
            self._q.append(item)
            self._cv.notify_all()
            return True

    def get(self, block: bool, timeout: float | None = None) -> np.ndarray | None:
        """The oldest item; ``None`` if empty and not blocking, or the wait was interrupted/timed out."""
        with self._cv:
            if not self._q and block and not self._released:
                gen = self._interrupts
                self._cv.wait_for(lambda: bool(self._q) or self._interrupts != gen or self._released, timeout)
            if not self._q:
                return None
            item = self._q.popleft()
            self._cv.notify_all()
            return item

    def interrupt(self) -> None:
        """Wake every waiter once."""
        with self._cv:
            self._interrupts += 1
            self._cv.notify_all()

    def release(self) -> None:
        """pause()/stop(): the network must not wait on this buffer until ``resume()``."""
        with self._cv:
            self._released = True
            self._cv.notify_all()

    def resume(self) -> None:
        with self._cv:
            self._released = False


def _policy(proc: str, name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ParameterError(f"{proc}: {name} must be one of {', '.join(map(repr, allowed))}, got {value!r}")
    return value


class Injector(Process):
    """Sends, each step, the oldest array the user queued with ``send()`` through ``out_port``."""

    host_only = True

    def __init__(
        self,
        *,
        shape: ty.Any,
        buffer_size: int = 16,
        when_full: str = "block",
        when_empty: str = "zeros",
        name: str | None = None,
        log_config: ty.Any = None,
    ) -> None:
        shape = shape_of("Injector", shape)
        buffer_size = integer("Injector", "buffer_size", buffer_size, lo=1)
        _policy("Injector", "when_full", when_full, FULL_POLICIES)
        _policy("Injector", "when_empty", when_empty, EMPTY_POLICIES)
        super().__init__(shape=shape, buffer_size=buffer_size, when_full=when_full, when_empty=when_empty, name=name)
        self.out_port = OutPort(shape=shape)
        object.__setattr__(self, "buffer", HostBuffer(buffer_size))

    def send(self, data: ty.Any, timeout: float | None = None) -> bool:
        """Queue one array of the Injector's shape; False if the policy dropped it."""
        arr = np.asarray(data)
        if arr.shape != self.out_port.shape:
            raise ParameterError(f"{self.name}.send: expected shape {self.out_port.shape}, got {arr.shape}")
        if arr.dtype.kind not in "biuf":
            raise ParameterError(f"{self.name}.send: expected numbers, got dtype {arr.dtype}")
        if self.buffer.elsewhere is not None:  # an MPI rank that does not run this Injector: rank 0's data counts
            return True
        return self.buffer.put(arr.copy(), self.proc_params["when_full"], timeout)


class Extractor(Process):
    """Queues, each step, what arrives at ``in_port``; the user takes it with ``receive()``."""

    host_only = True

    def __init__(
        self,
        *,
        shape: ty.Any,
        buffer_size: int = 16,
        when_full: str = "drop_oldest",
        name: str | None = None,
        log_config: ty.Any = None,
    ) -> None:
        shape = shape_of("Extractor", shape)
        buffer_size = integer("Extractor", "buffer_size", buffer_size, lo=1)
        _policy("Extractor", "when_full", when_full, FULL_POLICIES)
        super().__init__(shape=shape, buffer_size=buffer_size, when_full=when_full, name=name)
        self.in_port = InPort(shape=shape)
        object.__setattr__(self, "buffer", HostBuffer(buffer_size))

    def receive(self, block: bool = True, timeout: float | None = None) -> np.ndarray:
        """The oldest array the network delivered (waits unless ``block=False``)."""
        self._here("receive")
        item = self.buffer.get(block, timeout)
        if item is None:
            raise queue.Empty(f"{self.name}: no data" + (f" within {timeout} s" if timeout is not None else ""))
        return item

    def available(self) -> int:
        self._here("available")
        return len(self.buffer)

    def _here(self, what: str) -> None:
        rank = self.buffer.elsewhere
        if rank is not None:
            raise RuntimeStateError(
                f"{self.name}.{what}(): this Extractor runs on MPI rank {rank} and its data arrives there only; "
                f"this is rank {self.buffer.here}: call it on rank {rank} (if MPI.COMM_WORLD.rank == {rank}: ...)"
            )


__all__ = ["Injector", "Extractor", "HostBuffer", "FULL_POLICIES", "EMPTY_POLICIES"]
