"""Lava-style script: connecting processes, hierarchical processes and sub-process models, remote memory access
(Lava's in-depth tutorials 5-7), through ``lava.*`` names only."""

from __future__ import annotations

import numpy as np
import pytest
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.ports import PyInPort, PyOutPort, PyRefPort, PyVarPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.model.sub.model import AbstractSubProcessModel
from lava.magma.core.process.ports.ports import InPort, OutPort, RefPort, VarPort
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var
from lava.magma.core.resources import CPU
from lava.magma.core.run_conditions import RunSteps
from lava.magma.core.run_configs import Loihi1SimCfg, Loihi2SimCfg
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol
from lava.proc.dense.process import Dense
from lava.proc.io.sink import RingBuffer as Sink
from lava.proc.io.source import RingBuffer as Source
from lava.proc.lif.process import LIF
from lava.proc.monitor.process import Monitor


# -- connecting processes ------------------------------------------------------------------------------------
class Sender(AbstractProcess):
    def __init__(self, shape=(1,), **kwargs):
        super().__init__(shape=shape, **kwargs)
        self.out = OutPort(shape=shape)
        self.value = Var(shape=shape, init=kwargs.get("value", 1))


class Receiver(AbstractProcess):
    def __init__(self, shape=(1,), **kwargs):
        super().__init__(shape=shape, **kwargs)
        self.inp = InPort(shape=shape)
        self.got = Var(shape=shape, init=0)


@implements(proc=Sender, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PySender(PyLoihiProcessModel):
    out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    value: np.ndarray = LavaPyType(np.ndarray, float)

    def run_spk(self):
        self.out.send(self.value * self.time_step)


@implements(proc=Receiver, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyReceiver(PyLoihiProcessModel):
    inp: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    got: np.ndarray = LavaPyType(np.ndarray, float)

    def run_spk(self):
        self.got[:] = self.inp.recv()


def test_one_to_one_one_to_many_and_many_to_one() -> None:
    s1 = Sender(shape=(3,), value=np.array([1.0, 2.0, 3.0]))
    s2 = Sender(shape=(3,), value=np.array([10.0, 20.0, 30.0]))
    r1, r2 = Receiver(shape=(3,)), Receiver(shape=(3,))
    s1.out.connect([r1.inp, r2.inp])  # one to many
    r2.inp.connect_from(s2.out)  # many to one: the messages are summed
    s1.run(RunSteps(num_steps=2), Loihi1SimCfg())
    np.testing.assert_array_equal(r1.got.get(), [2.0, 4.0, 6.0])
    np.testing.assert_array_equal(r2.got.get(), [22.0, 44.0, 66.0])
    s1.stop()


def test_virtual_ports_reshape_and_transpose() -> None:
    s = Sender(shape=(2, 3), value=np.arange(6.0).reshape(2, 3))
    r_flat, r_t = Receiver(shape=(6,)), Receiver(shape=(3, 2))
    s.out.flatten().connect(r_flat.inp)
    s.out.transpose([1, 0]).connect(r_t.inp)
    s.run(RunSteps(num_steps=1), Loihi1SimCfg())
    np.testing.assert_array_equal(r_flat.got.get(), np.arange(6.0))
    np.testing.assert_array_equal(r_t.got.get(), np.arange(6.0).reshape(2, 3).T)
    s.stop()


def test_shape_mismatch_is_refused_naming_both_ports() -> None:
    s, r = Sender(shape=(3,), name="s"), Receiver(shape=(4,), name="r")
    with pytest.raises(ValueError, match=r"s\.out.*r\.inp|r\.inp.*s\.out"):
        s.out.connect(r.inp)


def test_spikes_through_dense_arrive_one_step_later() -> None:
    spikes = np.zeros((2, 6))
    spikes[0, [0, 3]] = 1
    spikes[1, [1]] = 1
    src = Source(data=spikes)
    dense = Dense(weights=np.array([[2.0, 0.0], [0.0, 3.0]]))
    sink = Sink(shape=(2,), buffer=6)
    src.s_out.connect(dense.s_in)
    dense.a_out.connect(sink.a_in)
    src.run(RunSteps(num_steps=6), Loihi2SimCfg(select_tag="floating_pt"))
    want = np.zeros((2, 6))
    want[0, [1, 4]] = 2.0
    want[1, [2]] = 3.0
    np.testing.assert_array_equal(sink.data.get(), want)
    src.stop()


# -- hierarchical processes and sub-process models -------------------------------------------------------------
class DenseLayer(AbstractProcess):
    """Dense weights feeding LIF neurons, as one process."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        shape = kwargs["shape"]
        self.s_in = InPort(shape=(shape[1],))
        self.s_out = OutPort(shape=(shape[0],))
        self.weights = Var(shape=shape, init=kwargs.get("weights", 0))
        self.bias_mant = Var(shape=(shape[0],), init=kwargs.get("bias_mant", 0))
        self.vth = Var(shape=(1,), init=kwargs.get("vth", 10))
        self.v = Var(shape=(shape[0],), init=0)
        self.u = Var(shape=(shape[0],), init=0)


@implements(proc=DenseLayer, protocol=LoihiProtocol)
class SubDenseLayerModel(AbstractSubProcessModel):
    def __init__(self, proc):
        shape = proc.proc_params["shape"]
        self.dense = Dense(weights=proc.proc_params.get("weights"))
        self.lif = LIF(
            shape=(shape[0],),
            du=0.5,
            dv=0.25,
            bias_mant=proc.proc_params.get("bias_mant", 0),
            vth=proc.proc_params.get("vth", 10),
        )
        proc.in_ports.s_in.connect(self.dense.in_ports.s_in)
        self.dense.out_ports.a_out.connect(self.lif.in_ports.a_in)
        self.lif.out_ports.s_out.connect(proc.out_ports.s_out)
        proc.vars.weights.alias(self.dense.vars.weights)
        proc.vars.bias_mant.alias(self.lif.vars.bias_mant)
        proc.vars.vth.alias(self.lif.vars.vth)
        proc.vars.v.alias(self.lif.vars.v)
        proc.vars.u.alias(self.lif.vars.u)


def _lif_float(a_in, du, dv, bias, vth, u, v):
    u = u * (1 - du) + a_in
    v = v * (1 - dv) + u + bias
    s = v > vth
    return s, u, np.where(s, 0.0, v)


def test_hierarchical_layers_match_a_hand_computed_lif() -> None:
    w0 = np.array([[1.0, 0.5], [0.0, 2.0], [1.5, -1.0]])  # (3 out, 2 in)
    w1 = np.array([[0.6, 0.0, 0.3]])  # (1 out, 3 in)
    layer0 = DenseLayer(shape=(3, 2), weights=w0, bias_mant=np.array([0.4, 0.2, 0.0]), vth=1.0)
    layer1 = DenseLayer(shape=(1, 3), weights=w1, bias_mant=np.array([0.0]), vth=2.0)
    spikes = (np.arange(2 * 12).reshape(2, 12) % 3 == 0).astype(float)
    src = Source(data=spikes)
    src.s_out.connect(layer0.s_in)
    layer0.s_out.connect(layer1.s_in)
    mon = Monitor()
    mon.probe(layer1.v, 12)
    src.run(RunSteps(num_steps=12), Loihi1SimCfg(select_tag="floating_pt", select_sub_proc_model=True))
    got_v1 = mon.get_data()[layer1.name]["v"][:, 0]
    assert layer0.weights.get().shape == (3, 2)
    np.testing.assert_array_equal(layer0.weights.get(), w0)
    src.stop()

    # the same network by hand: a synapse delivers step t's spikes at t+1
    u0, v0, u1, v1 = np.zeros(3), np.zeros(3), np.zeros(1), np.zeros(1)
    a0, a1 = np.zeros(3), np.zeros(1)
    want = []
    for t in range(12):
        s0, u0, v0 = _lif_float(a0, 0.5, 0.25, np.array([0.4, 0.2, 0.0]), 1.0, u0, v0)
        s1, u1, v1 = _lif_float(a1, 0.5, 0.25, np.array([0.0]), 2.0, u1, v1)
        a0, a1 = w0 @ spikes[:, t], w1 @ s0.astype(float)
        want.append(v1[0])
    np.testing.assert_allclose(got_v1, want, rtol=1e-12, atol=1e-12)
    assert np.any(np.array(want) > 0) and np.any(np.array(want)[1:] == 0)  # it integrated and fired


def test_select_sub_proc_model_is_required_when_there_is_no_direct_model() -> None:
    layer = DenseLayer(shape=(2, 2), weights=np.eye(2))
    layer.run(RunSteps(num_steps=1), Loihi1SimCfg(select_sub_proc_model=True))
    layer.stop()


# -- remote memory access: RefPort and VarPort ------------------------------------------------------------
class Writer(AbstractProcess):
    """Reads a Var of another process and writes it back doubled, every step (management phase)."""

    def __init__(self, shape=(1,), **kwargs):
        super().__init__(shape=shape, **kwargs)
        self.ref = RefPort(shape=shape)
        self.seen = Var(shape=shape, init=0)


@implements(proc=Writer, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyWriter(PyLoihiProcessModel):
    ref: PyRefPort = LavaPyType(PyRefPort.VEC_DENSE, float)
    seen: np.ndarray = LavaPyType(np.ndarray, float)

    def post_guard(self):
        return True

    def run_post_mgmt(self):
        self.seen[:] = self.ref.read()
        self.ref.write(self.seen * 2)


class Holder(AbstractProcess):
    def __init__(self, shape=(1,), **kwargs):
        super().__init__(shape=shape, **kwargs)
        self.x = Var(shape=shape, init=kwargs.get("x", 1))
        self.x_port = VarPort(self.x)


@implements(proc=Holder, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyHolder(PyLoihiProcessModel):
    x: np.ndarray = LavaPyType(np.ndarray, float)
    x_port: PyVarPort = LavaPyType(PyVarPort.VEC_DENSE, float)

    def run_spk(self):
        self.x[:] = self.x + 1


@pytest.mark.parametrize("explicit_var_port", [True, False])
def test_refport_reads_and_writes_another_process_var(explicit_var_port: bool) -> None:
    holder = Holder(shape=(2,), x=np.array([1.0, 3.0]))
    writer = Writer(shape=(2,))
    if explicit_var_port:
        writer.ref.connect(holder.x_port)
    else:
        writer.ref.connect_var(holder.x)
    writer.run(RunSteps(num_steps=3), Loihi1SimCfg())
    # each step: x += 1 (spk), then the writer reads x and writes 2x (post_mgmt)
    x = np.array([1.0, 3.0])
    for _ in range(3):
        seen = x + 1
        x = 2 * seen
    np.testing.assert_array_equal(holder.x.get(), x)
    np.testing.assert_array_equal(writer.seen.get(), seen)
    writer.stop()
