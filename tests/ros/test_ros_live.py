"""caldera-ros against a real ROS 1 master: roscore on loopback, the node in its own process (`caldera ros run`),
a second ROS node publishing into it and reading what it publishes.

Needs roscore and rospy (Debian's ros-core, python3-rospy, ...): `nox -s ros` sets that up; elsewhere these
tests are skipped.
"""

from __future__ import annotations

import json
import pathlib
import signal
import subprocess
import sys
import time

import caldera
import numpy as np
import pytest
import yaml
from caldera.procs import LIF, Dense

from tests.ros.rosenv import RosCore, probe, ros_available

pytestmark = pytest.mark.skipif(ros_available() is not None, reason=str(ros_available()))
ROOT = pathlib.Path(__file__).parents[2]
F32 = "std_msgs/Float32MultiArray"
TWIST = "geometry_msgs/Twist"
STR = "std_msgs/String"


def _network(path: pathlib.Path, bomb_at: int | None = None, chain: bool = False) -> pathlib.Path:
    """lif (3 neurons) spikes every step its input is >= 0.5 (u = input, v integrates, vth 0.5)."""
    lif = LIF(shape=(3,), du=1.0, dv=0.0, vth=0.5, name="lif")
    procs = [lif]
    if bomb_at is not None:
        from tests.ros.failing import Bomb

        bomb = Bomb(shape=(3,), at=bomb_at, name="bomb")
        lif.s_out.connect(bomb.a_in)
        procs.append(bomb)
    if chain:  # something for a second partition
        d = Dense(weights=np.eye(3), name="d")
        lif2 = LIF(shape=(3,), du=1.0, dv=0.0, vth=0.5, name="lif2")
        lif.s_out.connect(d.s_in)
        d.a_out.connect(lif2.a_in)
        procs += [d, lif2]
    caldera.save(procs, path)
    return path


def _spec(tmp: pathlib.Path, name: str, **extra) -> pathlib.Path:
    spec = {
        "name": name,
        "network": "net.npz",
        "rate_hz": 200,
        "backend": "cpu",
        "inputs": [{"topic": "/in", "type": F32, "port": "lif.a_in"}],
        "outputs": [
            {"topic": "/out", "type": F32, "port": "lif.s_out", "on_change": True},
            {
                "topic": "/cmd",
                "type": "geometry_msgs/Twist",
                "port": "lif.s_out",
                "decoder": "argmax",
                "options": {"window": 1, "fields": ["angular.z"]},
                "on_change": True,
            },
        ],
        **extra,
    }
    path = tmp / f"{name}.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


class NodeProc:
    def __init__(self, core: RosCore, spec: pathlib.Path, tmp: pathlib.Path, *args: str) -> None:
        self.err = tmp / f"{spec.stem}.stderr"
        env = {**core.env, "PYTHONPATH": str(ROOT)}
        self.p = subprocess.Popen(
            [sys.executable, "-m", "caldera.cli", "ros", "run", str(spec), *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.err, "wb"),
            cwd=tmp,
        )

    def stderr(self) -> str:
        return self.err.read_text(errors="replace")

    def interrupt(self, timeout: float = 60) -> int:
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGINT)
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            raise AssertionError(f"the node did not exit on SIGINT:\n{self.stderr()}") from None


def _children(pid: int) -> set[int]:
    """Every descendant of ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for d in pathlib.Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
                parents[int(d.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    out, frontier = set(), {pid}
    while frontier:
        frontier = {c for c, p in parents.items() if p in frontier} - out
        out |= frontier
    return out


def _alive(pid: int) -> bool:
    try:
        state = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _roundtrip(core, node, value, expect_z, **cfg):
    """Publish [.., 1 at index `value`, ..] and wait for the node's /out and /cmd answers."""
    data = [0.0, 0.0, 0.0]
    data[value] = 1.0
    res = probe(
        core.env,
        {
            "listen": {"/out": F32, "/cmd": TWIST},
            "send": [{"topic": "/in", "type": F32, "data": data}],
            "until": {"/out": 1, "/cmd": 1},
            "timeout": 60,
            **cfg,
        },
        timeout=90,
    )
    assert node.p.poll() is None, node.stderr()
    assert data in res["got"]["/out"], res
    assert any(c["angular"][2] == expect_z for c in res["got"]["/cmd"]), res
    return res


def test_node_round_trip_status_and_malformed_messages(core, tmp_path):
    _network(tmp_path / "net.npz")
    node = NodeProc(core, _spec(tmp_path, "rt"), tmp_path)
    try:
        res = probe(
            core.env,
            {
                "listen": {"/out": F32, "/cmd": "geometry_msgs/Twist", "/rt/status": "std_msgs/String"},
                "send": [
                    {"topic": "/in", "type": F32, "data": [0.0, 1.0, 0.0], "pause": 0.3},
                    # wrong size, then non-finite: dropped, counted, logged at most once per 2 s
                    {"topic": "/in", "type": F32, "data": [1.0, 2.0], "repeat": 20, "rate_hz": 400},
                    {"topic": "/in", "type": F32, "data": [float("nan"), 0.0, 0.0], "repeat": 5, "pause": 0.3},
                    {"topic": "/in", "type": F32, "data": [1.0, 0.0, 0.0]},
                ],
                "until": {"/out": 3},
                "linger": 2.5,  # a status period after the last message
                "timeout": 60,
            },
            timeout=90,
        )
        assert node.p.poll() is None, node.stderr()
        outs = res["got"]["/out"]
        # on_change: the spikes of [0, 1, 0] held, then of [1, 0, 0] held (the malformed ones changed nothing)
        assert [0.0, 1.0, 0.0] in outs and outs[-1] == [1.0, 0.0, 0.0], outs
        assert outs.index([0.0, 1.0, 0.0]) < outs.index([1.0, 0.0, 0.0])
        zs = [c["angular"][2] for c in res["got"]["/cmd"]]
        assert zs[-2:] == [1.0, 0.0], zs  # argmax index of the spiking neuron: 1, then 0
        status = json.loads(res["got"]["/rt/status"][-1])
        assert status["malformed"] == 25 and status["received"] == 27, status
        assert status["state"] == "running" and status["step"] > 100
        assert 0.3 < status["real_time_factor"] < 1.5, status  # 200 Hz against the wall clock (slower when loaded)
    finally:
        code = node.interrupt()
    logged = node.stderr().count("dropped a malformed message on /in")
    assert 1 <= logged <= 2, node.stderr()
    assert code == 0, node.stderr()


def test_node_reregisters_after_roscore_restart_and_sigint_leaves_no_child(core, tmp_path):
    _network(tmp_path / "net.npz", chain=True)
    node = NodeProc(core, _spec(tmp_path, "rr", partitions=2), tmp_path)
    try:
        _roundtrip(core, node, 1, 1.0)
        kids = _children(node.p.pid)
        assert kids, "a network in 2 partitions runs one in a child process"
        core.restart()
        # the node notices the new master (it polls every 0.5 s) and registers its topics again
        res = _roundtrip(core, node, 2, 2.0, settle=1.5, listen={"/out": F32, "/cmd": TWIST, "/rr/status": STR})
        assert json.loads(res["got"]["/rr/status"][-1])["master_restarts"] >= 1
    finally:
        code = node.interrupt()
    assert code == 0, node.stderr()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(k) for k in kids):
        time.sleep(0.1)
    assert not [k for k in kids if _alive(k)], "child processes outlived the node"


def test_failing_model_exits_non_zero_with_the_process_name(core, tmp_path):
    _network(tmp_path / "net.npz", bomb_at=40)
    node = NodeProc(core, _spec(tmp_path, "fail"), tmp_path)
    try:
        code = node.p.wait(60)
    except subprocess.TimeoutExpired:
        code = node.interrupt()
    err = node.stderr()
    assert code == 1, err
    assert "the network failed" in err and "bomb" in err and "boom at the requested step" in err, err


def test_spec_errors_before_start(core, tmp_path):
    _network(tmp_path / "net.npz")
    spec = _spec(tmp_path, "bad")
    bad = yaml.safe_load(spec.read_text())
    bad["inputs"][0]["port"] = "lif.nope"
    spec.write_text(yaml.safe_dump(bad))
    out = subprocess.run(
        [sys.executable, "-m", "caldera.cli", "ros", "run", str(spec)],
        env=core.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2
    assert "inputs[0]: lif has no InPort 'nope'" in out.stderr, out.stderr


def test_parameter_server_overrides_the_spec(core, tmp_path):
    _network(tmp_path / "net.npz")
    spec = _spec(tmp_path, "params")
    subprocess.run(
        [sys.executable, "-c", "import rosgraph; rosgraph.Master('/t').setParam('/params/rate_hz', 50.0)"],
        env=core.env,
        check=True,
        timeout=30,
    )
    node = NodeProc(core, spec, tmp_path)
    try:
        res = probe(
            core.env,
            {"listen": {"/params/status": "std_msgs/String"}, "wait_for": ["/params/status"], "linger": 1.5},
            timeout=90,
        )
        status = json.loads(res["got"]["/params/status"][-1])
        # 50 steps per second against the wall clock, not the spec's 200
        assert 0.5 < status["real_time_factor"] < 1.5 and status["steps_per_s"] < 80, status
    finally:
        assert node.interrupt() == 0, node.stderr()


def _policies(pid: int) -> list[int]:
    """The scheduling policy of every thread of ``pid`` (field 41 of /proc/PID/task/TID/stat)."""
    out = []
    for task in pathlib.Path(f"/proc/{pid}/task").iterdir():
        try:
            out.append(int((task / "stat").read_text().rsplit(")", 1)[1].split()[38]))
        except (OSError, ValueError, IndexError):
            pass  # a thread that ended meanwhile
    return out


def test_realtime_flag_schedules_the_node_sched_fifo(core, tmp_path):
    """``--realtime 5``: where permitted (root, CAP_SYS_NICE) the network's thread and rospy's threads run
    SCHED_FIFO 5 and the node answers as usual; elsewhere one warning and normal scheduling."""
    import os

    _network(tmp_path / "net.npz")
    node = NodeProc(core, _spec(tmp_path, "rtm"), tmp_path, "--realtime", "5")
    try:
        res = _roundtrip(core, node, 1, 1.0, listen={"/out": F32, "/cmd": TWIST, "/rtm/status": STR}, linger=1.2)
        status = json.loads(res["got"]["/rtm/status"][-1])
        policies = _policies(node.p.pid)
    finally:
        code = node.interrupt()
    assert code == 0, node.stderr()
    warned = node.stderr().count("caldera_ros: realtime (SCHED_FIFO 5")
    if status["realtime"].startswith("SCHED_FIFO 5"):
        # main, network, status, master watch, rospy's server and receiving threads: all but the threads that
        # existed before start() (none of the node's) run SCHED_FIFO
        assert policies.count(os.SCHED_FIFO) >= 5 and policies.count(os.SCHED_FIFO) >= len(policies) - 2, policies
        assert warned == (0 if status["realtime"].endswith("memory locked") else 1), node.stderr()
    else:
        assert status["realtime"].startswith("normal scheduling"), status
        assert warned == 1 and os.SCHED_FIFO not in policies, node.stderr()
