"""ConvInTime, RFZero, Spiker and Receiver (Lava 0.10's processes) through caldera's own API on the cpu
backend: hand-checked values and bad input. (Lava's recorded traces: tests/lava/test_recorded_networks.py.)"""

from __future__ import annotations

import numpy as np
import pytest
from caldera import RunConfig, RunSteps
from caldera.errors import ParameterError, RunError
from caldera.procs import ConvInTime, InvSqrt, Receiver, RFZero, RingBuffer, RingBufferSink, Spiker
from caldera_cpu.models.more import inv_sqrt_fixed

FIXED = RunConfig(backend="cpu", tag="fixed_pt")
FLOAT = RunConfig(backend="cpu", tag="floating_pt")


@pytest.mark.parametrize("cfg", [FLOAT, FIXED], ids=["floating_pt", "fixed_pt"])
def test_conv_in_time_spreads_an_input_over_its_kernel(cfg) -> None:
    # kernel of 2 steps, 1 -> 1: an input at step t reaches the output at t+1 through weights[1], t+2 through weights[0]
    src = RingBuffer(data=np.array([[1, 0, 5, 0, 0]]))
    conv = ConvInTime(weights=np.array([[[1.0]], [[10.0]]]))  # num_message_bits 0: 5 counts as a spike
    sink = RingBufferSink(shape=(1,), buffer=5)
    src.s_out.connect(conv.s_in)
    conv.a_out.connect(sink.a_in)
    src.run(condition=RunSteps(num_steps=5), run_cfg=cfg)
    np.testing.assert_array_equal(sink.data.get(), [[0, 10, 1, 10, 1]])
    np.testing.assert_array_equal(conv.a_buff.get(), [[0, 0]])
    src.stop()


def test_conv_in_time_graded() -> None:
    src = RingBuffer(data=np.array([[2, 0, 0], [0, 3, 0]]))
    conv = ConvInTime(weights=np.array([[[1.0, 0.5]], [[2.0, -1.0]]]), num_message_bits=8)
    sink = RingBufferSink(shape=(1,), buffer=3)
    src.s_out.connect(conv.s_in)
    conv.a_out.connect(sink.a_in)
    src.run(condition=RunSteps(num_steps=3), run_cfg=FLOAT)
    # step 2: weights[1] @ (2, 0) = 4; step 3: weights[0] @ (2, 0) + weights[1] @ (0, 3) = 2 - 3
    np.testing.assert_array_equal(sink.data.get(), [[0, 4, -1]])
    src.stop()


def _rfzero_reference(lct: int, lst: int, u_in: list[int], uth: int) -> tuple[list[int], int, int]:
    """RFZero's arithmetic in Python integers (floor division), written out for one neuron."""
    u = v = 0
    out = []
    for x in u_in:
        nu = (u * lct) // 2**15 - (v * lst) // 2**15 + x
        nv = (v * lct) // 2**15 + (u * lst) // 2**15
        out.append(nu if nu > uth and nv >= 0 and v < 0 else 0)
        u, v = nu, nv
    return out, u, v


def test_rfzero_rotates_decays_and_fires_at_the_zero_crossing() -> None:
    steps = 25
    data = np.zeros((2, steps), dtype=int)
    data[:, 0] = [3000, 800]
    rf = RFZero(shape=(2,), freqs=np.array([40.0, 15.0]), decay_tau=np.array([0.2, 0.05]), dt=0.005, uth=50)
    src, sink = RingBuffer(data=data), RingBufferSink(shape=(2,), buffer=steps)
    src.s_out.connect(rf.u_in)
    rf.s_out.connect(sink.a_in)
    rf.run(condition=RunSteps(num_steps=steps), run_cfg=FIXED)
    lct, lst = rf.lct.get(), rf.lst.get()
    for i in range(2):
        # the decays: exp(-dt/tau) (cos, sin)(2 pi f dt) * 2**15, truncated
        decay, phase = np.exp(-0.005 / [0.2, 0.05][i]), 2 * np.pi * [40.0, 15.0][i] * 0.005
        assert (lct[i], lst[i]) == (int(decay * np.cos(phase) * 2**15), int(decay * np.sin(phase) * 2**15))
        out, u, v = _rfzero_reference(int(lct[i]), int(lst[i]), list(data[i]), 50)
        assert sink.data.get()[i].tolist() == out
        assert (rf.u.get()[i], rf.v.get()[i]) == (u, v)
    assert np.count_nonzero(sink.data.get()[0]) >= 2  # it fires, once per turn
    rf.stop()


def test_spiker_and_receiver() -> None:
    spk = Spiker(shape=(2,), period=3, payload=np.array([4, -2]))
    rec = Receiver(shape=(2,))
    sink = RingBufferSink(shape=(2,), buffer=8)
    spk.s_out.connect(rec.a_in)
    spk.s_out.connect(sink.a_in)
    spk.run(condition=RunSteps(num_steps=7), run_cfg=FIXED)
    # first at step period + 1 = 4, then every 3 steps
    np.testing.assert_array_equal(sink.data.get()[:, :7], [[0, 0, 0, 4, 0, 0, 4], [0, 0, 0, -2, 0, 0, -2]])
    np.testing.assert_array_equal(rec.payload.get(), [4, -2])
    np.testing.assert_array_equal(spk.counter.get(), [1, 1])
    spk.run(condition=RunSteps(num_steps=1), run_cfg=FIXED)
    np.testing.assert_array_equal(rec.payload.get(), [0, 0])
    spk.stop()


@pytest.mark.parametrize("x", [1, 7, 4096, 102400, 2**20 + 3, 2**24 - 1])
def test_fixed_point_inverse_square_root_is_within_a_step(x: int) -> None:
    exact = 2**12 / np.sqrt(x / 2**12)
    assert abs(inv_sqrt_fixed(x) - exact) <= max(2.0, 0.01 * exact)  # Lava's algorithm: within 1%


def test_inv_sqrt_models() -> None:
    for cfg, data, want in ((FIXED, [[4096, 0, 16384]], [[4096, 0, 2048]]), (FLOAT, [[4.0, 0.25]], [[0.5, 2.0]])):
        src = RingBuffer(data=np.array(data))
        inv = InvSqrt(shape=(1,))
        sink = RingBufferSink(shape=(1,), buffer=len(data[0]))
        src.s_out.connect(inv.a_in)
        inv.s_out.connect(sink.a_in)
        src.run(condition=RunSteps(num_steps=len(data[0])), run_cfg=cfg)
        np.testing.assert_allclose(sink.data.get(), np.array(want), atol=1 if cfg is FIXED else 0)
        src.stop()
    src = RingBuffer(data=np.array([[-5]]))
    inv = InvSqrt(shape=(1,))
    src.s_out.connect(inv.a_in)
    with pytest.raises(RunError, match=r"input -5 is outside the 24-bit range"):
        src.run(condition=RunSteps(num_steps=1), run_cfg=FIXED)
    src.stop()


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: ConvInTime(weights=np.ones((2, 2))), r"ConvInTime: weights must be a 3-D array"),
        (lambda: ConvInTime(weights=np.ones((2, 1, 1)), num_message_bits=-1), r"num_message_bits=-1 is outside"),
        (lambda: RFZero(shape=(2,), freqs=[1.0, 2.0], decay_tau=[0.0, 1.0]), r"RFZero: decay_tau must be non-zero"),
        (lambda: RFZero(shape=(2,), freqs=[1.0, 2.0, 3.0], decay_tau=1.0), r"RFZero: freqs of shape \(3,\)"),
        (lambda: Spiker(shape=(2,), period=0), r"Spiker: period must be >= 1"),
        (lambda: Spiker(shape=(2,), payload=[1, 2, 3]), r"Spiker: payload must be one integer or \(2,\)"),
        (lambda: Spiker(period=2.5), r"Spiker: period must be an integer"),
        (lambda: Receiver(shape=()), r"Receiver: shape must be"),
    ],
)
def test_bad_input(make, match) -> None:
    with pytest.raises(ParameterError, match=match):
        make()
