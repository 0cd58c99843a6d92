"""Watchdog: stop a run in which no step completes within a time limit.

In the main thread a periodic ``SIGALRM`` checks progress and raises
``WatchdogTimeout`` where the model is (interrupting sleeps and blocking
calls too); in another thread the exception is delivered asynchronously
(``PyThreadState_SetAsyncExc``), which works for Python code that loops.
"""

from __future__ import annotations

import contextlib
import ctypes
import signal
import threading
import time
import typing as ty


class WatchdogTimeout(BaseException):
    """Raised inside a model that made no progress for ``watchdog_s`` seconds."""


@contextlib.contextmanager
def watchdog(timeout: float | None, progress: ty.Callable[[], int]) -> ty.Iterator[None]:
    if timeout is None:
        yield
        return
    state = {"last": progress(), "since": time.monotonic(), "fired": False}

    def stalled() -> bool:
        now = time.monotonic()
        p = progress()
        if p != state["last"]:
            state["last"], state["since"] = p, now
            return False
        return now - state["since"] > timeout and not state["fired"]

    msg = f"no time step completed within watchdog_s={timeout} s"
    if threading.current_thread() is threading.main_thread():

        def handler(signum, frame):  # noqa: ARG001
            if stalled():
                state["fired"] = True
                raise WatchdogTimeout(msg)

        old = signal.signal(signal.SIGALRM, handler)
        period = max(0.01, min(timeout / 4, 0.25))
        signal.setitimer(signal.ITIMER_REAL, period, period)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0, 0)
            signal.signal(signal.SIGALRM, old)
        return
    target = threading.get_ident()
    done = threading.Event()

    def watch() -> None:
        while not done.wait(max(0.01, min(timeout / 4, 0.25))):
            if stalled():
                state["fired"] = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), ctypes.py_object(WatchdogTimeout))
                return

    t = threading.Thread(target=watch, name="caldera-watchdog", daemon=True)
    t.start()
    try:
        yield
    finally:
        done.set()
        t.join()


__all__ = ["WatchdogTimeout", "watchdog"]
