"""ATRLIF, RF_IZ, graded vector neurons, Read/Reset, data loaders and DeltaEncoder on cpu."""

from __future__ import annotations

import caldera
import numpy as np
import pytest
from caldera import procs
from caldera.errors import ParameterError
from hypothesis import given, settings
from hypothesis import strategies as st


def _run(root, steps, tag):
    root.run(condition=caldera.RunSteps(num_steps=steps), run_cfg=caldera.RunConfig(tag=tag))


def _trace(proc, names, steps, tag, root):
    mon = procs.Monitor()
    for n in names:
        mon.probe(getattr(proc, n), steps)
    _run(root, steps, tag)
    d = mon.get_data()[proc.name]
    root.stop()
    return {n: d[n] for n in names}


def _atrlif(tag):
    src = procs.RingBuffer(data=np.ones((1, 4)))
    n = procs.ATRLIF(
        shape=(1,), delta_i=0.5, delta_v=0.5, delta_theta=0.5, delta_r=0.5, theta_0=2, theta=2, theta_step=1
    )
    src.s_out.connect(n.a_in)
    return src, n


def test_atrlif_float_hand_sequence():
    src, n = _atrlif("floating_pt")
    t = _trace(n, ["v", "s", "theta", "r"], 4, "floating_pt", src)
    np.testing.assert_array_equal(t["v"][:, 0], [1, 2, 2.75, 3.25])
    np.testing.assert_array_equal(t["s"][:, 0], [0, 1, 0, 1])
    np.testing.assert_array_equal(t["theta"][:, 0], [2, 3, 2.5, 3.25])
    np.testing.assert_array_equal(t["r"][:, 0], [0, 4, 2, 5.5])


def test_atrlif_fixed_hand_sequence():
    src, n = _atrlif("fixed_pt")
    t = _trace(n, ["i", "v", "s", "theta", "r"], 4, "fixed_pt", src)
    np.testing.assert_array_equal(t["i"][:, 0], [64, 95, 111, 119])
    np.testing.assert_array_equal(t["v"][:, 0], [64, 127, 174, 206])
    np.testing.assert_array_equal(t["s"][:, 0], [0, 0, 1, 0])
    np.testing.assert_array_equal(t["theta"][:, 0], [128, 128, 192, 160])
    np.testing.assert_array_equal(t["r"][:, 0], [0, 0, 256, 128])


def test_atrlif_rejects_bad_decay():
    with pytest.raises(ParameterError, match="delta_v"):
        procs.ATRLIF(shape=(2,), delta_v=1.5)


@pytest.mark.parametrize("tag", ["floating_pt", "fixed_pt"])
def test_rf_iz_resets_on_spike(tag):
    fixed = tag == "fixed_pt"
    inp = np.zeros((1, 12))
    inp[0, 0] = 3 if not fixed else 3
    src = procs.RingBuffer(data=inp)
    n = procs.RF_IZ(shape=(1,), period=8, alpha=0.05, vth=1, state_exp=6 if fixed else 0, decay_bits=12 if fixed else 0)
    src.s_out.connect(n.a_real_in)
    # Lava's RF_IZ parameters, derived here (not read from the process under test): a rotation by 2*pi/period
    # with a decay of (1 - alpha); in fixed point the decays are scaled by 2**decay_bits and truncated toward
    # zero, vth scaled by 2**state_exp
    sin_d, cos_d = (1 - 0.05) * np.sin(2 * np.pi / 8), (1 - 0.05) * np.cos(2 * np.pi / 8)
    vth = 1.0
    if fixed:
        sin_d, cos_d, vth = float(int(sin_d * 4096)), float(int(cos_d * 4096)), 64.0
        assert (sin_d, cos_d) == (2751.0, 2751.0)  # 0.95 * sqrt(2) / 2 * 4096 = 2751.49...
    np.testing.assert_array_equal(n.sin_decay.get(), [sin_d])  # the process derives the same
    np.testing.assert_array_equal(n.cos_decay.get(), [cos_d])
    np.testing.assert_array_equal(n.vth.get(), [vth])
    t = _trace(n, ["real", "imag"], 12, tag, src)
    # reference recurrence written out (Lava's RF_IZ): rotate-decay, spike when imag >= vth, then reset
    re = im = 0.0
    exp_re, exp_im = [], []
    for k in range(12):
        a = inp[0, k] * (64 if fixed else 1)
        if fixed:
            sv = lambda x: np.sign(x) * (int(abs(x)) >> 12)  # noqa: E731
            nre = sv(cos_d * re) - sv(sin_d * im) + a
            nim = sv(sin_d * re) + sv(cos_d * im)
        else:
            nre = cos_d * re - sin_d * im + a
            nim = sin_d * re + cos_d * im
        s = nim >= vth
        re = 0.0 if s else nre
        im = (vth - (1 if fixed else 1e-5)) if s else nim
        exp_re.append(re)
        exp_im.append(im)
    np.testing.assert_allclose(t["real"][:, 0], exp_re, rtol=1e-12)
    np.testing.assert_allclose(t["imag"][:, 0], exp_im, rtol=1e-12)
    assert any(v == vth - (1 if fixed else 1e-5) for v in exp_im)  # it did spike


@pytest.mark.parametrize("tag", ["floating_pt", "fixed_pt"])
def test_graded_neurons(tag):
    src = procs.RingBuffer(data=np.array([[3, -3, 1, 5]]).T * np.ones((1, 2)))
    g = procs.GradedVec(shape=(4,), vth=1)
    gr = procs.GradedReluVec(shape=(4,), vth=1)
    pn = procs.ProdNeuron(shape=(4,), vth=5, exp=1)
    sinks = [procs.RingBufferSink(shape=(4,), buffer=2) for _ in range(3)]
    src.s_out.connect([g.a_in, gr.a_in, pn.a_in1, pn.a_in2])
    for p, s in zip((g, gr, pn), sinks):
        p.s_out.connect(s.a_in)
    _run(src, 2, tag)
    out = [s.data.get()[:, 1] for s in sinks]
    src.stop()
    np.testing.assert_array_equal(out[0], [3, -3, 0, 5])
    np.testing.assert_array_equal(out[1], [3, 0, 0, 5])
    np.testing.assert_array_equal(out[2], [0, 0, 0, 12] if tag == "fixed_pt" else [0, 0, 0, 12.5])


@pytest.mark.parametrize("tag", ["floating_pt", "fixed_pt"])
def test_read_and_reset(tag):
    lif = procs.LIF(shape=(2,), bias_mant=1, vth=100)
    rd = procs.Read(buffer=5, interval=1)
    rd.connect_var(lif.v)
    rs = procs.Reset(reset_value=0, interval=3, offset=2)
    rs.connect_var(lif.v)
    _run(lif, 5, tag)
    data = rd.data.get()
    lif.stop()
    # v = 1, 2, 3 -> reset at step 3, 1, 2
    np.testing.assert_array_equal(data[0], [1, 2, 0, 1, 2])
    assert data.shape == (2, 5)


def test_read_without_a_var_is_an_error():
    rd = procs.Read(buffer=3)
    with pytest.raises(ParameterError, match="connect_var"):
        _run(rd, 1, "floating_pt")


@pytest.mark.parametrize("tag", ["floating_pt", "fixed_pt"])
def test_spike_dataloader(tag):
    ds = [(np.eye(2)[:, [k % 2] * 2], k + 10) for k in range(3)]
    dl = procs.SpikeDataloader(dataset=ds, interval=3)
    sink = procs.RingBufferSink(shape=(2,), buffer=9)
    gts = procs.RingBufferSink(shape=(1,), buffer=9)
    dl.s_out.connect(sink.a_in)
    dl.ground_truth.connect(gts.a_in)
    _run(dl, 9, tag)
    s, g = sink.data.get(), gts.data.get()
    dl.stop()
    # a sample is loaded after step 1, 4, 7 and sent in the following steps; 2 bins padded to 3 with zeros
    np.testing.assert_array_equal(s[0], [0, 1, 1, 0, 0, 0, 0, 1, 1])
    np.testing.assert_array_equal(s[1], [0, 0, 0, 0, 1, 1, 0, 0, 0])
    np.testing.assert_array_equal(g[0], [0, 10, 10, 10, 11, 11, 11, 12, 12])


@pytest.mark.parametrize("tag", ["floating_pt", "fixed_pt"])
def test_state_dataloader(tag):
    lif = procs.LIF(shape=(2,), vth=100)
    sdl = procs.StateDataloader(dataset=[(np.array([k, -k]), k) for k in range(1, 4)], interval=2)
    sdl.connect_var(lif.v)
    mon = procs.Monitor()
    mon.probe(lif.v, 5)
    _run(lif, 5, tag)
    v = mon.get_data()[lif.name]["v"][:, 0]
    lif.stop()
    np.testing.assert_array_equal(v, [1, 1, 2, 2, 3])


def test_dataloader_rejects_bad_datasets():
    with pytest.raises(ParameterError, match="indexing"):
        procs.SpikeDataloader(dataset=5)
    with pytest.raises(ParameterError, match="time axis"):
        procs.SpikeDataloader(dataset=[(np.ones(3), 0)])
    with pytest.raises(ParameterError, match="empty"):
        procs.StateDataloader(dataset=[])


def _delta(tag, compression, data, model=None, **kw):
    src = procs.RingBuffer(data=data)
    de = procs.DeltaEncoder(shape=(data.shape[0],), compression=compression, **kw)
    sink = procs.RingBufferSink(shape=(data.shape[0],), buffer=data.shape[1])
    src.s_out.connect(de.a_in)
    de.s_out.connect(sink.a_in)
    emap = {} if model is None else {procs.DeltaEncoder: model}
    src.run(
        condition=caldera.RunSteps(num_steps=data.shape[1]),
        run_cfg=caldera.RunConfig(tag=tag, exception_proc_model_map=emap),
    )
    out = sink.data.get()
    src.stop()
    return out


def test_delta_encoder_dense_hand_sequence():
    out = _delta("fixed_pt", procs.Compression.DENSE, np.array([[1, 2, 3, 10, 10, 4]]), vth=2)
    np.testing.assert_array_equal(out[0], [0, 0, 2, 0, 8, 0])
    clipped = _delta("fixed_pt", procs.Compression.DENSE, np.array([[1, 2, 3, 10, 10, 4]]), vth=2, num_bits=3)
    np.testing.assert_array_equal(clipped[0], [0, 0, 2, 0, 3, 3])  # 3-bit messages; the rest stays in the residue


@pytest.mark.parametrize("comp", ["SPARSE", "PACKED_4", "DELTA_SPARSE_8"])
def test_delta_encoder_sparse_formats_round_trip(comp):
    rng = np.random.default_rng(0)
    data = rng.integers(-20, 20, size=(11, 8))
    dense = _delta("fixed_pt", procs.Compression.DENSE, data, vth=3, num_bits=6)
    from caldera_cpu.models.delta import PyDeltaEncoderModelSparse

    other = _delta(
        "fixed_pt", getattr(procs.Compression, comp), data, model=PyDeltaEncoderModelSparse, vth=3, num_bits=6
    )
    np.testing.assert_array_equal(other, dense)


# Payloads of Lava 0.10's PyDeltaEncoderModelSparse.encode_delta_sparse_8 for these vectors (recorded by
# running Lava's method on them): (length, positions, values) -> (data words, index words).
LAVA_DELTA_SPARSE_8 = {
    "small": ((8, [2, 4, 7], [5, -3, 7]), ([523525], [131330])),
    "gaps": ((1000, [3, 300, 301, 900], [1, -2, 3, -4]), ([66978049, 64514], [2752259, 22783])),
    "first_at_256": ((600, [256, 511], [2, 3]), ([50462976], [-33489152])),
    "empty": ((16, [], []), ([0], [0])),
}


@pytest.mark.parametrize("case", sorted(LAVA_DELTA_SPARSE_8))
def test_delta_sparse_8_payload_equals_lavas(case):
    from caldera_cpu.codecs import decode_delta_sparse_8, encode_delta_sparse_8

    (n, pos, val), (want_data, want_idx) = LAVA_DELTA_SPARSE_8[case]
    s = np.zeros(n, np.int64)
    s[pos] = val
    data, idx = encode_delta_sparse_8(s)
    assert data.dtype == np.int32 and idx.dtype == np.int32
    assert data.tolist() == want_data and idx.tolist() == want_idx
    np.testing.assert_array_equal(decode_delta_sparse_8(data, idx, s.shape), s)


def test_delta_sparse_8_positions_lava_misplaces():
    """A first message at 255 and gaps beyond 255 * 255: Lava's encoder misplaces these; ours does not."""
    from caldera_cpu.codecs import decode_delta_sparse_8, encode_delta_sparse_8

    for n, pos, val in ((600, [255, 260], [2, 3]), (70000, [10, 69000], [9, -9]), (200000, [0, 199999], [1, 1])):
        s = np.zeros(n, np.int64)
        s[pos] = val
        np.testing.assert_array_equal(decode_delta_sparse_8(*encode_delta_sparse_8(s), s.shape), s)


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(1, 3000),
    data=st.data(),
)
def test_delta_sparse_8_round_trip(n, data):
    from caldera_cpu.codecs import decode_delta_sparse_8, encode_delta_sparse_8

    k = data.draw(st.integers(0, min(n, 40)))
    pos = data.draw(st.lists(st.integers(0, n - 1), min_size=k, max_size=k, unique=True))
    vals = data.draw(st.lists(st.integers(-128, 127).filter(bool), min_size=k, max_size=k))
    s = np.zeros(n, np.int64)
    s[pos] = vals
    np.testing.assert_array_equal(decode_delta_sparse_8(*encode_delta_sparse_8(s), s.shape), s)


def test_delta_encoder_wrong_model_for_compression():
    with pytest.raises(ParameterError, match="Compression.DENSE"):
        _delta("fixed_pt", procs.Compression.SPARSE, np.ones((2, 2)), vth=1)
