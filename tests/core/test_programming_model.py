"""The Lava programming model as users write it: a Process, its models, tags, scheduling kinds.

Every process and model here is defined at module level, next to each other,
which is how Caldera discovers user models (same module as the process).
"""

from __future__ import annotations

import threading

import caldera
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
    RunConfig,
    RunSteps,
    Var,
    implements,
    requires,
    tag,
)
from caldera.procs import LIF, Dense, Monitor


# -- a user process with a floating_pt and a fixed_pt model ------------------------------------
class Accumulator(Process):
    """Sends its count (send-first, written by hand), then adds what it receives plus ``step``."""

    def __init__(self, *, shape=(2,), step=1, count=0, name=None):
        super().__init__(shape=shape, step=step, name=name)
        self.inp = InPort(shape=shape)
        self.out = OutPort(shape=shape)
        self.count = Var(shape=shape, init=count)


@implements(proc=Accumulator, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class AccumulatorFloat(PyLoihiProcessModel):
    inp: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    count: np.ndarray = LavaPyType(np.ndarray, float)

    def run_spk(self) -> None:
        self.out.send(self.count)
        x = self.inp.recv()
        # the floating model adds half a step: tells the two models apart
        self.count += x + 0.5 * self.proc_params["step"]


@implements(proc=Accumulator, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class AccumulatorFixed(PyLoihiProcessModel):
    inp: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    count: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)

    def run_spk(self) -> None:
        self.out.send(self.count)
        x = self.inp.recv()
        self.count += x + self.proc_params["step"]


def test_user_model_has_no_schedule_so_it_runs_as_a_general_model():
    assert AccumulatorFloat.schedule is None
    assert AccumulatorFixed.schedule is None


@pytest.mark.parametrize(
    ("tag_", "expected", "dtype", "model"),
    [
        # count <- 2 * count + step/2  (it receives its own count, sent at the start of the step)
        ("floating_pt", [0.5, 1.5, 3.5, 7.5], np.float64, AccumulatorFloat),
        # count <- 2 * count + step
        ("fixed_pt", [1, 3, 7, 15], np.int32, AccumulatorFixed),
    ],
)
def test_floating_and_fixed_models_of_one_process_chosen_by_tag(tag_, expected, dtype, model):
    acc = Accumulator(step=1, name="acc")
    acc.out.connect(acc.inp)  # a recurrent loop through a send-before-receive user model
    mon = Monitor()
    mon.probe(acc.count, 4)
    acc.run(RunSteps(4), RunConfig(tag=tag_))
    try:
        assert type(acc.runtime.model_of(acc)) is model
        trace = mon.get_data()["acc"]["count"]
        np.testing.assert_array_equal(trace, np.repeat(np.array(expected)[:, None], 2, axis=1))
        got = acc.count.get()
        assert got.dtype == dtype
        np.testing.assert_array_equal(got, [expected[-1]] * 2)
    finally:
        acc.stop()


def test_default_tag_prefers_floating_pt():
    acc = Accumulator()
    acc.run(RunSteps(1))
    try:
        assert type(acc.runtime.model_of(acc)) is AccumulatorFloat
    finally:
        acc.stop()


def test_proc_params_keep_keyword_arguments():
    acc = Accumulator(shape=(3,), step=7, name="a")
    assert acc.proc_params["step"] == 7
    assert acc.proc_params["shape"] == (3,)
    assert acc.name == "a"
    assert acc.vars.member_names == ["count"]
    assert acc.in_ports.member_names == ["inp"]
    assert acc.out_ports.member_names == ["out"]
    assert acc.count.shape == (3,)


def test_send_first_user_model_in_a_loop_with_a_neuron():
    """Accumulator (general, greenlet) -> LIF (receive-first) -> back to Accumulator, same step.

    LIF: du=dv=1 so u = input and v = u; vth=2.5. Accumulator: count += spike + 1.
    step 1: sends 0, v=0, no spike, count=1
    step 2: sends 1, v=1, no spike, count=2
    step 3: sends 2, v=2, no spike, count=3
    step 4: sends 3, v=3 > 2.5: spike, count=5
    step 5: sends 5, v=5: spike, count=7
    """
    acc = Accumulator(shape=(1,), step=2, name="acc")  # floating model adds step/2 = 1
    lif = LIF(shape=(1,), du=1, dv=1, vth=2.5, name="lif")
    acc.out.connect(lif.a_in)
    lif.s_out.connect(acc.inp)
    mon = Monitor()
    mon.probe(acc.count, 5)
    mon.probe(lif.s_out, 5)
    mon.probe(acc.out, 5)
    acc.run(RunSteps(5), RunConfig(backend="cpu", tag="floating_pt"))  # cpu: the in-process schedule
    try:
        plan = acc.runtime.net.plan
        assert acc.runtime.model_of(acc) in plan.general
        assert acc.runtime.model_of(lif) in plan.recv_first
        data = mon.get_data()
        np.testing.assert_array_equal(data["acc"]["count"][:, 0], [1, 2, 3, 5, 7])
        np.testing.assert_array_equal(data["acc"]["out"][:, 0], [0, 1, 2, 3, 5])
        np.testing.assert_array_equal(data["lif"]["s_out"][:, 0], [0, 0, 0, 1, 1])
    finally:
        acc.stop()


# -- cycles ----------------------------------------------------------------------------------
class Relay(Process):
    """Receives, then sends what it received plus one (declared receive-first)."""

    def __init__(self, *, shape=(1,), name=None):
        super().__init__(shape=shape, name=name)
        self.inp = InPort(shape=shape)
        self.out = OutPort(shape=shape)


@implements(proc=Relay, protocol=LoihiProtocol)
@requires(CPU)
class RelayModel(PyLoihiProcessModel):
    schedule = "recv_first"
    inp: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)

    def run_spk(self) -> None:
        self.out.send(self.inp.recv() + 1)


class Waiter(Process):
    """A general user model that receives before it sends."""

    def __init__(self, *, shape=(1,), name=None):
        super().__init__(shape=shape, name=name)
        self.inp = InPort(shape=shape)
        self.out = OutPort(shape=shape)


@implements(proc=Waiter, protocol=LoihiProtocol)
@requires(CPU)
class WaiterModel(PyLoihiProcessModel):
    inp: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)

    def run_spk(self) -> None:
        self.out.send(self.inp.recv())


def test_cycle_of_neurons_without_synapse_is_a_compile_error_naming_them():
    a = LIF(shape=(2,), name="alpha")
    b = LIF(shape=(2,), name="beta")
    a.s_out.connect(b.a_in)
    b.s_out.connect(a.a_in)
    with pytest.raises(caldera.CycleError, match=r"(?s)(alpha.*beta|beta.*alpha)"):
        a.compile(RunConfig())
    assert a.runtime is None and b.runtime is None


def test_cycle_of_receive_first_user_models_is_rejected_at_run():
    r1, r2, r3 = Relay(name="r_one"), Relay(name="r_two"), Relay(name="r_three")
    r1.out.connect(r2.inp)
    r2.out.connect(r3.inp)
    r3.out.connect(r1.inp)
    with pytest.raises(caldera.CycleError) as info:
        r2.run(RunSteps(1))
    msg = str(info.value)
    for n in ("r_one", "r_two", "r_three"):
        assert n in msg
    assert r1.runtime is None


def test_cycle_broken_by_dense_runs():
    """LIF -> Dense(-1) -> LIF loop (the Dense sends first): the spike of step 1 comes back at step 2.

    du=0 (u integrates), dv=1 (v = u), vth=0.5, u starts at 1:
    step 1: u=1, v=1 spike; step 2: input -1 -> u=0, no spike; then nothing changes.
    """
    lif = LIF(shape=(1,), u=1.0, du=0, dv=1, vth=0.5, name="lif")
    dense = Dense(weights=np.array([[-1.0]]))
    lif.s_out.connect(dense.s_in)
    dense.a_out.connect(lif.a_in)
    mon = Monitor()
    mon.probe(lif.s_out, 4)
    mon.probe(lif.u, 4)
    lif.run(RunSteps(4), RunConfig(backend="cpu", tag="floating_pt"))
    try:
        assert lif.runtime.model_of(dense) in lif.runtime.net.plan.send_first
        np.testing.assert_array_equal(mon.get_data()["lif"]["s_out"][:, 0], [1, 0, 0, 0])
        np.testing.assert_array_equal(mon.get_data()["lif"]["u"][:, 0], [1, 0, 0, 0])
    finally:
        lif.stop()


def test_relay_chain_runs_in_topological_order():
    """Receive-first user models declared out of order still see same-step messages."""
    r1, r2, r3 = Relay(name="first"), Relay(name="second"), Relay(name="third")
    r2.out.connect(r3.inp)
    r1.out.connect(r2.inp)
    mon = Monitor()
    mon.probe(r3.out, 2)
    r3.run(RunSteps(2))
    try:
        np.testing.assert_array_equal(mon.get_data()["third"]["out"][:, 0], [3, 3])
    finally:
        r3.stop()


def _guarded(fn, limit: float = 120.0):
    """Run ``fn`` in a thread; fail (instead of hanging the suite) if it does not return."""
    result: dict = {}

    def target():
        try:
            fn()
        except BaseException as e:  # noqa: BLE001
            result["error"] = e

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(limit)
    assert not t.is_alive(), "the run hung"
    return result.get("error")


def test_loop_of_general_models_that_receive_first_is_a_deadlock_error():
    w1, w2 = Waiter(name="wait_a"), Waiter(name="wait_b")
    w1.out.connect(w2.inp)
    w2.out.connect(w1.inp)
    err = _guarded(lambda: w1.run(RunSteps(3)))
    assert isinstance(err, caldera.RunError)
    msg = str(err)
    assert "deadlock" in msg
    assert "wait_a" in msg and "wait_b" in msg
    assert err.step == 1
    with pytest.raises(caldera.RuntimeStateError):
        w1.run(RunSteps(1))
    w1.stop()


class Greedy(Process):
    def __init__(self, *, shape=(1,), name=None):
        super().__init__(shape=shape, name=name)
        self.inp = InPort(shape=shape)


@implements(proc=Greedy, protocol=LoihiProtocol)
@requires(CPU)
class GreedyModel(PyLoihiProcessModel):
    """Receives twice per step from a source that sends once."""

    inp: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)

    def run_spk(self) -> None:
        self.inp.recv()
        self.inp.recv()


def test_general_model_receiving_more_than_sent_is_a_deadlock_error():
    src = Relay(name="src")
    greedy = Greedy(name="greedy")
    src.out.connect(greedy.inp)
    err = _guarded(lambda: greedy.run(RunSteps(2)))
    assert isinstance(err, caldera.RunError)
    assert "deadlock" in str(err) and "greedy" in str(err)
    greedy.stop()


def test_default_name_policy_names_processes_made_without_a_name() -> None:
    from caldera.process import _default_name_policy, use_default_name_policy
    from caldera.procs import LIF

    previous = _default_name_policy
    asked: list[int] = []

    def policy(proc):
        asked.append(proc.id)
        return f"P{proc.id}" if proc.id % 2 == 0 else None

    use_default_name_policy(policy)
    try:
        a, b, c = LIF(shape=(1,)), LIF(shape=(1,)), LIF(shape=(1,), name="given")
    finally:
        use_default_name_policy(previous)
    even, odd = (a, b) if a.id % 2 == 0 else (b, a)
    assert even.name == f"P{even.id}" and odd.name == f"LIF_{odd.id}"  # None keeps caldera's name
    assert c.name == "given" and asked == [a.id, b.id]  # a given name is never asked about
