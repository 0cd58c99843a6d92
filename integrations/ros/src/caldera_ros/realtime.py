"""Opt-in real-time scheduling of a node: ``Node(..., realtime=True)``, spec key ``realtime``, ``--realtime``.

What robot control nodes are given (``chrt -f``, ``mlockall``, ``taskset``), applied by the node itself in
``start()``:

* ``SCHED_FIFO`` at ``priority`` (1-99) for the thread that calls ``start()``, and through it for every thread
  started after it: the network's thread (``RunContinuous``), rospy's receiving and serving threads, the
  node's status thread. A message's whole path (socket -> rospy's receiving thread -> the network's thread
  -> publish) then runs ahead of the machine's ordinary processes: a wake-up is no longer delayed by them.
  A paced clock is required (``wall`` or ``topic``): a free-running network would keep its CPU busy at a
  real-time priority.
* ``lock_memory`` (default on): ``mlockall(MCL_CURRENT | MCL_FUTURE)``, no page faults to disk on the path.
  Only where locking cannot later make an allocation fail: with ``CAP_IPC_LOCK`` (root) or an unlimited
  ``RLIMIT_MEMLOCK``.
* ``cpus``: the same threads run only on these CPUs (``sched_setaffinity``), e.g. one kept free of other
  work (``isolcpus``).

Not permitted (no root, no ``CAP_SYS_NICE``, no ``rtprio`` limit), or not on Linux: ONE warning through the
node's log says what was not applied and why, and the node runs with normal scheduling (``Node.status()``'s
``realtime`` says what is in effect). ``stop()`` gives the calling thread its scheduling, CPUs and memory
back. The child processes of a partitioned network were forked in ``build()`` and keep normal scheduling.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import dataclasses
import os
import sys
import threading
import typing as ty

from caldera_ros.bindings import SpecError

#: Linux's mlockall flags (generic architectures: x86, arm, riscv)
MCL_CURRENT, MCL_FUTURE = 1, 2
CAP_IPC_LOCK = 14
_KEYS = ("priority", "cpus", "lock_memory")


@dataclasses.dataclass(frozen=True)
class RealTime:
    """Real-time settings of a node (see the module doc); ``RealTime.parse`` takes the user-facing forms."""

    priority: int = 10
    cpus: tuple[int, ...] | None = None
    lock_memory: bool = True

    def __post_init__(self) -> None:
        p = self.priority
        if isinstance(p, bool) or not isinstance(p, int) or not 1 <= p <= 99:
            raise SpecError(f"realtime: priority must be an integer from 1 to 99 (SCHED_FIFO), got {p!r}")
        if not isinstance(self.lock_memory, bool):
            raise SpecError(f"realtime: lock_memory must be true or false, got {self.lock_memory!r}")
        if self.cpus is not None:
            cpus = self.cpus
            if isinstance(cpus, (str, bytes)) or not isinstance(cpus, ty.Iterable):
                raise SpecError(f"realtime: cpus must be a list of CPU numbers, got {cpus!r}")
            cpus = tuple(cpus)
            bad = [c for c in cpus if isinstance(c, bool) or not isinstance(c, int) or c < 0]
            if not cpus or bad:
                raise SpecError(f"realtime: cpus must be a non-empty list of CPU numbers >= 0, got {list(cpus)!r}")
            if hasattr(os, "sched_getaffinity"):
                allowed = os.sched_getaffinity(0)
                missing = sorted(set(cpus) - allowed)
                if missing:
                    raise SpecError(
                        f"realtime: cpus {missing} are not available to this process; it may use {sorted(allowed)}"
                    )
            object.__setattr__(self, "cpus", tuple(sorted(set(cpus))))

    @classmethod
    def parse(cls, value: ty.Any) -> RealTime | None:
        """``None``/``False``: off; ``True``: priority 10; an int: that priority; a mapping with ``priority``,
        ``cpus``, ``lock_memory``; or a ``RealTime``."""
        if value is None or value is False:
            return None
        if isinstance(value, RealTime):
            return value
        if value is True:
            return cls()
        if isinstance(value, int):
            return cls(priority=value)
        if isinstance(value, dict):
            unknown = sorted(set(value) - set(_KEYS))
            if unknown:
                raise SpecError(f"realtime: unknown key(s) {unknown}; allowed: {', '.join(_KEYS)}")
            return cls(**value)
        raise SpecError(
            "realtime must be true/false, a SCHED_FIFO priority (1-99) or a mapping with "
            f"{', '.join(_KEYS)}; got {value!r}"
        )

    def describe(self) -> str:
        """What was asked for, in words."""
        cpus = f", cpus {list(self.cpus)}" if self.cpus else ""
        return f"SCHED_FIFO {self.priority}{cpus}{', memory locked' if self.lock_memory else ''}"


def _libc() -> ty.Any:
    return ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)


def _can_lock_all() -> str | None:
    """None when mlockall(MCL_FUTURE) cannot make a later allocation fail, else why not."""
    try:
        with open("/proc/self/status") as f:
            caps = next((line.split()[1] for line in f if line.startswith("CapEff:")), "0")
        if int(caps, 16) >> CAP_IPC_LOCK & 1:
            return None
    except (OSError, ValueError):
        pass
    import resource

    soft, _ = resource.getrlimit(resource.RLIMIT_MEMLOCK)
    if soft == resource.RLIM_INFINITY:
        return None
    return f"RLIMIT_MEMLOCK is {soft} bytes and CAP_IPC_LOCK is missing (a locked process could fail to allocate)"


class Applied:
    """What ``apply_realtime`` changed on the calling thread, to be given back by ``restore``."""

    def __init__(self) -> None:
        self.scheduler: tuple[int, int] | None = None
        self.affinity: set[int] | None = None
        self.locked = False
        self.fifo = False
        self.problems: list[str] = []
        self.tid = threading.get_native_id()  # the thread given the settings (restored by its id)

    def describe(self, rt: RealTime) -> str:
        parts = [f"SCHED_FIFO {rt.priority}" if self.fifo else "normal scheduling"]
        if self.affinity is not None:
            parts.append(f"cpus {list(rt.cpus or ())}")
        if self.locked:
            parts.append("memory locked")
        return ", ".join(parts)

    def restore(self) -> None:
        """Give the thread back the scheduling and CPUs it had, and unlock the memory (from any thread)."""
        if self.scheduler is not None:
            policy, prio = self.scheduler
            try:
                os.sched_setscheduler(self.tid, policy, os.sched_param(prio))
            except OSError:
                pass
        if self.affinity is not None:
            try:
                os.sched_setaffinity(self.tid, self.affinity)
            except OSError:
                pass
        if self.locked:
            _libc().munlockall()
        self.scheduler = self.affinity = None
        self.locked = self.fifo = False


def apply_realtime(rt: RealTime) -> Applied:
    """Give the calling thread (and every thread it starts from now on) ``rt``'s settings, as far as permitted.

    What could not be applied is in ``problems`` (the caller logs them as one warning); nothing raises.
    """
    done = Applied()
    if not sys.platform.startswith("linux") or not hasattr(os, "sched_setscheduler"):
        done.problems.append(f"real-time scheduling is implemented for Linux only (this is {sys.platform})")
        return done
    try:
        before = (os.sched_getscheduler(0), os.sched_getparam(0).sched_priority)
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(rt.priority))
        done.scheduler, done.fifo = before, True
    except OSError as e:
        done.problems.append(
            f"SCHED_FIFO priority {rt.priority} refused ({e.strerror or e}; needs root, CAP_SYS_NICE or an "
            "rtprio limit in /etc/security/limits.conf)"
        )
    if rt.cpus is not None:
        try:
            before_cpus = os.sched_getaffinity(0)
            os.sched_setaffinity(0, rt.cpus)
            done.affinity = before_cpus
        except OSError as e:
            done.problems.append(f"CPU affinity {list(rt.cpus)} refused ({e.strerror or e})")
    if rt.lock_memory:
        why = _can_lock_all()
        if why is None:
            libc = _libc()
            if libc.mlockall(MCL_CURRENT | MCL_FUTURE) == 0:
                done.locked = True
            else:
                why = f"mlockall failed ({os.strerror(ctypes.get_errno())})"
        if why is not None:
            done.problems.append(f"memory not locked: {why}")
    return done


__all__ = ["RealTime", "Applied", "apply_realtime"]
