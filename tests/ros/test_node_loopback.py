"""The node's logic without ROS (LoopbackTransport): clocks, publishing policies, events, specs, bag replay."""

from __future__ import annotations

import json
import time

import caldera
import numpy as np
import pytest
import yaml
from caldera.procs import LIF
from caldera_ros import EventBinner, Events, Input, LoopbackTransport, Node, Output, SpecError, node_from_spec
from caldera_ros.bindings import as_network
from caldera_ros.node import RateLimitedLog
from caldera_ros.transport import PLAIN_TYPES

F32 = "std_msgs/Float32MultiArray"
M = PLAIN_TYPES[F32]


def _wait(cond, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.01)
    return False


def _lif(n=3):
    return LIF(shape=(n,), du=1.0, dv=0.0, vth=0.5, name="lif")


def _node(tr, **kw):
    kw.setdefault("rate_hz", 500)
    return Node(
        "n",
        _lif(),
        [Input("/in", F32, "lif.a_in")],
        [Output("/out", F32, "lif.s_out", **kw.pop("out", {}))],
        transport=tr,
        backend="cpu",
        **kw,
    )


def test_wall_clock_paces_and_status_reports():
    tr = LoopbackTransport()
    node = _node(tr, rate_hz=200)
    node.start()
    try:
        time.sleep(1.0)
        st = node.status()
    finally:
        tr.shutdown("test")
        assert node.spin() == 0
    assert st["state"] == "running"
    # 200 steps/s against the wall clock: never faster (a loaded machine may make it slower)
    assert 60 < st["steps_per_s"] < 215 and 0.3 < st["real_time_factor"] < 1.08, st
    last = json.loads(tr.published["/n/status"][-1].data)
    assert last["state"] == "stopped" and last["step"] >= st["step"]


def test_free_clock_runs_faster_than_any_rate():
    tr = LoopbackTransport()
    node = _node(tr, rate_hz=None)
    node.start()
    # not paced: 2,000 steps come at once (a 500 Hz clock would take 4 s); the bound leaves room for a loaded
    # machine (two busy loops beside it: a few hundred steps/s at worst) and is still far from any clock's pace
    assert _wait(lambda: node.runtime.time_step >= 2000, timeout=60)
    st = node.status()
    tr.shutdown("test")
    node.spin()
    assert st["real_time_factor"] is None and st["steps_per_s"] > 100 and st["late_steps"] == 0, st


def test_clock_topic_drives_the_steps():
    tr = LoopbackTransport()
    node = _node(tr, rate_hz=100, clock="topic")
    node.start()
    clock = PLAIN_TYPES["rosgraph_msgs/Clock"]
    try:
        # a step is computed at the start of its interval and ends when the clock has passed it:
        # step 1 runs at once and waits for a clock
        time.sleep(0.3)
        assert node.runtime.time_step == 1
        tr.publish("/clock", clock(clock=10.0))  # anchors: step 1 ends at 10.01
        time.sleep(0.2)
        assert node.runtime.time_step == 1
        tr.publish("/clock", clock(clock=10.05))  # steps 1..5 end, step 6 runs and waits
        assert _wait(lambda: node.runtime.time_step == 6)
        time.sleep(0.2)
        assert node.runtime.time_step == 6
        tr.publish("/clock", clock(clock=10.1))
        assert _wait(lambda: node.runtime.time_step == 11)
    finally:
        tr.shutdown("test")
        assert node.spin() == 0


def test_every_and_on_change_and_hold():
    tr = LoopbackTransport()
    node = _node(tr, rate_hz=None, out={"every": 1, "on_change": True})
    node.start()
    try:
        _wait(lambda: node.runtime.time_step > 10)
        tr.publish("/in", M(data=[1.0, 0.0, 1.0]))
        assert _wait(lambda: len(tr.published.get("/out", [])) >= 2)
        time.sleep(0.2)  # held input: spikes every step, but only the change is published
    finally:
        tr.shutdown("test")
        node.spin()
    assert [m.data for m in tr.published["/out"]] == [[0.0, 0.0, 0.0], [1.0, 0.0, 1.0]]
    # every=50: one message per 50 steps
    tr = LoopbackTransport()
    node = _node(tr, rate_hz=1000, out={"every": 50})
    node.start()
    time.sleep(0.5)
    tr.shutdown("test")
    node.spin()
    steps, n = node.runtime.time_step, len(tr.published["/out"])
    assert steps // 50 - 3 <= n <= steps // 50, (steps, n)  # the last ones may be cut off by the stop


def test_malformed_messages_are_dropped_counted_and_logged_rate_limited():
    tr = LoopbackTransport()
    node = _node(tr, rate_hz=None)
    node.start()
    try:
        for _ in range(30):
            tr.publish("/in", M(data=[1.0]))
        tr.publish("/in", M(data=[float("inf"), 0, 0]))
        tr.publish("/in", object())
        tr.publish("/in", M(data=[0.0, 1.0, 0.0]))
        st = node.status()
    finally:
        tr.shutdown("test")
        assert node.spin() == 0
    assert st["malformed"] == 32 and st["received"] == 33
    warns = [t for lvl, t in tr.logs if lvl == "warn"]
    assert len(warns) == 1 and "1 values, but lif.a_in takes 3" in warns[0]


def test_rate_limited_log_counts_what_it_left_out():
    lines = []
    log = RateLimitedLog(lambda lvl, t: lines.append(t), period=0.2)
    assert log("a", "warn", "x") and not log("a", "warn", "x") and log("b", "warn", "y")
    time.sleep(0.25)
    assert log("a", "warn", "x")
    assert lines == ["x", "y", "x (1 more like this not logged)"]


def test_failing_network_returns_1_with_the_process_name():
    from tests.ros.failing import Bomb

    lif = _lif()
    bomb = Bomb(shape=(3,), at=20, name="bomb")
    lif.s_out.connect(bomb.a_in)
    tr = LoopbackTransport()
    node = Node("f", lif, [Input("/in", F32, "lif.a_in")], [Output("/out", F32, "bomb.s_out")], transport=tr)
    node.start()
    assert node.spin() == 1
    err = [t for lvl, t in tr.logs if lvl == "error"][0]
    assert "bomb" in err and "boom at the requested step" in err
    assert isinstance(node.error, caldera.RunError)


def test_events_through_the_node_and_population_decoding():
    field = LIF(shape=(4, 6), du=1.0, dv=0.0, vth=0.5, name="field")
    tr = LoopbackTransport()
    node = Node(
        "ev",
        field,
        [Input("/ev", "dvs_msgs/EventArray", "field.a_in", encoder="events", options={"downsample": 10})],
        [Output("/pos", "geometry_msgs/Point", "field.s_out", decoder="population", options={"window": 1000})],
        rate_hz=1000,
        clock="free",
        transport=tr,
    )
    node.start()
    ev = type("Ev", (), {})
    msg = type("Arr", (), {})()
    msg.width, msg.height = 60, 40
    msg.events = []
    for k in range(5):
        e = ev()
        e.x, e.y, e.ts, e.polarity = 25, 31, 1.0 + k * 0.002, True  # pixel (row 3, col 2) after /10
        msg.events.append(e)

    def points():
        return [(p.x, p.y, p.z) for p in list(tr.published.get("/pos", []))]

    try:
        tr.publish("/ev", msg)
        # the free clock may run the 1000-step window past before this thread looks: search every message
        assert _wait(lambda: any(p != (0.0, 0.0, 0.0) for p in points()))
    finally:
        tr.shutdown("test")
        node.spin()
    pos = points()
    first = next(i for i, p in enumerate(pos) if p != (0.0, 0.0, 0.0))
    assert all(p == (0.0, 0.0, 0.0) for p in pos[:first])  # the default before any spike
    # (row, col) of the only spiking neuron (z unused), for as long as its spikes are in the window
    assert set(pos[first : first + 1000]) == {(3.0, 2.0, 0.0)}


def test_event_binner_frames():
    b = EventBinner((2, 3), dt=0.001)
    ev = Events(
        x=np.array([0, 2, 2, 1, 7]),
        y=np.array([0, 1, 1, 1, 0]),
        t=np.array([5.0, 5.0004, 5.0005, 5.0031, 5.001]),
        p=np.array([True, True, False, True, True]),
    )
    frames = b.frames(ev)
    assert len(frames) == 4 and b.outside == 1  # x=7 is outside 3 columns
    np.testing.assert_array_equal(frames[0], [[1, 0, 0], [0, 0, 1]])  # binary: two events at (1, 2) -> 1
    np.testing.assert_array_equal(frames[3], [[0, 0, 0], [0, 1, 0]])
    assert not frames[1].any() and not frames[2].any()
    # a late event (of frame 3, already handed out) goes into the next frame
    late = Events(np.array([0, 1]), np.array([0, 0]), np.array([5.0035, 5.0052]), np.array([False, True]))
    f2 = b.frames(late)
    assert len(f2) == 2 and f2[0][0, 0] == 1 and f2[1][0, 1] == 1 and f2[0].sum() == f2[1].sum() == 1
    # the silent time before a message is skipped, not filled with empty frames
    f3 = b.frames(Events(np.array([2]), np.array([1]), np.array([9.0]), np.array([True])))
    assert len(f3) == 1 and f3[0][1, 2] == 1 and b.next_index == 4001
    split = EventBinner((2, 2, 3), dt=0.001, polarity="split", binary=False)
    s = split.frames(Events(np.array([1, 1, 1]), np.array([0, 0, 0]), np.zeros(3), np.array([True, True, False])))
    assert s[0][0, 0, 1] == 2 and s[0][1, 0, 1] == 1
    with pytest.raises(caldera.ParameterError, match=r"shape \(2, rows, cols\)"):
        EventBinner((2, 3), dt=0.001, polarity="split")


def _spec_file(tmp_path, **changes):
    lif = _lif()
    caldera.save(lif, tmp_path / "net.npz")
    spec = {
        "name": "s",
        "network": "net.npz",
        "rate_hz": 100,
        "inputs": [{"topic": "/in", "type": F32, "port": "lif.a_in", "encoder": "rate", "options": {"hi": 2}}],
        "outputs": [{"topic": "/out", "type": "geometry_msgs/Twist", "port": "lif.s_out", "decoder": "argmax"}],
    }
    for path, value in changes.items():
        *head, last = path.split("__")
        obj = spec
        for h in head:
            obj = obj[int(h)] if isinstance(obj, list) else obj[h]
        obj[last] = value
    p = tmp_path / "spec.yaml"
    p.write_text(yaml.safe_dump(spec))
    return p


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"inputs__0__encoder": "rat"}, "inputs[0]: unknown encoder 'rat'; encoders: raw, rate"),
        ({"inputs__0__port": "lif.nope"}, "inputs[0]: lif has no InPort 'nope'"),
        ({"inputs__0__port": "dense.a_in"}, "inputs[0]: no process 'dense' in the network; processes: lif"),
        ({"inputs__0__type": "sensor_msgs/Imu"}, "inputs[0]: message type 'sensor_msgs/Imu' is not supported"),
        ({"outputs__0__decoder": "vote"}, "outputs[0]: unknown decoder 'vote'"),
        ({"outputs__0__options": {"fields": ["linear.q"]}}, "outputs[0]: geometry_msgs/Twist takes"),
        ({"inputs__0__options": {"gain": 3}}, "inputs[0]: unknown option(s) ['gain']; allowed here: hi, lo"),
        ({"inputs__0__options": {"hi": -1}}, "inputs[0]: RateEncoder: hi must be greater than lo"),
        ({"inputs__0__topc": "/x"}, "inputs[0]: unknown key(s) ['topc']"),
        ({"clock": "sundial"}, "clock must be one of free, wall, topic"),
        ({"network": "missing.npz"}, "network: no such file"),
    ],
)
def test_spec_errors_name_the_entry(tmp_path, changes, message):
    with pytest.raises(SpecError) as err:
        node_from_spec(_spec_file(tmp_path, **changes)).build()
    assert message in str(err.value)


def test_caldera_ros_check_command(tmp_path, capsys):
    from caldera.cli import main

    assert main(["ros", "check", str(_spec_file(tmp_path))]) == 0
    assert "OK" in capsys.readouterr().out
    assert main(["ros", "check", str(_spec_file(tmp_path, inputs__0__encoder="rat"))]) == 2
    assert "inputs[0]: unknown encoder 'rat'" in capsys.readouterr().err


def test_as_network_forms(tmp_path):
    lif = _lif()
    caldera.save(lif, tmp_path / "n.npz")
    assert set(as_network(tmp_path / "n.npz")) == {"lif"}
    assert as_network(lif) == {"lif": lif}
    with pytest.raises(SpecError, match="network must be"):
        as_network(42)


def test_bag_replay_through_the_same_encoders(tmp_path):
    """A ROS 1 bag written with rosbags (no ROS) replays through the node's inputs, step by step."""
    rosbags = pytest.importorskip("rosbags")
    from rosbags.rosbag1 import Writer
    from rosbags.typesys import Stores, get_typestore

    ts = get_typestore(Stores.ROS1_NOETIC)
    Multi = ts.types["std_msgs/msg/Float32MultiArray"]
    Layout = ts.types["std_msgs/msg/MultiArrayLayout"]
    bag = tmp_path / "in.bag"
    with Writer(bag) as w:
        conn = w.add_connection("/in", Multi.__msgtype__, typestore=ts)
        t0 = 1_000_000_000_000
        for k, vals in enumerate([[1, 0, 0], [0, 1, 0], [0, 0], [0, 0, 1]]):
            msg = Multi(layout=Layout(dim=[], data_offset=0), data=np.array(vals, dtype=np.float32))
            w.write(conn, t0 + k * 10_000_000, ts.serialize_ros1(msg, Multi.__msgtype__))  # every 10 ms
    spec = _spec_file(tmp_path, rate_hz=1000, inputs__0__encoder="raw", inputs__0__options={})
    spec_d = yaml.safe_load(spec.read_text())
    spec_d["outputs"] = [{"topic": "/out", "type": F32, "port": "lif.s_out"}]
    spec.write_text(yaml.safe_dump(spec_d))
    from caldera_ros import replay

    res = replay(node_from_spec(spec), bag, steps=40)
    out = res.outputs["/out"]
    assert out.shape == (40, 3) and res.messages == 4 and res.malformed == 1
    # 1 kHz: messages at steps 1, 11, 21 (malformed: the held value stays), 31
    assert out[:10, 0].all() and not out[:10, 1:].any()
    assert out[10:30, 1].all() and not out[10:30, [0, 2]].any()
    assert out[30:, 2].all()
    res.save(tmp_path / "r.npz")
    assert np.load(tmp_path / "r.npz")["out"].shape == (40, 3)
    assert rosbags is not None
