"""The node's opt-in real-time mode: its settings checked before start, applied to the threads that carry
messages, and one warning (normal scheduling) where the system refuses. No timings."""

from __future__ import annotations

import argparse
import os
import sys
import time

import pytest
import yaml
from caldera.procs import LIF
from caldera_ros import Input, LoopbackTransport, Node, Output, RealTime, SpecError, node_from_spec
from caldera_ros import realtime as rtmod
from caldera_ros.cli import _overrides
from caldera_ros.transport import PLAIN_TYPES

F32 = "std_msgs/Float32MultiArray"
linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="real-time scheduling is Linux's")


def _node(tr, realtime, **kw):
    kw.setdefault("rate_hz", 500)
    lif = LIF(shape=(3,), du=1.0, dv=0.0, vth=0.5, name="lif")
    return Node(
        "n", lif, [Input("/in", F32, "lif.a_in")], [Output("/out", F32, "lif.s_out")], transport=tr, backend="cpu",
        realtime=realtime, **kw,
    )  # fmt: skip


def _steps(node, n=20, timeout=30.0):
    """Wait until the network has made ``n`` more steps (it runs, whatever the scheduling)."""
    start = node.runtime.time_step
    deadline = time.monotonic() + timeout
    while node.runtime.time_step < start + n and time.monotonic() < deadline:
        time.sleep(0.01)
    return node.runtime.time_step - start


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, None),
        (False, None),
        (True, RealTime(10, None, True)),
        (30, RealTime(30, None, True)),
        ({"priority": 5, "lock_memory": False}, RealTime(5, None, False)),
        ({"cpus": [0, 0]}, RealTime(10, (0,), True)),
    ],
)
def test_realtime_forms(value, expected):
    assert RealTime.parse(value) == expected


@pytest.mark.parametrize(
    "value, message",
    [
        (0, "priority must be an integer from 1 to 99 (SCHED_FIFO), got 0"),
        (100, "priority must be an integer from 1 to 99 (SCHED_FIFO), got 100"),
        ({"priority": 2.5}, "priority must be an integer from 1 to 99 (SCHED_FIFO), got 2.5"),
        ("fast", "realtime must be true/false, a SCHED_FIFO priority (1-99) or a mapping with priority, cpus, "),
        ({"prio": 10}, "realtime: unknown key(s) ['prio']; allowed: priority, cpus, lock_memory"),
        ({"cpus": []}, "cpus must be a non-empty list of CPU numbers >= 0, got []"),
        ({"cpus": [-1]}, "cpus must be a non-empty list of CPU numbers >= 0, got [-1]"),
        ({"cpus": "0"}, "cpus must be a list of CPU numbers, got '0'"),
        ({"cpus": [4096]}, "realtime: cpus [4096] are not available to this process; it may use ["),
        ({"lock_memory": "yes"}, "lock_memory must be true or false, got 'yes'"),
    ],
)
def test_bad_realtime_settings_are_refused_before_start(value, message):
    tr = LoopbackTransport()
    node = _node(tr, value)
    with pytest.raises(SpecError) as e:
        node.build()
    assert message in str(e.value)
    assert node.runtime is None and tr.name == ""  # nothing built, ROS not started


def test_realtime_needs_a_paced_clock():
    with pytest.raises(SpecError, match=r"realtime needs a paced clock \(wall or topic\)"):
        _node(LoopbackTransport(), True, clock="free", rate_hz=None).build()


def test_realtime_in_a_spec_and_on_the_command_line(tmp_path):
    import caldera

    caldera.save([LIF(shape=(3,), du=1.0, dv=0.0, vth=0.5, name="lif")], tmp_path / "net.npz")
    spec = {
        "name": "rt",
        "network": "net.npz",
        "rate_hz": 100,
        "realtime": {"priority": 120},
        "inputs": [{"topic": "/in", "type": F32, "port": "lif.a_in"}],
    }
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(spec))
    with pytest.raises(SpecError, match="priority must be an integer from 1 to 99"):
        node_from_spec(tmp_path / "s.yaml").build()
    assert node_from_spec(tmp_path / "s.yaml", {"realtime": 20}).realtime == 20

    def args(**kw):
        return argparse.Namespace(**{"realtime": None, "realtime_cpus": None, **kw})

    assert _overrides(args(), {}) == {}
    assert _overrides(args(realtime=20, realtime_cpus="0,1"), {}) == {"realtime": {"priority": 20, "cpus": [0, 1]}}
    # the spec's other settings stay; the command line's win
    assert _overrides(args(realtime=30), {"realtime": {"priority": 5, "lock_memory": False}}) == {
        "realtime": {"priority": 30, "lock_memory": False}
    }
    assert _overrides(args(realtime_cpus="1"), {"realtime": 7}) == {"realtime": {"priority": 7, "cpus": [1]}}
    with pytest.raises(SpecError, match="--realtime-cpus needs --realtime"):
        _overrides(args(realtime_cpus="1"), {})
    with pytest.raises(SpecError, match="--realtime-cpus must be CPU numbers separated by commas, got 'a,b'"):
        _overrides(args(realtime=10, realtime_cpus="a,b"), {})


def _refuse(*a, **k):
    raise PermissionError(1, "Operation not permitted")


@linux
def test_not_permitted_falls_back_with_one_warning(monkeypatch):
    """No CAP_SYS_NICE (monkeypatched): one warning, normal scheduling, the node runs and answers."""
    monkeypatch.setattr(os, "sched_setscheduler", _refuse)
    monkeypatch.setattr(rtmod, "_can_lock_all", lambda: "RLIMIT_MEMLOCK is 65536 bytes and CAP_IPC_LOCK is missing")
    before = os.sched_getscheduler(0)
    tr = LoopbackTransport()
    node = _node(tr, {"priority": 20})
    node.start()
    try:
        assert _steps(node) >= 20
        tr.publish("/in", PLAIN_TYPES[F32](data=[0.0, 1.0, 0.0]))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(list(m.data) == [0.0, 1.0, 0.0] for m in tr.published["/out"]):
            time.sleep(0.01)
        assert any(list(m.data) == [0.0, 1.0, 0.0] for m in tr.published["/out"])
        assert node.status()["realtime"] == "normal scheduling"
    finally:
        tr.shutdown("test")
        assert node.spin() == 0
    warnings = [text for level, text in tr.logs if level == "warn"]
    assert warnings == [
        "caldera_ros: realtime (SCHED_FIFO 20, memory locked) not fully applied: SCHED_FIFO priority 20 refused "
        "(Operation not permitted; needs root, CAP_SYS_NICE or an rtprio limit in /etc/security/limits.conf); "
        "memory not locked: RLIMIT_MEMLOCK is 65536 bytes and CAP_IPC_LOCK is missing; running with normal scheduling"
    ]
    assert os.sched_getscheduler(0) == before


def test_not_on_linux_falls_back_with_one_warning(monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    tr = LoopbackTransport()
    node = _node(tr, True)
    node.start()
    try:
        assert _steps(node) >= 5
    finally:
        tr.shutdown("test")
        assert node.spin() == 0
    assert [t for lv, t in tr.logs if lv == "warn"] == [
        "caldera_ros: realtime (SCHED_FIFO 10, memory locked) not fully applied: real-time scheduling is "
        "implemented for Linux only (this is darwin); running with normal scheduling"
    ]


class _Libc:
    def __init__(self, result=0):
        self.calls, self.result = [], result

    def mlockall(self, flags):
        self.calls.append(("mlockall", flags))
        return self.result

    def munlockall(self):
        self.calls.append(("munlockall",))
        return 0


@linux
def test_memory_locked_while_running_and_unlocked_by_stop(monkeypatch):
    """mlockall(MCL_CURRENT | MCL_FUTURE) at start, munlockall at stop (libc recorded, not called: a test
    process must not lock itself); scheduling refused here so that only the memory part is looked at."""
    libc = _Libc()
    monkeypatch.setattr(rtmod, "_libc", lambda: libc)
    monkeypatch.setattr(rtmod, "_can_lock_all", lambda: None)
    monkeypatch.setattr(os, "sched_setscheduler", _refuse)
    tr = LoopbackTransport()
    node = _node(tr, {"priority": 3})
    node.start()
    try:
        assert _steps(node) >= 5
        assert libc.calls == [("mlockall", 3)]
        assert node.status()["realtime"] == "normal scheduling, memory locked"
    finally:
        tr.shutdown("test")
        assert node.spin() == 0
    assert libc.calls == [("mlockall", 3), ("munlockall",)]
    assert len([t for lv, t in tr.logs if lv == "warn"]) == 1


@linux
def test_memory_lock_refused_is_reported(monkeypatch):
    import ctypes

    libc = _Libc(result=-1)
    monkeypatch.setattr(rtmod, "_libc", lambda: libc)
    monkeypatch.setattr(rtmod, "_can_lock_all", lambda: None)
    monkeypatch.setattr(ctypes, "get_errno", lambda: 12)
    monkeypatch.setattr(os, "sched_setscheduler", _refuse)
    done = rtmod.apply_realtime(RealTime(3))
    assert done.problems[-1] == f"memory not locked: mlockall failed ({os.strerror(12)})"
    assert not done.locked and libc.calls == [("mlockall", 3)]


def _permitted() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(1))
    except OSError:
        return False
    os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))
    return True


@pytest.mark.skipif(not _permitted(), reason="SCHED_FIFO is not permitted here (root or CAP_SYS_NICE)")
def test_network_thread_runs_sched_fifo_and_stop_gives_the_caller_its_scheduling_back():
    cpu = min(os.sched_getaffinity(0))
    tr = LoopbackTransport()
    node = _node(tr, {"priority": 3, "cpus": [cpu], "lock_memory": False})
    before = (os.sched_getscheduler(0), os.sched_getaffinity(0))
    node.start()
    try:
        assert _steps(node) >= 5
        tid = node.runtime._thread.native_id  # the network's thread, started by start(): inherits the settings
        assert os.sched_getscheduler(tid) == os.SCHED_FIFO and os.sched_getparam(tid).sched_priority == 3
        assert os.sched_getaffinity(tid) == {cpu}
        assert node.status()["realtime"] == f"SCHED_FIFO 3, cpus [{cpu}]"
    finally:
        tr.shutdown("test")
        assert node.spin() == 0
    assert (os.sched_getscheduler(0), os.sched_getaffinity(0)) == before
    assert not [t for lv, t in tr.logs if lv == "warn"]
