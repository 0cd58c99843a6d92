"""Hierarchical processes: a sub-process model builds LIF -> Dense -> LIF and aliases Vars."""

from __future__ import annotations

import numpy as np
import pytest
from caldera import (
    AbstractSubProcessModel,
    InPort,
    LoihiProtocol,
    OutPort,
    Process,
    RunConfig,
    RunSteps,
    Var,
    implements,
)
from caldera.procs import LIF, Dense, Monitor, RingBuffer

STEPS = 12


class TwoLayer(Process):
    """A two-layer network as one process: a_in -> LIF -> Dense -> LIF -> s_out."""

    def __init__(self, *, weights, du=0.0, dv=0.0, vth=1.0, name=None):
        super().__init__(weights=weights, du=du, dv=dv, vth=vth, name=name)
        n_out, n_in = np.shape(weights)
        self.a_in = InPort(shape=(n_in,))
        self.s_out = OutPort(shape=(n_out,))
        self.v_in = Var(shape=(n_in,), init=0)
        self.u_out = Var(shape=(n_out,), init=0)
        self.v_out = Var(shape=(n_out,), init=0)


@implements(proc=TwoLayer, protocol=LoihiProtocol)
class TwoLayerModel(AbstractSubProcessModel):
    def __init__(self, proc):
        super().__init__(proc)
        p = proc.proc_params
        w = np.asarray(p["weights"])
        kw = dict(du=p["du"], dv=p["dv"], vth=p["vth"])
        self.lif_in = LIF(shape=(w.shape[1],), **kw)
        self.dense = Dense(weights=w)
        self.lif_out = LIF(shape=(w.shape[0],), **kw)
        proc.a_in.connect(self.lif_in.a_in)
        self.lif_in.s_out.connect(self.dense.s_in)
        self.dense.a_out.connect(self.lif_out.a_in)
        self.lif_out.s_out.connect(proc.s_out)
        proc.v_in.alias(self.lif_in.v)
        proc.u_out.alias(self.lif_out.u)
        proc.v_out.alias(self.lif_out.v)


def _inputs(tag: str) -> np.ndarray:
    rng = np.random.default_rng(7)
    x = rng.integers(0, 4, size=(3, STEPS))
    return x.astype(float) if tag == "floating_pt" else x.astype(np.int32)


def _params(tag: str) -> dict:
    w = np.array([[2, 1, 0], [0, -1, 3]])
    if tag == "floating_pt":
        return dict(weights=w.astype(float), du=0.25, dv=0.125, vth=2.5)
    return dict(weights=w, du=1024, dv=512, vth=3)


def _flat(tag: str, split: int | None = None, set_v: np.ndarray | None = None) -> dict:
    p = _params(tag)
    kw = dict(du=p["du"], dv=p["dv"], vth=p["vth"])
    src = RingBuffer(data=_inputs(tag))
    l1 = LIF(shape=(3,), name="flat_in", **kw)
    d = Dense(weights=p["weights"])
    l2 = LIF(shape=(2,), name="flat_out", **kw)
    src.s_out.connect(l1.a_in)
    l1.s_out.connect(d.s_in)
    d.a_out.connect(l2.a_in)
    mon = Monitor()
    for target in (l1.v, l2.u, l2.v, l2.s_out):
        mon.probe(target, STEPS)
    cfg = RunConfig(tag=tag)
    if split is None:
        src.run(RunSteps(STEPS), cfg)
    else:
        src.run(RunSteps(split), cfg)
        l2.v.set(set_v)
        src.run(RunSteps(STEPS - split), cfg)
    data = mon.get_data()
    out = {
        "v_in": data["flat_in"]["v"],
        "u_out": data["flat_out"]["u"],
        "v_out": data["flat_out"]["v"],
        "s_out": data["flat_out"]["s_out"],
        "final_v_out": l2.v.get(),
    }
    src.stop()
    return out


def _hier(tag: str, split: int | None = None, set_v: np.ndarray | None = None) -> dict:
    src = RingBuffer(data=_inputs(tag))
    net = TwoLayer(name="net", **_params(tag))
    src.s_out.connect(net.a_in)
    mon = Monitor()
    for target in (net.v_in, net.u_out, net.v_out, net.s_out):
        mon.probe(target, STEPS)
    cfg = RunConfig(tag=tag)
    if split is None:
        net.run(RunSteps(STEPS), cfg)
    else:
        net.run(RunSteps(split), cfg)
        net.v_out.set(set_v)
        np.testing.assert_array_equal(net.v_out.get(), set_v)
        net.run(RunSteps(STEPS - split), cfg)
    data = mon.get_data()["net"]
    out = dict(data)
    out["final_v_out"] = net.v_out.get()
    # the aliased Var reads the child's state
    np.testing.assert_array_equal(net.v_out.get(), net.runtime.model_of(_child(net, LIF, -1)).v)
    net.stop()
    return out


def _child(net: Process, cls: type, index: int) -> Process:
    return [p for p in net.sub_procs.values() if isinstance(p, cls)][index]


@pytest.mark.parametrize("tag", ["floating_pt", "fixed_pt"])
def test_hierarchical_equals_flat(tag):
    flat = _flat(tag)
    hier = _hier(tag)
    assert flat["s_out"].any(), "the scenario should make the output layer spike"
    for key in ("v_in", "u_out", "v_out", "s_out", "final_v_out"):
        np.testing.assert_array_equal(hier[key], flat[key], err_msg=key)


@pytest.mark.parametrize("tag", ["floating_pt", "fixed_pt"])
def test_set_aliased_var_between_runs_equals_flat(tag):
    set_v = np.array([1, 2], dtype=float if tag == "floating_pt" else np.int32)
    flat = _flat(tag, split=5, set_v=set_v)
    hier = _hier(tag, split=5, set_v=set_v)
    for key in ("v_in", "u_out", "v_out", "s_out", "final_v_out"):
        np.testing.assert_array_equal(hier[key], flat[key], err_msg=key)


def test_aliased_var_get_set_before_and_after_run():
    net = TwoLayer(weights=np.array([[1.0, 0.0]]), du=0.0, dv=0.0, vth=100.0, name="net")
    net.v_in.set(np.array([3.0, 4.0]))  # before the run: sets the child's initial value
    np.testing.assert_array_equal(net.v_in.get(), [3.0, 4.0])
    net.run(RunSteps(1), RunConfig(tag="floating_pt"))
    try:
        lif_in = _child(net, LIF, 0)
        assert net.v_in.get().dtype == np.float64
        # dv=0: v keeps its value, no input, no bias
        np.testing.assert_array_equal(net.v_in.get(), [3.0, 4.0])
        np.testing.assert_array_equal(lif_in.v.get(), [3.0, 4.0])
        net.v_in.set(np.array([5.0, 6.0]))
        np.testing.assert_array_equal(lif_in.v.get(), [5.0, 6.0])
        net.run(RunSteps(1))
        np.testing.assert_array_equal(net.v_in.get(), [5.0, 6.0])
    finally:
        net.stop()
    # readable after stop
    np.testing.assert_array_equal(net.v_in.get(), [5.0, 6.0])


def test_children_are_built_and_belong_to_the_parent():
    net = TwoLayer(weights=np.ones((2, 3)), name="net")
    net.run(RunSteps(1))
    try:
        kids = list(net.sub_procs.values())
        assert sorted(type(k).__name__ for k in kids) == ["Dense", "LIF", "LIF"]
        assert all(k.parent is net for k in kids)
        leaves = net.runtime.net.leaves
        assert net not in leaves and all(k in leaves for k in kids)
    finally:
        net.stop()


def test_virtual_port_into_parent_port_and_monitor_of_parent_outport():
    """A reshaped source feeds the parent's InPort; the parent's OutPort is probed."""
    data = np.zeros((1, 3, 4))
    data[0, :, 0] = [5.0, 0.0, 5.0]  # strong input at step 1 to neurons 0 and 2
    src = RingBuffer(data=data)
    net = TwoLayer(weights=np.array([[1.0, 0.0, 1.0]]), du=1.0, dv=1.0, vth=1.5, name="net")
    src.s_out.reshape((3,)).connect(net.a_in)
    mon = Monitor()
    mon.probe(net.s_out, 4)
    mon.probe(net.v_in, 4)
    src.run(RunSteps(4), RunConfig(tag="floating_pt"))
    try:
        d = mon.get_data()["net"]
        # du=dv=1: v = input; neurons 0 and 2 spike at step 1 (v=5 > 1.5, then reset to 0)
        np.testing.assert_array_equal(d["v_in"], np.zeros((4, 3)))
        # Dense delivers 1 + 1 = 2 at step 2: the output neuron spikes at step 2
        np.testing.assert_array_equal(d["s_out"][:, 0], [0, 1, 0, 0])
    finally:
        src.stop()


def test_refport_to_an_aliased_parent_var():
    from tests.core.test_ports import Adder

    net = TwoLayer(weights=np.array([[0.0]]), du=0.0, dv=0.0, vth=1e9, name="net")
    adder = Adder(shape=(1,), amount=5.0, name="adder")
    adder.ref.connect_var(net.v_out)
    adder.run(RunSteps(3), RunConfig(tag="floating_pt"))
    try:
        np.testing.assert_array_equal(net.v_out.get(), [15.0])
        np.testing.assert_array_equal(_child(net, LIF, -1).v.get(), [15.0])
    finally:
        adder.stop()
