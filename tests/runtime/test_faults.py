"""Faults never hang: errors arrive promptly with the process, step, phase and traceback.

The runtime reports within about a second; the bounds asserted here are wider
(``PROMPT_S``) so that they hold on a busy 2-core machine.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import threading
import time

import caldera
import pytest
from caldera.errors import RunError, RuntimeStateError

from .conftest import chain, sigint_is_delivered

#: an error or a stop must reach the caller within this many seconds (about 1 s on an idle machine)
PROMPT_S = 10.0


@pytest.mark.parametrize("where", ["single", "parent", "child"])
@pytest.mark.parametrize("phase", ["spk", "post_mgmt"])
def test_model_error_reports_process_step_phase_and_traceback(where, phase, no_children):
    a, _b, parts = chain("raise", where, at=5, phase=phase)
    t0 = time.monotonic()
    with pytest.raises(RunError) as info:
        a.run(caldera.RunSteps(50), caldera.RunConfig(backend="cpu", partitions=parts))
    assert time.monotonic() - t0 < PROMPT_S
    msg = str(info.value)
    assert "'bomb'" in msg and "step 5" in msg and f"phase '{phase}'" in msg
    assert "ValueError: boom" in msg and "Traceback" in msg and "_misbehave" in msg
    assert info.value.process == "bomb" and info.value.step == 5 and info.value.phase == phase
    with pytest.raises(RuntimeStateError, match="failed"):
        a.run(caldera.RunSteps(1))
    a.stop()


@pytest.mark.parametrize("where", ["single", "child"])
@pytest.mark.parametrize("mode", ["hang", "sleep"])
def test_watchdog_stops_a_model_that_never_returns(where, mode, no_children):
    a, _b, parts = chain(mode, where, at=3)
    t0 = time.monotonic()
    with pytest.raises(RunError, match="watchdog") as info:
        a.run(caldera.RunSteps(50), caldera.RunConfig(backend="cpu", partitions=parts, watchdog_s=0.5))
    assert time.monotonic() - t0 < 0.5 + PROMPT_S
    assert "'bomb'" in str(info.value)
    a.stop()


def test_killed_partition_ends_the_run(no_children):
    a, _b, parts = chain("kill", "child", at=4)
    t0 = time.monotonic()
    with pytest.raises(RunError, match="died from signal 9"):
        a.run(caldera.RunSteps(50), caldera.RunConfig(backend="cpu", partitions=parts))
    assert time.monotonic() - t0 < PROMPT_S
    a.stop()


def test_killed_from_outside(no_children):
    a, _b, parts = chain("none", "child")
    a.run(caldera.RunSteps(3), caldera.RunConfig(backend="cpu", partitions=parts))
    child = mp.active_children()[0]
    os.kill(child.pid, signal.SIGKILL)
    with pytest.raises(RunError, match="died"):
        a.run(caldera.RunSteps(100000))
    a.stop()


@pytest.mark.skipif(
    not sigint_is_delivered(),
    reason="SIGINT is ignored in this process (e.g. a background job of a non-interactive shell): "
    "Ctrl-C cannot reach the run",
)
def test_ctrl_c_stops_every_partition(no_children):
    a, _b, parts = chain("none", "child")
    a.run(caldera.RunSteps(2), caldera.RunConfig(backend="cpu", partitions=parts))
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    try:
        timer.start()
        t0 = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            a.run(caldera.RunSteps(10_000_000))
        assert time.monotonic() - t0 < 0.3 + PROMPT_S
        assert a.runtime.state == "failed"
    finally:
        timer.cancel()
        timer.join()
        a.stop()
    assert not mp.active_children()
    assert a.runtime.state == "stopped"
