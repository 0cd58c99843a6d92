"""Ports: virtual ports (reshape, flatten, transpose, concat), fan-in, unconnected InPorts, RefPorts."""

from __future__ import annotations

import caldera
import numpy as np
import pytest
from caldera import (
    CPU,
    InPort,
    LavaPyType,
    LoihiProtocol,
    Process,
    PyInPort,
    PyLoihiProcessModel,
    PyRefPort,
    RefPort,
    RunConfig,
    RunSteps,
    Var,
    VarPort,
    implements,
    requires,
    tag,
)
from caldera.procs import LIF, Monitor, RingBuffer, RingBufferSink

T = 4


def _data(shape, seed=0) -> np.ndarray:
    """Distinct values per element and step: data[..., t] is what a RingBuffer sends at step t+1."""
    size = int(np.prod(shape))
    base = np.arange(size, dtype=float).reshape(shape) + 1
    return np.stack([base * (10**t) + seed for t in range(T)], axis=-1)


def _received(sink: RingBufferSink) -> np.ndarray:
    """What the sink received, as (T, *shape)."""
    return np.moveaxis(sink.data.get(), -1, 0)


def _run(proc: Process, steps: int = T, tag_: str = "floating_pt") -> None:
    proc.run(RunSteps(steps), RunConfig(tag=tag_))


# -- virtual ports on the sending side ---------------------------------------------------------
def test_reshape_on_outport():
    src = RingBuffer(data=_data((2, 3)))
    sink = RingBufferSink(shape=(3, 2), buffer=T)
    src.s_out.reshape((3, 2)).connect(sink.a_in)
    _run(src)
    want = np.stack([_data((2, 3))[..., t].reshape(3, 2) for t in range(T)])
    np.testing.assert_array_equal(_received(sink), want)
    src.stop()


def test_flatten_on_outport():
    src = RingBuffer(data=_data((2, 3, 2)))
    sink = RingBufferSink(shape=(12,), buffer=T)
    src.s_out.flatten().connect(sink.a_in)
    _run(src)
    want = np.stack([_data((2, 3, 2))[..., t].flatten() for t in range(T)])
    np.testing.assert_array_equal(_received(sink), want)
    src.stop()


@pytest.mark.parametrize(("shape", "axes"), [((2, 3), None), ((2, 3, 4), (1, 2, 0)), ((2, 3, 4), (2, 0, 1))])
def test_transpose_on_outport(shape, axes):
    out_shape = tuple(np.transpose(np.zeros(shape), axes).shape)
    src = RingBuffer(data=_data(shape))
    sink = RingBufferSink(shape=out_shape, buffer=T)
    vp = src.s_out.transpose() if axes is None else src.s_out.transpose(axes)
    assert vp.shape == out_shape
    vp.connect(sink.a_in)
    _run(src)
    want = np.stack([np.transpose(_data(shape)[..., t], axes) for t in range(T)])
    np.testing.assert_array_equal(_received(sink), want)
    src.stop()


@pytest.mark.parametrize(("in_shape", "axes"), [((3, 2), None), ((2, 3, 4), (1, 2, 0))])
def test_transpose_in_front_of_inport(in_shape, axes):
    """Messages arrive in the transposed layout; the InPort sees them transposed back."""
    sink = RingBufferSink(shape=in_shape, buffer=T)
    vp = sink.a_in.transpose() if axes is None else sink.a_in.transpose(axes)
    sent_shape = tuple(np.transpose(np.zeros(in_shape), axes).shape)
    assert vp.shape == sent_shape
    src = RingBuffer(data=_data(sent_shape))
    src.s_out.connect(vp)
    _run(src)
    got = _received(sink)
    for t in range(T):
        x = _data(sent_shape)[..., t]
        assert got[t].shape == in_shape
        np.testing.assert_array_equal(np.transpose(got[t], axes), x)
    src.stop()


def test_reshape_in_front_of_inport():
    sink = RingBufferSink(shape=(2, 3), buffer=T)
    src = RingBuffer(data=_data((6,)))
    src.s_out.connect(sink.a_in.reshape((6,)))
    _run(src)
    want = np.stack([_data((6,))[..., t].reshape(2, 3) for t in range(T)])
    np.testing.assert_array_equal(_received(sink), want)
    src.stop()


def test_chained_virtual_ports():
    """flatten then reshape then transpose on the way out."""
    src = RingBuffer(data=_data((2, 6)))
    sink = RingBufferSink(shape=(4, 3), buffer=T)
    src.s_out.flatten().reshape((3, 4)).transpose().connect(sink.a_in)
    _run(src)
    want = np.stack([_data((2, 6))[..., t].reshape(3, 4).T for t in range(T)])
    np.testing.assert_array_equal(_received(sink), want)
    src.stop()


def test_concat_two_sources_into_one_inport():
    a = RingBuffer(data=_data((2,), seed=0))
    b = RingBuffer(data=_data((3,), seed=1000))
    sink = RingBufferSink(shape=(5,), buffer=T)
    a.s_out.concat_with(b.s_out, axis=0).connect(sink.a_in)
    _run(sink)
    want = np.stack([np.concatenate([_data((2,))[..., t], _data((3,), 1000)[..., t]]) for t in range(T)])
    np.testing.assert_array_equal(_received(sink), want)
    sink.stop()


def test_concat_along_second_axis_of_three_sources():
    shapes = [(2, 1), (2, 3), (2, 2)]
    srcs = [RingBuffer(data=_data(s, seed=100 * i)) for i, s in enumerate(shapes)]
    sink = RingBufferSink(shape=(2, 6), buffer=T)
    srcs[0].s_out.concat_with([srcs[1].s_out, srcs[2].s_out], axis=1).connect(sink.a_in)
    _run(sink)
    want = np.stack(
        [np.concatenate([_data(s, 100 * i)[..., t] for i, s in enumerate(shapes)], axis=1) for t in range(T)]
    )
    np.testing.assert_array_equal(_received(sink), want)
    sink.stop()


def test_concat_of_reshaped_sources_then_reshape():
    a = RingBuffer(data=_data((2, 2)))
    b = RingBuffer(data=_data((4,), seed=50))
    sink = RingBufferSink(shape=(2, 4), buffer=T)
    a.s_out.flatten().concat_with(b.s_out, axis=0).reshape((2, 4)).connect(sink.a_in)
    _run(sink)
    want = np.stack(
        [np.concatenate([_data((2, 2))[..., t].ravel(), _data((4,), 50)[..., t]]).reshape(2, 4) for t in range(T)]
    )
    np.testing.assert_array_equal(_received(sink), want)
    sink.stop()


def test_concat_shape_mismatch_is_rejected():
    a = RingBuffer(data=_data((2, 2)))
    b = RingBuffer(data=_data((3, 3)))
    with pytest.raises(caldera.PortConnectionError, match="concatenate"):
        a.s_out.concat_with(b.s_out, axis=0)


def test_reshape_to_other_size_is_rejected():
    a = RingBuffer(data=_data((2, 3)))
    with pytest.raises(caldera.PortConnectionError, match=r"reshape.*\(2, 3\).*\(4, 2\)"):
        a.s_out.reshape((4, 2))


# -- fan-in, fan-out, unconnected --------------------------------------------------------------
def test_fan_in_is_summed_and_fan_out_copies():
    a = RingBuffer(data=_data((3,)))
    b = RingBuffer(data=_data((3,), seed=7))
    c = RingBuffer(data=-2 * _data((3,)))
    s1 = RingBufferSink(shape=(3,), buffer=T)
    s2 = RingBufferSink(shape=(3,), buffer=T)
    for src in (a, b, c):
        src.s_out.connect(s1.a_in)
    a.s_out.connect(s2.a_in)
    _run(s1)
    want = np.moveaxis(_data((3,)) + _data((3,), 7) - 2 * _data((3,)), -1, 0)
    np.testing.assert_array_equal(_received(s1), want)
    np.testing.assert_array_equal(_received(s2), np.moveaxis(_data((3,)), -1, 0))
    s1.stop()


def test_fan_in_through_virtual_ports_is_summed():
    a = RingBuffer(data=_data((2, 3)))
    b = RingBuffer(data=_data((6,), seed=3))
    sink = RingBufferSink(shape=(6,), buffer=T)
    a.s_out.flatten().connect(sink.a_in)
    b.s_out.connect(sink.a_in)
    _run(sink)
    want = np.stack([_data((2, 3))[..., t].ravel() + _data((6,), 3)[..., t] for t in range(T)])
    np.testing.assert_array_equal(_received(sink), want)
    sink.stop()


class Recorder(Process):
    """Records what its InPort receives (and the dtype) in a Var."""

    def __init__(self, *, shape, name=None):
        super().__init__(shape=shape, name=name)
        self.a_in = InPort(shape=shape)
        self.last = Var(shape=shape, init=-1)
        self.calls = Var(shape=(1,), init=0)


@implements(proc=Recorder, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class RecorderModel(PyLoihiProcessModel):
    schedule = "recv_first"
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    last: np.ndarray = LavaPyType(np.ndarray, float)
    calls: np.ndarray = LavaPyType(np.ndarray, int)

    def run_spk(self) -> None:
        x = self.a_in.recv()
        assert x.shape == self.last.shape
        self.last[...] = x
        self.calls += 1


def test_unconnected_inport_receives_zeros():
    rec = Recorder(shape=(2, 3), name="rec")
    _run(rec, steps=3)
    np.testing.assert_array_equal(rec.last.get(), np.zeros((2, 3)))
    np.testing.assert_array_equal(rec.calls.get(), [3])
    rec.stop()


def test_unconnected_lif_input_is_zero():
    lif = LIF(shape=(2,), u=[4.0, -2.0], du=0.5, dv=0.0, vth=100.0)
    _run(lif, steps=2)
    # no input: u only decays
    np.testing.assert_array_equal(lif.u.get(), [1.0, -0.5])
    lif.stop()


def test_connect_to_parent_port_of_wrong_kind_is_rejected():
    rec = Recorder(shape=(2,))
    src = RingBuffer(data=_data((2,)))
    with pytest.raises(caldera.PortConnectionError):
        rec.a_in.connect(src.s_out)  # an InPort connects onward only to an InPort
    with pytest.raises(caldera.PortConnectionError):
        src.s_out.connect(rec.last)  # not a port


# -- RefPort / VarPort -------------------------------------------------------------------------
class Adder(Process):
    """Reads another process's Var through a RefPort after each step and adds ``amount`` to it."""

    def __init__(self, *, shape, amount=100.0, name=None):
        super().__init__(shape=shape, amount=amount, name=name)
        self.ref = RefPort(shape=shape)
        self.seen = Var(shape=shape, init=0)


@implements(proc=Adder, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class AdderModel(PyLoihiProcessModel):
    ref: PyRefPort = LavaPyType(PyRefPort.VEC_DENSE, float)
    seen: np.ndarray = LavaPyType(np.ndarray, float)

    def post_guard(self) -> bool:
        return True

    def run_post_mgmt(self) -> None:
        value = self.ref.read()
        self.seen[...] = value
        self.ref.write(value + self.proc_params["amount"])


class Holder(Process):
    """Exposes its Var through a VarPort."""

    def __init__(self, *, shape, name=None):
        super().__init__(shape=shape, name=name)
        self.x = Var(shape=shape, init=0)
        self.x_port = VarPort(self.x)


@implements(proc=Holder, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class HolderModel(PyLoihiProcessModel):
    schedule = "recv_first"
    x: np.ndarray = LavaPyType(np.ndarray, float)

    def run_spk(self) -> None:
        self.x += 1


def test_refport_reads_and_writes_a_var_in_post_mgmt():
    """LIF with bias 1, du=dv=0: v grows by 1 per step; the Adder adds 100 after every step.

    After step t (Adder done): v = 101 * t; the Adder saw v = 101 * (t - 1) + 1.
    """
    lif = LIF(shape=(2,), bias_mant=1.0, du=0.0, dv=0.0, vth=1e9, name="lif")
    adder = Adder(shape=(2,), name="adder")
    adder.ref.connect_var(lif.v)
    mon = Monitor()
    mon.probe(lif.v, 3)
    _run(adder, steps=3)
    try:
        np.testing.assert_array_equal(lif.v.get(), [303.0, 303.0])
        np.testing.assert_array_equal(adder.seen.get(), [203.0, 203.0])
        # the Monitor reads after the Adder wrote (monitors read last)
        np.testing.assert_array_equal(mon.get_data()["lif"]["v"][:, 0], [101.0, 202.0, 303.0])
    finally:
        adder.stop()


def test_refport_through_varport():
    holder = Holder(shape=(3,), name="holder")
    adder = Adder(shape=(3,), amount=10.0, name="adder")
    adder.ref.connect(holder.x_port)
    _run(holder, steps=2)  # compiled from the Var side: the Adder is found through the VarPort
    try:
        # step 1: x=1 -> seen 1, x=11; step 2: x=12 -> seen 12, x=22
        np.testing.assert_array_equal(holder.x.get(), [22.0] * 3)
        np.testing.assert_array_equal(adder.seen.get(), [12.0] * 3)
    finally:
        holder.stop()


def test_refport_shape_mismatch_is_rejected():
    lif = LIF(shape=(2,))
    adder = Adder(shape=(3,), name="adder3")
    with pytest.raises(caldera.PortConnectionError, match=r"adder3\.ref.*\(3,\).*\(2,\)"):
        adder.ref.connect_var(lif.v)


class _Mutator(Process):
    """Receives a vector and (badly behaved, but allowed) changes the received array in place."""

    def __init__(self, shape=(3,), **kwargs):
        super().__init__(shape=shape, **kwargs)
        self.a_in = InPort(shape=shape)
        self.seen = Var(shape=shape, init=0.0)


@implements(proc=_Mutator, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class _PyMutator(PyLoihiProcessModel):
    schedule = "recv_first"
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    seen: np.ndarray = LavaPyType(np.ndarray, float)

    def run_spk(self) -> None:
        a = self.a_in.recv()
        a += 1000.0  # must not reach the other receivers of the same message
        self.seen[:] = a


def test_receivers_own_their_messages():
    """Messages are handed out without a copy; with fan-out every receiver gets its own array."""
    data = _data((3,))
    src = RingBuffer(data=data)
    first, second = _Mutator(shape=(3,)), _Mutator(shape=(3,))
    mon = Monitor()
    src.s_out.connect(first.a_in)
    src.s_out.connect(second.a_in)
    mon.probe(src.s_out, T)
    src.run(RunSteps(T), RunConfig(backend="cpu", tag="floating_pt"))
    try:
        # each saw the message plus its own 1000, not the other's change too
        np.testing.assert_array_equal(first.seen.get(), data[:, -1] + 1000.0)
        np.testing.assert_array_equal(second.seen.get(), data[:, -1] + 1000.0)
        np.testing.assert_array_equal(mon.get_data()[src.name]["s_out"], np.moveaxis(data, -1, 0))
    finally:
        src.stop()
