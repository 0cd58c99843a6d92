"""Shared helpers for the runtime tests: small networks and a process that fails on purpose."""

from __future__ import annotations

import os
import signal
import time

import caldera
import caldera.plugins
import numpy as np
import pytest
from caldera import (
    CPU,
    InPort,
    LavaPyType,
    LoihiProtocol,
    OutPort,
    Process,
    PyInPort,
    PyLoihiProcessModel,
    PyOutPort,
    implements,
    requires,
)
from caldera.procs import LIF, Dense, Monitor


class Bomb(Process):
    """Passes its input on; misbehaves at step ``at`` in phase ``phase`` (raise, hang, sleep, kill)."""

    def __init__(self, *, shape, at=5, mode="raise", phase="spk", name=None):
        super().__init__(shape=shape, at=at, mode=mode, phase=phase, name=name)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)


@implements(proc=Bomb, protocol=LoihiProtocol)
@requires(CPU)
class PyBomb(PyLoihiProcessModel):
    schedule = "recv_first"
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)

    def _misbehave(self) -> None:
        if self.time_step != self.proc_params["at"]:
            return
        mode = self.proc_params["mode"]
        if mode == "raise":
            raise ValueError("boom")
        if mode == "hang":
            while True:
                pass
        if mode == "sleep":
            time.sleep(1000)
        if mode == "kill":
            os.kill(os.getpid(), signal.SIGKILL)

    def run_spk(self) -> None:
        x = self.a_in.recv()
        if self.proc_params["phase"] == "spk":
            self._misbehave()
        self.s_out.send(x)

    def post_guard(self) -> bool:
        return self.proc_params["phase"] == "post_mgmt"

    def run_post_mgmt(self) -> None:
        self._misbehave()


def chain(mode: str = "none", where: str = "child", at: int = 5, phase: str = "spk"):
    """a -> d -> bomb -> d2 -> b; partitions put the bomb in the parent or in a child."""
    a = LIF(shape=(10,), du=0.1, dv=0.1, vth=1.0, bias_mant=0.3, name="a")
    d = Dense(weights=np.eye(10), name="d")
    bomb = Bomb(shape=(10,), mode=mode, at=at, phase=phase, name="bomb")
    d2 = Dense(weights=np.eye(10), name="d2")
    b = LIF(shape=(10,), du=0.1, dv=0.1, vth=1.0, name="b")
    a.s_out.connect(d.s_in)
    d.a_out.connect(bomb.a_in)
    bomb.s_out.connect(d2.s_in)
    d2.a_out.connect(b.a_in)
    parts = {"child": [[a, d], [bomb, d2, b]], "parent": [[bomb, d, a], [d2, b]], "single": 1}[where]
    return a, b, parts


def ei_network(n: int = 10_000, seed: int = 3, p: float = 0.002):
    """A sparse excitatory/inhibitory LIF network (80/20) with per-neuron bias, floating point."""
    from scipy import sparse

    rng = np.random.default_rng(seed)
    n_e = int(0.8 * n)
    n_i = n - n_e
    exc = LIF(shape=(n_e,), du=0.2, dv=0.05, vth=1.0, bias_mant=rng.uniform(0.02, 0.07, n_e), name="exc")
    inh = LIF(shape=(n_i,), du=0.2, dv=0.05, vth=1.0, bias_mant=rng.uniform(0.0, 0.04, n_i), name="inh")

    def w(rows, cols, scale):
        m = sparse.random(rows, cols, density=p, random_state=rng, format="csr")
        m.data = m.data * scale
        return m

    from caldera.procs import Sparse

    ee, ei = Sparse(weights=w(n_e, n_e, 0.5), name="ee"), Sparse(weights=w(n_i, n_e, 0.5), name="ei")
    ie, ii = Sparse(weights=w(n_e, n_i, -1.0), name="ie"), Sparse(weights=w(n_i, n_i, -1.0), name="ii")
    exc.s_out.connect([ee.s_in, ei.s_in])
    inh.s_out.connect([ie.s_in, ii.s_in])
    ee.a_out.connect(exc.a_in)
    ie.a_out.connect(exc.a_in)
    ei.a_out.connect(inh.a_in)
    ii.a_out.connect(inh.a_in)
    return exc, inh


def monitored_run(exc, inh, steps: int, cfg: caldera.RunConfig):
    m_e, m_i = Monitor(name="m_e"), Monitor(name="m_i")
    m_e.probe(exc.s_out, steps)
    m_i.probe(inh.s_out, steps)
    m_e.probe(exc.v, steps)
    exc.run(condition=caldera.RunSteps(num_steps=steps), run_cfg=cfg)
    out = {**{f"exc.{k}": v for k, v in m_e.get_data()["exc"].items()}, "inh.s_out": m_i.get_data()["inh"]["s_out"]}
    parts = len(exc.runtime.partitions)
    exc.stop()
    return out, parts


def _reap(children: list) -> None:
    for c in children:
        if c.is_alive():
            c.kill()
        c.join(2.0)


class Networks:
    """The networks (runtimes) built during one test."""

    def __init__(self) -> None:
        self.built: list = []

    def stop_all(self) -> None:
        while self.built:
            rt = self.built.pop()
            try:
                rt.stop()
            except BaseException:  # noqa: BLE001 - cleanup after a test that may have failed already
                if rt.group is not None:
                    rt.group.close()


@pytest.fixture(autouse=True)
def networks(monkeypatch):
    """Every network built during a test, stopped at its end whatever the test did."""
    from caldera.runtime import Runtime

    nets = Networks()
    init = Runtime.__init__

    def recording_init(self, *args, **kwargs):
        init(self, *args, **kwargs)
        nets.built.append(self)

    monkeypatch.setattr(Runtime, "__init__", recording_init)
    yield nets
    nets.stop_all()


@pytest.fixture
def no_children(networks):
    """Fails the test (and only it) if a child process outlives it.

    Children some earlier, unwatched test left behind are reaped silently first. At
    the end, the networks the test built are stopped (as the test should have done);
    children still alive after that were leaked: they are killed, and the test fails.
    """
    import multiprocessing as mp

    _reap(mp.active_children())
    yield
    networks.stop_all()
    deadline = time.monotonic() + 5
    while mp.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    left = mp.active_children()
    if left:
        names = ", ".join(f"{c.name} (pid {c.pid})" for c in left)
        _reap(left)
        pytest.fail(f"child processes left behind (now killed): {names}")


def sigint_is_delivered() -> bool:
    """Whether SIGINT reaches Python as KeyboardInterrupt here (not so in a background job of a
    non-interactive shell, which starts with SIGINT ignored)."""
    return signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.fixture(scope="session", autouse=True)
def _warm_plugins():
    """Load plugins and their models once, so timing bounds measure the runtime, not first imports."""
    caldera.plugins.backends()
    caldera.plugins.process_models()
    a = LIF(shape=(1,))
    a.run(caldera.RunSteps(1), caldera.RunConfig(backend="cpu"))
    a.stop()
