"""The node's latency path without ROS: the wall clock's early end on input, publishing from the network's
thread, the input queue's default depth, the garbage collector frozen while the node runs.

Times are checked one way strictly (a step never ends before the clock allows) and the other way with
wide margins (a loaded machine may wake a thread late, never early).
"""

from __future__ import annotations

import gc
import threading
import time

import numpy as np
from caldera.procs import LIF
from caldera_ros import Input, LoopbackTransport, Node, Output
from caldera_ros.clock import StepClock
from caldera_ros.transport import PLAIN_TYPES

F32 = "std_msgs/Float32MultiArray"
M = PLAIN_TYPES[F32]


def _timed_wait(clock: StepClock, step: int) -> float:
    t = time.monotonic()
    clock.wait(step)
    return time.monotonic() - t


def test_wall_clock_without_input_waits_out_every_step():
    clock = StepClock("wall", 0.3, early=lambda: 0)
    t0 = time.monotonic()
    clock.wait(1)
    clock.wait(2)
    assert time.monotonic() - t0 >= 0.6 - 1e-3
    assert clock.early_steps == 0


def test_waiting_input_ends_a_step_early_and_the_lead_is_bounded_by_it():
    pending = [1]
    dt = 0.5
    clock = StepClock("wall", dt, early=lambda: pending[0])
    t0 = time.monotonic()
    assert _timed_wait(clock, 1) < 0.25  # its interval has begun and one array waits: ends at once
    # step 2's interval begins only at t0 + dt: with one array waiting it may end then, not before, and
    # not at its own deadline (t0 + 2 dt) either
    clock.wait(2)
    t2 = time.monotonic() - t0
    assert dt - 1e-3 <= t2 < 2 * dt - 0.1, t2
    # three arrays waiting: up to three steps ahead of the wall clock
    pending[0] = 3
    clock.wait(3)
    clock.wait(4)
    assert time.monotonic() - t0 < 2 * dt - 0.1
    assert clock.early_steps == 4
    # nothing waiting: step 5 ends at its deadline t0 + 5 dt
    pending[0] = 0
    clock.wait(5)
    assert time.monotonic() - t0 >= 5 * dt - 1e-3


def test_kick_wakes_a_waiting_step_when_input_arrives():
    pending = [0]
    clock = StepClock("wall", 3.0, early=lambda: pending[0])
    clock.wait(1)  # anchors; waits out its 3 s only if nothing arrives: make something arrive
    woke: list[float] = []
    t = threading.Thread(target=lambda: woke.append(_timed_wait(clock, 2)))
    t.start()
    time.sleep(0.2)
    pending[0] = 1
    clock.kick()
    t.join(10)
    assert woke and woke[0] < 2.0, woke  # not the 3 s of the step's deadline


def test_free_and_topic_clocks_ignore_early():
    assert StepClock("free", None, early=lambda: 5).early is None
    assert StepClock("topic", 0.01, early=lambda: 5).early is None


def _node(tr: LoopbackTransport, **kw) -> Node:
    return Node(
        "n",
        LIF(shape=(3,), du=1.0, dv=0.0, vth=0.5, name="lif"),
        [Input("/in", F32, "lif.a_in", hold=False)],
        [Output("/out", F32, "lif.s_out", on_change=True)],
        transport=tr,
        backend="cpu",
        **kw,
    )


def test_outputs_are_published_from_the_network_thread_and_input_wakes_the_step():
    tr = LoopbackTransport()
    threads: list[str] = []
    tr.on_publish.append(lambda topic, msg: topic == "/out" and threads.append(threading.current_thread().name))
    # 2 steps per second: without the early end, an input would wait up to half a second for its step
    node = _node(tr, rate_hz=2)
    node.start()
    try:
        assert not [t.name for t in threading.enumerate() if t.name.startswith("caldera-ros-out")]
        time.sleep(0.3)
        t = time.monotonic()
        tr.publish("/in", M(data=[0.0, 1.0, 0.0]))
        deadline = t + 20
        while time.monotonic() < deadline and not any(
            list(m.data) == [0.0, 1.0, 0.0] for m in tr.published.get("/out", [])
        ):
            time.sleep(0.005)
        took = time.monotonic() - t
        st = node.status()
    finally:
        tr.shutdown("test")
        assert node.spin() == 0
    assert any(list(m.data) == [0.0, 1.0, 0.0] for m in tr.published["/out"]), tr.published
    assert set(threads) == {"caldera-run"}, threads
    assert st["early_steps"] >= 1, st
    assert took < 2.0  # generous; the clock alone would allow up to 0.5 s, the early end a few ms


def test_wake_on_input_off_keeps_every_step_on_its_deadline():
    tr = LoopbackTransport()
    node = _node(tr, rate_hz=50, wake_on_input=False)
    node.start()
    try:
        for _ in range(5):
            tr.publish("/in", M(data=[1.0, 0.0, 0.0]))
            time.sleep(0.05)
        st = node.status()
    finally:
        tr.shutdown("test")
        node.spin()
    assert st["early_steps"] == 0 and st["received"] == 5, st


def test_input_queue_holds_a_tenth_of_a_second_by_default():
    def depth(rate_hz, **kw):
        node = Node(
            "n",
            LIF(shape=(2,), name="lif"),
            [Input("/in", F32, "lif.a_in", **kw)],
            transport=LoopbackTransport(),
            rate_hz=rate_hz,
            clock="wall",
        )
        node.build()
        try:
            return node.inputs[0].injector.buffer.size
        finally:
            node.runtime.stop()

    assert depth(1000) == 100
    assert depth(50) == 16  # at least 16
    assert depth(1000, queue=4) == 4


def test_gc_frozen_while_the_node_runs_and_released_after():
    before = gc.get_freeze_count()
    tr = LoopbackTransport()
    node = _node(tr, rate_hz=100)
    node.start()
    try:
        during = gc.get_freeze_count()
    finally:
        tr.shutdown("test")
        node.spin()
    assert before == 0 and during > 0
    assert gc.get_freeze_count() == 0
    node2 = _node(LoopbackTransport(), rate_hz=100, freeze_gc=False)
    node2.start()
    try:
        assert gc.get_freeze_count() == 0
    finally:
        node2.transport.shutdown("test")
        node2.spin()


def test_non_finite_values_are_still_refused():
    from caldera_ros.messages import MessageError, multiarray_to_array

    big = np.full(4, 1e308)  # finite, but its sum overflows: the exact check decides
    assert np.array_equal(multiarray_to_array(M(data=list(big))), big)
    for bad in ([1.0, float("nan")], [float("inf"), 0.0], [float("-inf"), float("inf")]):
        try:
            multiarray_to_array(M(data=bad))
        except MessageError as e:
            assert "non-finite" in str(e)
        else:
            raise AssertionError(f"{bad} accepted")
