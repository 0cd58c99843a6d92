"""AsyncProtocol models run free beside the step loop and stop when the run ends."""

from __future__ import annotations

import time

import caldera
import numpy as np
import pytest
from caldera import (
    CPU,
    AsyncProtocol,
    InPort,
    LavaPyType,
    OutPort,
    Process,
    PyAsyncProcessModel,
    PyInPort,
    PyOutPort,
    Var,
    implements,
    requires,
)
from caldera.errors import RunError
from caldera.procs import LIF, Monitor


class Source(Process):
    def __init__(self, *, shape, fail_at=-1, name=None):
        super().__init__(shape=shape, fail_at=fail_at, name=name)
        self.s_out = OutPort(shape=shape)
        self.sent = Var(shape=(1,), init=0)


@implements(proc=Source, protocol=AsyncProtocol)
@requires(CPU)
class PySource(PyAsyncProcessModel):
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    sent: np.ndarray = LavaPyType(np.ndarray, int)

    def run_async(self):
        while not self.check_for_stop_cmd():
            if self.sent[0] == self.proc_params["fail_at"]:
                raise RuntimeError("sensor unplugged")
            self.s_out.send(np.full(self.s_out.shape, 0.5))
            self.sent[0] += 1


class Counter(Process):
    def __init__(self, *, shape, name=None):
        super().__init__(shape=shape, name=name)
        self.a_in = InPort(shape=shape)
        self.total = Var(shape=shape, init=0.0)


@implements(proc=Counter, protocol=AsyncProtocol)
@requires(CPU)
class PyCounter(PyAsyncProcessModel):
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    total: np.ndarray = LavaPyType(np.ndarray, float)

    def run_async(self):
        while not self.check_for_stop_cmd():
            if self.a_in.probe():
                self.total += self.a_in.recv()
            else:
                time.sleep(0.0005)


def test_async_source_feeds_a_synchronous_lif_step_by_step():
    src = Source(shape=(2,), name="src")
    lif = LIF(shape=(2,), du=1.0, dv=0.5, vth=100.0, name="lif")
    src.s_out.connect(lif.a_in)
    mon = Monitor()
    mon.probe(lif.v, 10)
    src.run(caldera.RunSteps(10), caldera.RunConfig(backend="cpu"))
    v = mon.get_data()["lif"]["v"][:, 0]
    expected = [0.5]
    for _ in range(9):
        expected.append(expected[-1] * 0.5 + 0.5)
    np.testing.assert_allclose(v, expected)
    assert src.sent.get()[0] >= 10
    src.stop()


def test_async_to_async_and_run_again():
    src = Source(shape=(3,), name="src")
    cnt = Counter(shape=(3,), name="cnt")
    src.s_out.connect(cnt.a_in)
    src.run(caldera.RunContinuous(), caldera.RunConfig(backend="cpu"))
    time.sleep(0.2)
    src.pause()
    first = cnt.total.get()[0]
    assert first > 0
    src.run(caldera.RunContinuous())
    time.sleep(0.1)
    src.stop()
    assert cnt.total.get()[0] > first


def test_async_error_is_reported_with_the_process_name():
    src = Source(shape=(2,), fail_at=3, name="src")
    lif = LIF(shape=(2,), du=1.0, dv=0.5, vth=100.0, name="lif")
    src.s_out.connect(lif.a_in)
    with pytest.raises(RunError, match="async process 'src'.*sensor unplugged") as info:
        src.run(caldera.RunSteps(50), caldera.RunConfig(backend="cpu"))
    assert info.value.phase == "async"
    src.stop()


def test_sync_domains_default_and_custom():
    from caldera import LoihiProtocol, SyncDomain
    from caldera.errors import CompileError

    src = Source(shape=(2,), name="src")
    lif = LIF(shape=(2,), du=1.0, dv=0.5, vth=100.0, name="lif")
    src.s_out.connect(lif.a_in)
    src.run(
        caldera.RunSteps(2),
        caldera.RunConfig(backend="cpu", custom_sync_domains=[SyncDomain("net", LoihiProtocol, [lif])]),
    )
    doms = {d.name: sorted(p.name for p in d.processes) for d in src.runtime.sync_domains}
    assert doms == {"net": ["lif"], "AsyncProtocol_default": ["src"]}
    src.stop()
    src = Source(shape=(2,), name="src")
    lif = LIF(shape=(2,), name="lif")
    src.s_out.connect(lif.a_in)
    with pytest.raises(CompileError, match="implements AsyncProtocol, but sync domain 'bad' uses LoihiProtocol"):
        src.run(
            caldera.RunSteps(1),
            caldera.RunConfig(backend="cpu", custom_sync_domains=[SyncDomain("bad", LoihiProtocol, [src])]),
        )
