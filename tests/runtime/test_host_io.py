"""Injector/Extractor: the user's thread feeds and reads a running network, with buffer policies."""

from __future__ import annotations

import queue
import threading
import time

import caldera
import numpy as np
import pytest
from caldera.errors import ParameterError
from caldera.procs import LIF, Extractor, Injector


def _loop(**inj_kwargs):
    inj = Injector(shape=(3,), **inj_kwargs)
    lif = LIF(shape=(3,), du=1.0, dv=0.0, vth=1e9)  # u = input, v integrates u
    ext = Extractor(shape=(3,), buffer_size=1000)
    inj.out_port.connect(lif.a_in)
    lif.s_out.connect(ext.in_port)
    return inj, lif, ext


def test_block_policy_feeds_each_step_in_order():
    inj, lif, ext = _loop(when_empty="block")
    inj.run(caldera.RunContinuous(), caldera.RunConfig(backend="cpu"))
    for k in range(1, 6):
        assert inj.send(np.full(3, float(k)))
        ext.receive(timeout=5)
    inj.pause()
    # steps 1..5 carried 1..5; pause() may complete one more step with zeros
    np.testing.assert_array_equal(lif.v.get(), np.full(3, 15.0))
    assert inj.runtime.time_step in (5, 6)
    inj.stop()


@pytest.mark.parametrize(("policy", "expected"), [("zeros", 2.0), ("repeat", 2.0 + 2.0 * 3)])
def test_empty_policies(policy, expected):
    inj, lif, ext = _loop(when_empty=policy)
    inj.send(np.full(3, 2.0))
    inj.run(caldera.RunSteps(4), caldera.RunConfig(backend="cpu"))
    np.testing.assert_array_equal(lif.v.get(), np.full(3, expected))
    assert ext.available() == 4
    inj.stop()


def test_full_policies_on_the_user_side():
    inj = Injector(shape=(1,), buffer_size=2, when_full="drop_oldest")
    for k in range(4):
        assert inj.send(np.array([k]))
    assert [float(inj.buffer.get(False)[0]) for _ in range(2)] == [2.0, 3.0]
    inj = Injector(shape=(1,), buffer_size=2, when_full="drop_newest")
    results = [inj.send(np.array([k])) for k in range(4)]
    assert results == [True, True, False, False]
    inj = Injector(shape=(1,), buffer_size=1, when_full="block")
    assert inj.send(np.array([1]))
    t0 = time.monotonic()
    assert not inj.send(np.array([2]), timeout=0.1)
    assert time.monotonic() - t0 >= 0.09


def test_extractor_drop_oldest_and_receive_errors():
    inj, lif, _ext = _loop(when_empty="zeros")
    ext = Extractor(shape=(3,), buffer_size=2, when_full="drop_oldest")
    lif.s_out.connect(ext.in_port)
    inj.run(caldera.RunSteps(5), caldera.RunConfig(backend="cpu"))
    assert ext.available() == 2 and ext.buffer.dropped == 3
    ext.receive()
    ext.receive()
    with pytest.raises(queue.Empty):
        ext.receive(block=False)
    with pytest.raises(queue.Empty, match="within 0.05 s"):
        ext.receive(timeout=0.05)
    inj.stop()


def test_bad_policies_and_shapes():
    with pytest.raises(ParameterError, match="when_empty"):
        Injector(shape=(2,), when_empty="never")
    with pytest.raises(ParameterError, match="when_full"):
        Extractor(shape=(2,), when_full="explode")
    with pytest.raises(ParameterError, match=r"expected shape \(2,\)"):
        Injector(shape=(2,)).send(np.zeros(3))


def test_host_processes_stay_in_the_users_process_with_partitions(no_children):
    inj, lif, ext = _loop(when_empty="block")
    inj.run(caldera.RunContinuous(), caldera.RunConfig(backend="cpu", partitions=[[lif], [inj, ext]]))
    part0 = inj.runtime.partitions[0]
    assert {inj.id, ext.id} <= part0.ids
    feeder = threading.Thread(target=lambda: [inj.send(np.ones(3)) for _ in range(3)])
    feeder.start()
    for _ in range(3):
        ext.receive(timeout=5)
    feeder.join()
    inj.stop()
    assert lif.v.get()[0] >= 3.0
