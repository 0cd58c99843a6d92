"""The node's step clock, as a process in the network (no event loop of its own).

``Pacer`` is a host-bound process that the node attaches to one of its own ports; its model waits, at the end of
every step (after every other model's management phase), until ``StepClock`` lets that step end:

* ``"free"``: at once (as fast as the network runs);
* ``"wall"``: ``dt`` seconds of wall-clock time per step, against absolute deadlines (no drift); a network
  more than ``max_lag`` seconds behind is re-anchored instead of racing to catch up (counted in ``late``).
  With ``early`` set (a callable: how many input arrays are waiting?), a step with ``k`` arrays waiting
  ends its wait once it is less than ``k`` steps ahead of the wall clock (``kick()`` wakes it when input
  arrives): one array waiting ends the wait of a step whose own interval has begun, so the next step takes
  it in at once instead of at the step's deadline; a burst of arrays (a sender that stalled and caught
  up) is worked off ahead of the wall clock instead of staying queued behind it. The network runs at most
  as many steps ahead as arrays wait, and the step rate stays ``1/dt`` on average (the deadlines do not
  move);
* ``"topic"``: ``dt`` seconds of the time published on a clock topic (``/clock`` in simulation) per step; the
  network waits for the clock.

``pause()``/``stop()`` release a waiting step (the runtime interrupts host-bound models). The ``Pacer``
calls its ``hooks`` in the network's thread at the end of every step, before the wait (the node publishes
there: no thread hand-over between a step and its messages).
"""

from __future__ import annotations

import threading
import time
import typing as ty

from caldera.errors import ParameterError
from caldera.ports import InPort
from caldera.process import Process

CLOCKS = ("free", "wall", "topic")


class StepClock:
    def __init__(
        self, mode: str, dt: float | None, max_lag: float = 0.1, early: ty.Callable[[], int] | None = None
    ) -> None:
        if mode not in CLOCKS:
            raise ParameterError(f"clock must be one of {', '.join(CLOCKS)}, got {mode!r}")
        if mode != "free" and not (isinstance(dt, (int, float)) and dt > 0):
            raise ParameterError(f"a {mode!r} clock needs rate_hz > 0 (got step {dt!r} s)")
        self.mode, self.dt, self.max_lag = mode, dt, max_lag
        self.early = early if mode == "wall" else None
        self.early_steps = 0
        self._cv = threading.Condition()
        self._released = False
        self._anchor: tuple[int, float] | None = None
        self._sim: float | None = None
        self.late = 0

    def now(self) -> float | None:
        """The clock's time: monotonic wall time, or the last clock-topic time (None before the first)."""
        return time.monotonic() if self.mode != "topic" else self._sim

    def set_time(self, t: float) -> None:
        """A clock-topic message: the simulation time is now ``t`` seconds."""
        with self._cv:
            if self._sim is not None and t < self._sim:  # the simulation was reset: start over
                self._anchor = None
            self._sim = t
            self._cv.notify_all()

    def kick(self) -> None:
        """Input arrived (a wall clock with ``early``: a waiting step may end now)."""
        if self.early is not None:
            with self._cv:
                self._cv.notify_all()

    def wait(self, step: int) -> None:
        """Block until ``step`` may end."""
        if self.mode == "free":
            return
        with self._cv:
            if self.mode == "topic":
                while not self._released and self._sim is None:
                    self._cv.wait(0.5)
            if self._released:
                return
            if self._anchor is None:
                self._anchor = (step - 1, ty.cast(float, self.now()))
            s0, t0 = self._anchor
            deadline = t0 + (step - s0) * ty.cast(float, self.dt)
            if self.mode == "wall":
                now = time.monotonic()
                if now - deadline > self.max_lag:
                    self.late += 1
                    self._anchor = (step, now)
                    return
                early, dt = self.early, ty.cast(float, self.dt)
                while not self._released and now < deadline:
                    # k arrays waiting: the step may end up to k steps ahead of the wall clock
                    lead = dt * early() if early is not None else 0.0
                    if deadline - now < lead:
                        self.early_steps += 1
                        return
                    self._cv.wait(deadline - now - lead)
                    now = time.monotonic()
            else:
                while not self._released and ty.cast(float, self._sim) < deadline - 1e-12:
                    self._cv.wait(0.5)

    def release(self) -> None:
        with self._cv:
            self._released = True
            self._cv.notify_all()

    def resume(self) -> None:
        with self._cv:
            self._released = False
            self._anchor = None  # time went by while paused


class Pacer(Process):
    """Ends each step when ``clock`` says so; ``a_in`` takes any message (it only places the pacer in the network)."""

    host_only = True

    def __init__(self, *, shape: ty.Any, clock: StepClock | None = None, name: str | None = None) -> None:
        super().__init__(shape=shape, name=name)
        self.a_in = InPort(shape=shape)
        object.__setattr__(self, "clock", clock if clock is not None else StepClock("free", None))
        object.__setattr__(self, "hooks", [])


__all__ = ["StepClock", "Pacer", "CLOCKS"]
