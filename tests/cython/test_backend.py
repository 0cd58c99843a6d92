"""The cython backend as a plugin: registration, executor choice, Var access, mixed partitions, run control."""

from __future__ import annotations

import time

import caldera
import numpy as np
import pytest
from caldera import RunSteps, plugins
from caldera.model import LavaPyType, PyInPort, PyLoihiProcessModel, PyOutPort, implements, requires, tag
from caldera.ports import InPort, OutPort
from caldera.process import Process
from caldera.procs import LIF, Dense, RingBuffer
from caldera.protocols import LoihiProtocol
from caldera.resources import CPU
from caldera_cython import _kernels as K
from caldera_cython.models import MODELS
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import assert_same, run_traces


# -- a user's Python model without a static schedule (runs on the core's executor) -------------
class Doubler(Process):
    """Sends twice what it receives, in the same step."""

    def __init__(self, *, shape, name=None):
        super().__init__(shape=shape, name=name)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)


@implements(proc=Doubler, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyDoublerFloat(PyLoihiProcessModel):
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)

    def run_spk(self):
        self.s_out.send(2 * self.a_in.recv())


@implements(proc=Doubler, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyDoublerFixed(PyLoihiProcessModel):
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32)

    def run_spk(self):
        self.s_out.send(2 * self.a_in.recv())


def _chain(tag: str, with_user_model: bool):
    def build():
        rng = np.random.default_rng(7)
        fixed = tag == "fixed_pt"
        src = RingBuffer(data=(rng.random((6, 11)) < 0.5).astype(np.int32 if fixed else float))
        d1 = Dense(weights=rng.integers(-40, 120, (5, 6)) if fixed else rng.uniform(-0.3, 1, (5, 6)))
        a = LIF(
            shape=(5,),
            du=500 if fixed else 0.2,
            dv=300 if fixed else 0.1,
            vth=90 if fixed else 0.8,
            bias_mant=rng.integers(0, 60, 5) if fixed else rng.uniform(0, 0.2, 5),
        )
        d2 = Dense(weights=rng.integers(-50, 200, (4, 5)) if fixed else rng.uniform(-0.5, 2, (4, 5)))
        b = LIF(shape=(4,), du=400 if fixed else 0.3, dv=100 if fixed else 0.05, vth=60 if fixed else 0.7)
        src.s_out.connect(d1.s_in)
        d1.a_out.connect(a.a_in)
        procs = {"src": src, "d1": d1, "a": a, "d2": d2, "b": b}
        if with_user_model:
            dbl = Doubler(shape=(4,))
            d2.a_out.connect(dbl.a_in)
            dbl.s_out.connect(b.a_in)
            procs["dbl"] = dbl
        else:
            d2.a_out.connect(b.a_in)
        a.s_out.connect(d2.s_in)
        return procs, [("a", "v"), ("a", "s_out"), ("b", "u"), ("b", "v"), ("d2", "a_out")]

    return build


def test_backend_is_registered_and_default():
    bs = plugins.backends()
    assert bs["cython"].priority > bs["cpu"].priority
    assert plugins.default_backend().name == "cython"
    registered = {m for p, m in plugins.process_models() if p == bs["cython"].plugin}
    assert set(MODELS) <= registered


def test_accepts_generic_python_models():
    accepts = plugins.backends()["cython"].accepts
    assert accepts(PyDoublerFloat)
    assert all(accepts(m) for m in MODELS)
    assert not accepts(int)


def test_default_run_uses_cython_and_compiles_the_loop():
    lif = LIF(shape=(3,), du=0.1, dv=0.1, vth=1.0, bias_mant=0.3)
    lif.run(condition=RunSteps(num_steps=4))
    rt = lif._runtime
    assert rt.backend == "cython"
    assert rt.executor.compiled
    assert type(rt.model_of(lif)).__module__ == "caldera_cython.models"
    # v: 0.3, 0.57, 0.813, 1.0317 -> spike at step 4, reset to 0
    np.testing.assert_allclose(lif.v.get(), 0.0)
    np.testing.assert_allclose(lif.u.get(), 0.0)
    lif.stop()


@pytest.mark.parametrize("tag", ["fixed_pt", "floating_pt"])
def test_mixed_partition_falls_back_with_compiled_kernels(tag):
    build = _chain(tag, with_user_model=True)
    want, _ = run_traces(build, "cpu", tag, 11)
    got, ex = run_traces(build, "cython", tag, 11)
    assert not ex.compiled
    assert "Doubler" in ex.reason or "static schedule" in ex.reason
    assert_same(got, want, tag)


@pytest.mark.parametrize("tag", ["fixed_pt", "floating_pt"])
def test_var_set_between_runs_matches_cpu(tag):
    fixed = tag == "fixed_pt"

    def between(procs, i):
        if i == 0:
            procs["d1"].weights.set(np.full((5, 6), 100 if fixed else 0.9))
            procs["a"].v.set(np.arange(5) * (1000 if fixed else 0.1))
            procs["a"].bias_mant.set(np.full(5, 7 if fixed else 0.05))
            procs["b"].vth.set(np.array([3 if fixed else 0.2]))
        elif i == 1:
            procs["a"].du.set(np.array([4095 if fixed else 1.0]))

    build = _chain(tag, with_user_model=False)
    want, _ = run_traces(build, "cpu", tag, 12, chunks=[4, 3, 5], between=between)
    got, ex = run_traces(build, "cython", tag, 12, chunks=[4, 3, 5], between=between)
    assert ex.compiled
    assert_same(got, want, tag)


def test_get_returns_the_state_the_loop_computed():
    a = LIF(shape=(2,), du=0, dv=0, vth=100, bias_mant=np.array([1.0, 2.0]))
    a.run(condition=RunSteps(num_steps=5))
    np.testing.assert_array_equal(a.v.get(), [5.0, 10.0])
    a.v.set(np.array([-1.0, 0.0]))
    a.run(condition=RunSteps(num_steps=2))
    np.testing.assert_array_equal(a.v.get(), [1.0, 4.0])
    assert a._runtime.time_step == 7
    assert a._runtime.model_of(a).time_step == 7
    a.stop()


def test_continuous_run_pauses_and_continues():
    a = LIF(shape=(2,), du=0, dv=0, vth=1e12, bias_mant=1.0)
    a.run(condition=caldera.RunContinuous())
    time.sleep(0.05)
    a.pause()
    t = a._runtime.time_step
    assert t > 0
    np.testing.assert_array_equal(a.v.get(), [float(t)] * 2)
    a.run(condition=RunSteps(num_steps=3))
    np.testing.assert_array_equal(a.v.get(), [float(t + 3)] * 2)
    a.stop()


def test_monitor_probes_match_cpu_for_ports_and_vars():
    def build():
        src = RingBuffer(data=np.eye(3, 8))
        d = Dense(weights=np.array([[1.0, 2.0, 3.0]]))
        a = LIF(shape=(1,), du=0.5, dv=0.5, vth=2.0)
        src.s_out.connect(d.s_in)
        d.a_out.connect(a.a_in)
        return {"src": src, "d": d, "a": a}, [("src", "s_out"), ("d", "a_out"), ("d", "a_buff"), ("a", "u")]

    want, _ = run_traces(build, "cpu", "floating_pt", 8)
    got, ex = run_traces(build, "cython", "floating_pt", 8)
    assert ex.compiled
    assert_same(got, want, "floating_pt")
    np.testing.assert_array_equal(got["d.a_out"][:, 0], [0, 1, 2, 3, 0, 0, 0, 0])


# -- the fixed-point kernel on its own, against caldera.arith ----------------------------------
@settings(max_examples=200, deadline=None)
@given(
    u=st.integers(-(2**23) + 1, 2**23),
    v=st.integers(-(2**23) + 1, 2**23 - 1),
    a=st.integers(-(2**31), 2**31 - 1),
    du=st.integers(0, 4095),
    dv=st.integers(0, 4095),
    eb=st.integers(-4096 * 128, 4095 * 128),
    vth=st.integers(0, 131071),
)
def test_lif_fixed_kernel_matches_arith(u, v, a, du, dv, eb, vth):
    from caldera import arith

    ua, va = np.array([u], np.int32), np.array([v], np.int32)
    mu = np.array([(4096 - (du + 1)) / 4096])
    mv = np.array([(4096 - dv) / 4096])
    th = np.array([vth << 6], np.int64)
    k = K.LifFixedKernel(ua, va, mu, mv, np.array([eb], np.int32), th, th)
    k.inputs[0][0] = a
    k.py_step(1)
    with np.errstate(over="ignore"):
        u2 = arith.wrap_u(
            arith.decay_reference(np.array([u], np.int32), du + 1) + np.left_shift(np.array([a], np.int32), 6)
        )
        v2 = arith.saturate_v(arith.decay_reference(np.array([v], np.int32), dv) + u2 + np.int32(eb))
    spike = v2[0] > (vth << 6)
    assert ua[0] == u2[0]
    assert va[0] == (0 if spike else v2[0])
    assert k.outputs[0][0] == int(spike)


# -- a cython partition between cpu partitions: messages cross in both directions ---------------
def _three_populations():
    a = LIF(shape=(4,), du=300, dv=400, vth=60, bias_mant=np.array([40, 55, 70, 85]), bias_exp=6, name="a")
    ab = Dense(weights=np.array([[30, 80, -20, 60]] * 3), name="ab")
    b = LIF(shape=(3,), du=500, dv=300, vth=50, name="b")
    bc = Dense(weights=np.array([[90, 70, 50], [-40, 80, 60]]), name="bc")
    c = LIF(shape=(2,), du=200, dv=100, vth=40, name="c")
    a.s_out.connect(ab.s_in)
    ab.a_out.connect(b.a_in)
    b.s_out.connect(bc.s_in)
    bc.a_out.connect(c.a_in)
    return a, b, c


def test_a_cython_partition_exchanges_messages_with_cpu_partitions():
    """The compiled loop wires buffers within its partition only: a partition fed by (and feeding) another
    runs on the core's executor, with the same numbers as one cpu partition (it used to wait for ever)."""
    a, b, c = _three_populations()
    a.run(RunSteps(30), caldera.RunConfig(backend="cpu", tag="fixed_pt"))
    want = [(p.u.get(), p.v.get()) for p in (a, b, c)]
    a.stop()
    np.testing.assert_array_equal(want[2][0], [203479, 96892])  # the input reached the last population
    a, b, c = _three_populations()
    a.run(RunSteps(30), caldera.RunConfig(backend="cpu", tag="fixed_pt", backend_map={b: "cython"}))
    try:
        assert sorted(p.backend.name for p in a.runtime.partitions) == ["cpu", "cython"]
        for p, (u, v) in zip((a, b, c), want):
            np.testing.assert_array_equal(p.u.get(), u)
            np.testing.assert_array_equal(p.v.get(), v)
    finally:
        a.stop()
