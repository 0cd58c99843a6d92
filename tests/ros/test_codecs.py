"""Encoders and decoders as caldera processes, without ROS: exact spike trains and read-outs."""

from __future__ import annotations

import caldera
import numpy as np
import pytest
from caldera.errors import ParameterError
from caldera.procs import LIF, Dense, RingBuffer, RingBufferSink
from caldera_ros import Argmax, LatencyEncoder, PopulationVector, RateEncoder, SpikeCounter, StateReader


def _run(src_data: np.ndarray, proc, tag: str = "floating_pt", backend: str = "cpu") -> np.ndarray:
    """Feed ``src_data`` (shape (*in_shape, T)) into ``proc`` and record what it sends, one row per step."""
    steps = src_data.shape[-1]
    src = RingBuffer(data=src_data)
    src.s_out.connect(proc.a_in)
    out = proc.s_out if hasattr(proc, "s_out") else proc.a_out
    sink = RingBufferSink(shape=out.shape, buffer=steps)
    out.connect(sink.a_in)
    src.run(caldera.RunSteps(steps), caldera.RunConfig(backend=backend, tag=tag))
    data = sink.data.get()
    src.stop()
    return np.moveaxis(data, -1, 0)


@pytest.mark.parametrize("tag", ["floating_pt", "fixed_pt"])
def test_rate_encoder_deterministic_train(tag):
    # values 0, 1, 2, 4 in [0, 4]: never, every 4th, every 2nd, every step (integers: fixed_pt sources send int32)
    x = np.repeat(np.array([[0.0], [1.0], [2.0], [4.0]]), 8, axis=1)
    s = _run(x, RateEncoder(shape=(4,), hi=4), tag)
    assert s.dtype == (np.int32 if tag == "fixed_pt" else float)
    np.testing.assert_array_equal(s[:, 0], np.zeros(8))
    np.testing.assert_array_equal(s[:, 1], [0, 0, 0, 1, 0, 0, 0, 1])
    np.testing.assert_array_equal(s[:, 2], [0, 1] * 4)
    np.testing.assert_array_equal(s[:, 3], np.ones(8))


def test_rate_encoder_range_clip_and_poisson_rate():
    x = np.repeat(np.array([[-5.0], [15.0], [30.0]]), 8, axis=1)
    s = _run(x, RateEncoder(shape=(3,), lo=10, hi=20, max_rate=0.5))
    np.testing.assert_array_equal(s.sum(axis=0), [0, 2, 4])
    x = np.full((200, 500), 0.3)
    s = _run(x, RateEncoder(shape=(200,), poisson=True, seed=4))
    assert abs(s.mean() - 0.3) < 0.01  # 100,000 Bernoulli(0.3) draws: sd 0.0015
    again = _run(x, RateEncoder(shape=(200,), poisson=True, seed=4))
    np.testing.assert_array_equal(s, again)


def test_latency_encoder_spike_times():
    # window 5: r=1 at once, r=0.5 after 2 steps, r=0.25 after 3 (rint(3.0)), r=0 never
    x = np.repeat(np.array([[1.0], [0.5], [0.25], [0.0]]), 10, axis=1)
    s = _run(x, LatencyEncoder(shape=(4,), window=5))
    assert [list(np.flatnonzero(s[:, i])) for i in range(4)] == [[0, 5], [2, 7], [3, 8], []]


def test_latency_encoder_latches_at_window_start():
    x = np.array([[1.0, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0]])
    s = _run(x, LatencyEncoder(shape=(1,), window=4))
    # window 1 latched 1.0 (spike at step 1); window 2 latched 0.5 at its first step: rint(1.5) = 2 -> step 7
    assert list(np.flatnonzero(s[:, 0])) == [0, 6]


def test_spike_counter_window_and_rate():
    spikes = np.array([[1, 1, 0, 1, 0, 0, 1], [0, 0, 0, 0, 0, 0, 0]], dtype=float)
    c = _run(spikes, SpikeCounter(shape=(2,), window=3))
    np.testing.assert_array_equal(c[:, 0], [1, 2, 2, 2, 1, 1, 1])
    np.testing.assert_array_equal(c[:, 1], np.zeros(7))
    r = _run(spikes, SpikeCounter(shape=(2,), window=2, rate=True))
    np.testing.assert_array_equal(r[:, 0], [0.5, 1.0, 0.5, 0.5, 0.5, 0.0, 0.5])


def test_population_vector_centroid_and_default():
    shape = (3, 4)
    frames = np.zeros((*shape, 4))
    frames[0, 1, 1] = 1  # step 2: one neuron at (0, 1)
    frames[2, 3, 2] = 3  # step 3: three spikes' worth at (2, 3)
    pv = PopulationVector(shape=shape, vectors=PopulationVector.grid(shape), window=2, default=[-1, -1])
    out = _run(frames, pv)
    np.testing.assert_array_equal(out[0], [-1, -1])
    np.testing.assert_array_equal(out[1], [0, 1])
    np.testing.assert_allclose(out[2], [(0 + 2 * 3) / 4, (1 + 3 * 3) / 4])
    np.testing.assert_array_equal(out[3], [2, 3])


def test_argmax_values_ties_and_default():
    spikes = np.array([[0, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 0]], dtype=float)
    out = _run(spikes, Argmax(shape=(3,), window=2, values=[-0.5, 0.0, 0.5], default=9.0))
    # step1: none -> default; step2: tie 0/1 -> index 0; step3: neuron 1 has 2 -> 0.0; step4: 1 vs 1 (1, 2) -> 1
    np.testing.assert_array_equal(out[:, 0], [9.0, -0.5, 0.0, 0.0])


def test_state_reader_sends_previous_steps_var():
    lif = LIF(shape=(2,), du=1.0, dv=0.0, vth=1e9, bias_mant=np.array([1.0, 2.0]))
    reader = StateReader(var=lif.v)
    sink = RingBufferSink(shape=(2,), buffer=3)
    reader.a_out.connect(sink.a_in)
    lif.run(caldera.RunSteps(3), caldera.RunConfig(backend="cpu"))
    np.testing.assert_array_equal(sink.data.get().T, [[0, 0], [1, 2], [2, 4]])
    lif.stop()


def test_encoder_drives_fixed_point_network():
    # fixed_pt: int32 spikes into a Dense -> LIF; the same as a RingBuffer of the same spikes
    x = np.repeat(np.array([[1], [2]]), 6, axis=1)

    def net(first):
        d = Dense(weights=np.array([[10, 20]]))
        lif = LIF(shape=(1,), du=4095, dv=0, vth=100_000)
        first.connect(d.s_in)
        d.a_out.connect(lif.a_in)
        return lif

    src = RingBuffer(data=x)
    enc = RateEncoder(shape=(2,), hi=2)
    src.s_out.connect(enc.a_in)
    lif = net(enc.s_out)
    src.run(caldera.RunSteps(6), caldera.RunConfig(backend="cpu", tag="fixed_pt"))
    got = lif.v.get()
    src.stop()
    ref_src = RingBuffer(data=np.array([[0, 1, 0, 1, 0, 1], [1] * 6]))
    ref = net(ref_src.s_out)
    ref_src.run(caldera.RunSteps(6), caldera.RunConfig(backend="cpu", tag="fixed_pt"))
    np.testing.assert_array_equal(got, ref.v.get())
    assert got.dtype == np.int32 and got[0] != 0
    ref_src.stop()


def test_bad_parameters_name_what_is_wrong():
    with pytest.raises(ParameterError, match="RateEncoder: hi must be greater than lo"):
        RateEncoder(shape=(2,), lo=1, hi=1)
    with pytest.raises(ParameterError, match="max_rate"):
        RateEncoder(shape=(2,), max_rate=2)
    with pytest.raises(ParameterError, match="LatencyEncoder: window"):
        LatencyEncoder(shape=(2,), window=0)
    with pytest.raises(ParameterError, match=r"vectors must be finite, of shape \(6, d\)"):
        PopulationVector(shape=(2, 3), vectors=np.zeros((5, 2)))
    with pytest.raises(ParameterError, match="Argmax: values must be 3"):
        Argmax(shape=(3,), values=[1, 2])
    with pytest.raises(ParameterError, match="StateReader: var"):
        StateReader(var=np.zeros(2))
