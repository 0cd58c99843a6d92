"""Each standard process on the cpu backend, in each tag it has a model for, with hand-checked values.

Conventions used throughout: a RingBuffer sends ``data[..., t-1]`` at step t and a directly
connected RingBufferSink stores what it receives at step t in ``data[..., (t-1) % buffer]``;
connections (Dense, Sparse, delays, Conv) deliver at step t what arrived at step t-1.
"""

from __future__ import annotations

import caldera
import numpy as np
import pytest
from caldera import RunConfig, RunSteps
from caldera.procs import (
    LIF,
    RF,
    ActivationMode,
    Conv,
    DelayDense,
    DelaySparse,
    Dense,
    LIFRefractory,
    LIFReset,
    Monitor,
    RingBuffer,
    RingBufferSink,
    Sigma,
    SigmaDelta,
    Sparse,
    TernaryLIF,
)
from scipy import sparse as sp
from scipy.signal import convolve2d

TAGS = ["floating_pt", "fixed_pt"]


def _cfg(tag: str = "floating_pt") -> RunConfig:
    """These tests are about the cpu backend's models: pin it (other backends may be installed)."""
    return RunConfig(backend="cpu", tag=tag)


def _dt(tag: str):
    return float if tag == "floating_pt" else np.int32


def _source(data, tag: str) -> RingBuffer:
    return RingBuffer(data=np.asarray(data).astype(_dt(tag)))


def _through(in_port, out_port, data, tag: str, steps: int | None = None) -> np.ndarray:
    """Feed ``data`` (shape (*in_shape, T)) into ``in_port``, record ``out_port``; returns (steps, *shape)."""
    data = np.asarray(data)
    steps = steps or data.shape[-1]
    src = _source(data, tag)
    sink = RingBufferSink(shape=out_port.shape, buffer=steps)
    src.s_out.connect(in_port)
    out_port.connect(sink.a_in)
    src.run(RunSteps(steps), _cfg(tag))
    try:
        got = np.moveaxis(sink.data.get(), -1, 0)
    finally:
        src.stop()
    return got


def _traces(proc, members, steps: int, tag: str, root=None) -> dict:
    mon = Monitor()
    for m in members:
        mon.probe(getattr(proc, m), steps)
    (root or proc).run(RunSteps(steps), _cfg(tag))
    try:
        data = mon.get_data()[proc.name]
    finally:
        (root or proc).stop()
    return data


# -- LIF family ----------------------------------------------------------------------------------
def test_lif_floating_bias_and_spikes():
    lif = LIF(shape=(1,), bias_mant=1.0, du=0, dv=0, vth=2.5)
    d = _traces(lif, ["v", "s_out"], 6, "floating_pt")
    np.testing.assert_array_equal(d["v"][:, 0], [1, 2, 0, 1, 2, 0])
    np.testing.assert_array_equal(d["s_out"][:, 0], [0, 0, 1, 0, 0, 1])


def test_lif_floating_decays_by_hand():
    """u = u(1-du) + a; v = v(1-dv) + u; input 4 at step 1 only; du = dv = 0.5."""
    src = _source([[4, 0, 0, 0]], "floating_pt")
    lif = LIF(shape=(1,), du=0.5, dv=0.5, vth=100.0)
    src.s_out.connect(lif.a_in)
    d = _traces(lif, ["u", "v"], 4, "floating_pt", root=src)
    np.testing.assert_array_equal(d["u"][:, 0], [4, 2, 1, 0.5])
    np.testing.assert_array_equal(d["v"][:, 0], [4, 4, 3, 2])


def test_lif_fixed_by_hand():
    lif = LIF(shape=(2,), bias_mant=[3, -3], bias_exp=2, du=0, dv=0, vth=1)
    d = _traces(lif, ["v", "s_out"], 6, "fixed_pt")
    np.testing.assert_array_equal(d["v"][:, 0], [12, 24, 36, 48, 60, 0])
    np.testing.assert_array_equal(d["v"][:, 1], [-12, -24, -36, -48, -60, -72])
    np.testing.assert_array_equal(d["s_out"][:, 0], [0, 0, 0, 0, 0, 1])


@pytest.mark.parametrize("tag", TAGS)
def test_lif_reset_zeroes_state_periodically(tag):
    """reset_interval=3, offset 0: u and v are zeroed at the start of steps 3, 6, ..."""
    lif = LIFReset(
        shape=(1,), u=[5, 0][tag == "fixed_pt"], bias_mant=1, du=0, dv=0, vth=100, reset_interval=3, reset_offset=0
    )
    d = _traces(lif, ["u", "v"], 7, tag)
    if tag == "floating_pt":  # u=5 stays (du=0) until the reset
        np.testing.assert_array_equal(d["u"][:, 0], [5, 5, 0, 0, 0, 0, 0])
        np.testing.assert_array_equal(d["v"][:, 0], [6, 12, 1, 2, 3, 1, 2])
    else:
        np.testing.assert_array_equal(d["v"][:, 0], [1, 2, 1, 2, 3, 1, 2])


def test_lif_reset_offset():
    lif = LIFReset(shape=(1,), bias_mant=1.0, du=0, dv=0, vth=100.0, reset_interval=4, reset_offset=2)
    d = _traces(lif, ["v"], 7, "floating_pt")
    np.testing.assert_array_equal(d["v"][:, 0], [1, 1, 2, 3, 4, 1, 2])


def test_lif_refractory_holds_v_after_a_spike():
    """Spike at step 3 (v=3 > 2.5); v is held at 0 for steps 4 and 5 (refractory_period=2)."""
    lif = LIFRefractory(shape=(1,), bias_mant=1.0, du=0, dv=0, vth=2.5, refractory_period=2)
    d = _traces(lif, ["v", "s_out"], 8, "floating_pt")
    np.testing.assert_array_equal(d["v"][:, 0], [1, 2, 0, 0, 0, 1, 2, 0])
    np.testing.assert_array_equal(d["s_out"][:, 0], [0, 0, 1, 0, 0, 0, 0, 1])


def test_lif_refractory_has_no_fixed_pt_model():
    lif = LIFRefractory(shape=(1,))
    with pytest.raises(caldera.NoModelError, match="available tags: floating_pt"):
        lif.run(RunSteps(1), _cfg("fixed_pt"))


@pytest.mark.parametrize("tag", TAGS)
def test_ternary_lif_spikes_both_ways(tag):
    if tag == "floating_pt":
        lif = TernaryLIF(shape=(2,), bias_mant=[1.0, -1.0], du=0, dv=0, vth_hi=2.5, vth_lo=-2.5)
        v = [[1, -1], [2, -2], [0, 0], [1, -1]]
    else:  # thresholds << 6: +-64
        lif = TernaryLIF(shape=(2,), bias_mant=[30, -30], du=0, dv=0, vth_hi=1, vth_lo=-1)
        v = [[30, -30], [60, -60], [0, 0], [30, -30]]
    d = _traces(lif, ["v", "s_out"], 4, tag)
    np.testing.assert_array_equal(d["v"], v)
    np.testing.assert_array_equal(d["s_out"], [[0, 0], [0, 0], [1, -1], [0, 0]])


def test_ternary_lif_threshold_order_is_checked():
    with pytest.raises(caldera.ParameterError, match="vth_lo"):
        TernaryLIF(shape=(1,), vth_hi=-1, vth_lo=1)


# -- Dense / Sparse ------------------------------------------------------------------------------
SPIKES = np.array([[1, 1, 0, 0, 0], [0, 1, 1, 0, 0], [0, 1, 1, 0, 0]])  # (3 inputs, 5 steps)


def test_dense_floating_one_step_later():
    w = np.array([[0.5, 2.0, -1.0], [1.5, 0.0, 4.0]])
    d = Dense(weights=w)
    got = _through(d.s_in, d.a_out, SPIKES, "floating_pt")
    want = np.zeros((5, 2))
    for t in range(1, 5):
        want[t] = w @ SPIKES[:, t - 1]
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(got[1:4], [[0.5, 1.5], [1.5, 5.5], [1.0, 4.0]])


def test_dense_fixed_truncates_mixed_weights_and_applies_weight_exp():
    """MIXED weights keep 7 magnitude bits at num_weight_bits=8: 5->4, 7->6, -3->-4, -1->-2."""
    w = np.array([[5, 7, -3], [2, -1, 4]])
    d = Dense(weights=w, weight_exp=1)
    got = _through(d.s_in, d.a_out, SPIKES, "fixed_pt")
    np.testing.assert_array_equal(got, [[0, 0], [8, 4], [12, 8], [4, 4], [0, 0]])
    np.testing.assert_array_equal(d.weights.get(), [[4, 6, -4], [2, -2, 4]])


def test_dense_fixed_num_weight_bits_and_negative_weight_exp():
    w = np.array([[5, 7, 255]])  # EXCITATORY, 6 bits: multiples of 4
    d = Dense(weights=w, num_weight_bits=6, weight_exp=-1)
    got = _through(d.s_in, d.a_out, SPIKES, "fixed_pt")
    # weights 4, 4, 252; sums >> 1
    np.testing.assert_array_equal(got[:, 0], [0, 2, 130, 128, 0])


@pytest.mark.parametrize("tag", TAGS)
def test_dense_graded_messages(tag):
    w = np.array([[1, -2], [3, 4]])
    x = np.array([[3, 0, -1], [5, 2, 0]])
    d = Dense(weights=w, num_message_bits=16)
    got = _through(d.s_in, d.a_out, x, tag)
    # MIXED, 8 bits: 1->0, -2->-2, 3->2, 4->4 in fixed_pt
    wt = w if tag == "floating_pt" else np.array([[0, -2], [2, 4]])
    np.testing.assert_array_equal(got, [[0, 0], wt @ x[:, 0], wt @ x[:, 1]])


@pytest.mark.parametrize("tag", TAGS)
def test_sparse_with_dense_array_and_scipy_matrix_equals_dense(tag):
    rng = np.random.default_rng(11)
    w = rng.integers(-20, 20, size=(4, 6)) * (rng.random((4, 6)) < 0.5)
    if tag == "floating_pt":
        w = w * 0.25
    spikes = (rng.random((6, 8)) < 0.4).astype(int)
    results = []
    for make in (
        lambda: Dense(weights=w),
        lambda: Sparse(weights=w),
        lambda: Sparse(weights=sp.csr_matrix(w)),
        lambda: Sparse(weights=sp.coo_matrix(w)),
    ):
        proc = make()
        results.append(_through(proc.s_in, proc.a_out, spikes, tag))
    assert np.abs(results[0]).sum() > 0
    for r in results[1:]:
        np.testing.assert_array_equal(r, results[0])
    if tag == "floating_pt":
        want = np.vstack([np.zeros(4), (w @ spikes[:, :-1]).T])
        np.testing.assert_array_equal(results[0], want)


def test_sparse_weights_var_is_sparse():
    s = Sparse(weights=sp.csr_matrix(np.array([[0, 1.5], [2.0, 0]])))
    s.run(RunSteps(1), _cfg())
    w = s.weights.get()
    assert sp.issparse(w)
    np.testing.assert_array_equal(w.toarray(), [[0, 1.5], [2.0, 0]])
    s.stop()


@pytest.mark.parametrize("tag", TAGS)
def test_dense_weights_set_between_runs(tag):
    """A valid write is used from the next step on; a rejected one (fixed_pt: 300) changes nothing."""
    src = _source(np.ones((2, 1)), tag)  # both inputs spike every step
    d = Dense(weights=np.array([[5, 7]]))
    sink = RingBufferSink(shape=(1,), buffer=1)
    src.s_out.connect(d.s_in)
    d.a_out.connect(sink.a_in)
    src.run(RunSteps(2), _cfg(tag))
    np.testing.assert_array_equal(sink.data.get(), [[12]])
    d.weights.set(np.array([[2, 3]]))
    src.run(RunSteps(2))  # step 3 still delivers step 2's sum (old weights), step 4 the new one
    np.testing.assert_array_equal(sink.data.get(), [[5]])
    if tag == "fixed_pt":
        with pytest.raises(caldera.ParameterError, match="300"):
            d.weights.set(np.array([[300, 3]]))
        np.testing.assert_array_equal(d.weights.get(), [[2, 3]])
        src.run(RunSteps(1))
        np.testing.assert_array_equal(sink.data.get(), [[5]])
    src.stop()


# -- delays --------------------------------------------------------------------------------------
@pytest.mark.parametrize("tag", TAGS)
@pytest.mark.parametrize("cls", [DelayDense, DelaySparse])
@pytest.mark.parametrize("delay", [0, 1, 3])
def test_delay_d_arrives_d_plus_1_steps_later(cls, delay, tag):
    spikes = np.zeros((1, 7), dtype=int)
    spikes[0, 0] = 1  # a spike at step 1
    w = np.array([[3]])
    proc = cls(weights=w if cls is DelayDense else sp.csr_matrix(w), delays=delay)
    got = _through(proc.s_in, proc.a_out, spikes, tag)[:, 0]
    want = np.zeros(7)
    want[delay + 1] = 3  # step 1 + delay + 1
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("tag", TAGS)
def test_delay_dense_per_synapse_delays(tag):
    """Both inputs spike at step 1: weight 1 with delay 0 arrives at step 2, weight 10 with delay 2 at step 4."""
    spikes = np.array([[1, 0, 0, 0, 0], [1, 0, 0, 0, 0]])
    w = np.array([[1, 10], [4, 0]])
    delays = np.array([[0, 2], [1, 0]])
    d = DelayDense(weights=w, delays=delays)
    got = _through(d.s_in, d.a_out, spikes, tag)
    np.testing.assert_array_equal(got, [[0, 0], [1, 0], [0, 4], [10, 0], [0, 0]])


@pytest.mark.parametrize("tag", TAGS)
def test_delay_sparse_equals_delay_dense(tag):
    rng = np.random.default_rng(5)
    w = rng.integers(1, 9, size=(3, 4)) * (rng.random((3, 4)) < 0.6)
    delays = rng.integers(0, 4, size=(3, 4)) * (w != 0)
    spikes = (rng.random((4, 9)) < 0.5).astype(int)
    dd = DelayDense(weights=w, delays=delays, max_delay=3)
    a = _through(dd.s_in, dd.a_out, spikes, tag)
    ds = DelaySparse(weights=sp.csr_matrix(w), delays=sp.csr_matrix(delays), max_delay=3)
    b = _through(ds.s_in, ds.a_out, spikes, tag)
    assert np.abs(a).sum() > 0
    np.testing.assert_array_equal(b, a)
    # independent check: output at step t sums w[i, j] for spikes of input j at step t - 1 - delay
    want = np.zeros_like(a, dtype=float)
    for t in range(9):
        for i in range(3):
            for j in range(4):
                src_t = t - 1 - delays[i, j]
                if w[i, j] and src_t >= 0:
                    want[t, i] += w[i, j] * spikes[j, src_t]
    np.testing.assert_array_equal(a, want)


def test_delay_above_max_delay_is_rejected():
    with pytest.raises(caldera.ParameterError, match="max_delay"):
        DelayDense(weights=np.ones((1, 1)), delays=3, max_delay=2)


# -- Conv ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("tag", TAGS)
def test_conv_valid_equals_true_convolution(tag):
    x = np.array([[0, 0, 1], [0, 1, 1], [0, 1, 0]])
    k = np.array([[1, 2], [3, 4]])
    conv = Conv(weight=k[None, :, :, None], input_shape=(3, 3, 1))
    assert conv.output_shape == (2, 2, 1)
    data = np.stack([x, np.zeros_like(x)], axis=-1)[:, :, None, :]  # (3, 3, 1, T=2)
    got = _through(conv.s_in, conv.a_out, data, tag)
    np.testing.assert_array_equal(got[0], np.zeros((2, 2, 1)))
    np.testing.assert_array_equal(got[1][..., 0], convolve2d(x, k, mode="valid"))
    np.testing.assert_array_equal(got[1][..., 0], [[1, 6], [4, 9]])


@pytest.mark.parametrize("tag", TAGS)
def test_conv_padding_stride_two_output_channels(tag):
    rng = np.random.default_rng(2)
    x = (rng.random((4, 5)) < 0.5).astype(int)
    k0, k1 = np.array([[1, -2], [3, 0]]), np.array([[2, 2], [-1, 4]])
    weight = np.stack([k0, k1])[..., None]  # (2, 2, 2, 1)
    conv = Conv(weight=weight, input_shape=(4, 5, 1), padding=1, stride=2)
    data = np.stack([x, x], axis=-1)[:, :, None, :]
    got = _through(conv.s_in, conv.a_out, data, tag)[1]
    for c, k in enumerate((k0, k1)):
        np.testing.assert_array_equal(got[..., c], convolve2d(x, k, mode="full")[::2, ::2])


# -- SigmaDelta, Sigma ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("mode", "tag", "inputs", "vth", "want"),
    [
        # sigma 2, -1, -0.5, 1.5 -> relu 2, 0, 0, 1.5 -> changes 2, -2, 0, 1.5
        ("RELU", "floating_pt", [2, -3, 0.5, 2], 1, [2, -2, 0, 1.5]),
        # unit: changes 2, -3, 0.5 (below vth: kept as residue), 2 + 0.5
        ("UNIT", "floating_pt", [2, -3, 0.5, 2], 1, [2, -3, 0, 2.5]),
        (ActivationMode.UNIT, "floating_pt", [2, -3, 0.5, 2], 1, [2, -3, 0, 2.5]),
        ("unit", "floating_pt", [2, -3, 0.5, 2], 1, [2, -3, 0, 2.5]),
        (ActivationMode.RELU, "fixed_pt", [2, -3, 1, 2], 2, [2, -2, 0, 2]),
        ("RELU", "fixed_pt", [2, -3, 1, 2], 2, [2, -2, 0, 2]),
        ("UNIT", "fixed_pt", [2, -3, 1, 2], 2, [2, -3, 0, 3]),
        (ActivationMode.UNIT, "fixed_pt", [2, -3, 1, 2], 2, [2, -3, 0, 3]),
    ],
)
def test_sigma_delta_by_hand(mode, tag, inputs, vth, want):
    sd = SigmaDelta(shape=(1,), vth=vth, act_mode=mode)
    assert sd.proc_params["act_mode"] in (ActivationMode.UNIT, ActivationMode.RELU)
    got = _through(sd.a_in, sd.s_out, np.array([inputs]), tag)
    np.testing.assert_array_equal(got[:, 0], want)


@pytest.mark.parametrize("tag", TAGS)
def test_sigma_delta_bias(tag):
    """RELU with bias 3: act = 3 at step 1 even without input, then no change."""
    sd = SigmaDelta(shape=(2,), vth=1, bias=[3, -3], act_mode="RELU")
    got = _through(sd.a_in, sd.s_out, np.zeros((2, 3)), tag)
    np.testing.assert_array_equal(got, [[3, 0], [0, 0], [0, 0]])


def test_sigma_delta_bad_act_mode():
    with pytest.raises(caldera.ParameterError, match="act_mode"):
        SigmaDelta(shape=(1,), vth=1, act_mode="TANH")


@pytest.mark.parametrize("tag", TAGS)
def test_sigma_accumulates(tag):
    s = Sigma(shape=(1,))
    got = _through(s.a_in, s.s_out, np.array([[1, 2, -4, 0]]), tag)
    np.testing.assert_array_equal(got[:, 0], [1, 3, -1, -1])


# -- RF ------------------------------------------------------------------------------------------
def test_rf_floating_equals_complex_rotation():
    """z[t] = (1 - alpha) e^{2 pi i / period} z[t-1] + a[t]; spike on an upward zero crossing of
    Im z with Re z >= vth."""
    period, alpha, vth, steps = 6.3, 0.1, 0.3, 20
    a = np.zeros((1, steps))
    a[0, 0], a[0, 7] = 1.0, 0.5
    src_re, src_im = _source(a, "floating_pt"), _source(np.zeros((1, steps)), "floating_pt")
    rf = RF(shape=(1,), period=period, alpha=alpha, vth=vth)
    src_re.s_out.connect(rf.a_real_in)
    src_im.s_out.connect(rf.a_imag_in)
    d = _traces(rf, ["real", "imag", "s_out"], steps, "floating_pt")
    rot = (1 - alpha) * np.exp(2j * np.pi / period)
    z, zs, spikes = 0j, [], []
    for t in range(steps):
        zn = rot * z + a[0, t]
        spikes.append(int(zn.real >= vth and zn.imag >= 0 and z.imag < 0))
        z = zn
        zs.append(z)
    np.testing.assert_allclose(d["real"][:, 0], np.real(zs), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(d["imag"][:, 0], np.imag(zs), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(d["s_out"][:, 0], spikes)
    assert np.flatnonzero(spikes).tolist() == [7, 13]  # steps 8 and 14


def test_rf_fixed_quarter_turns_by_hand():
    """period 4, alpha 0: sin_decay = 4096, cos_decay = 0 (decay_bits 12): a quarter turn per step.

    Input 1 << state_exp(6) = 64 on the real part at step 1; vth = 1 << 6 = 64:
    (64, 0) -> (0, 64) -> (-64, 0) -> (0, -64) -> (64, 0): upward crossing with real >= vth at step 5.
    """
    a = np.zeros((1, 9))
    a[0, 0] = 1
    src_re, src_im = _source(a, "fixed_pt"), _source(np.zeros((1, 9)), "fixed_pt")
    rf = RF(shape=(1,), period=4, alpha=0, vth=1, state_exp=6, decay_bits=12)
    src_re.s_out.connect(rf.a_real_in)
    src_im.s_out.connect(rf.a_imag_in)
    d = _traces(rf, ["real", "imag", "s_out"], 9, "fixed_pt")
    np.testing.assert_array_equal(d["real"][:, 0], [64, 0, -64, 0, 64, 0, -64, 0, 64])
    np.testing.assert_array_equal(d["imag"][:, 0], [0, 64, 0, -64, 0, 64, 0, -64, 0])
    np.testing.assert_array_equal(d["s_out"][:, 0], [0, 0, 0, 0, 1, 0, 0, 0, 1])


def test_rf_fixed_needs_decay_bits():
    rf = RF(shape=(1,), period=4, alpha=0)
    with pytest.raises(caldera.ParameterError, match="decay_bits"):
        rf.run(RunSteps(1), _cfg("fixed_pt"))


# -- RingBuffer, RingBufferSink, Monitor ---------------------------------------------------------
@pytest.mark.parametrize("tag", TAGS)
def test_ring_buffer_replays_cyclically(tag):
    data = np.arange(2 * 3 * 3).reshape(2, 3, 3)  # (*shape, T=3)
    src = _source(data, tag)
    sink = RingBufferSink(shape=(2, 3), buffer=7)
    src.s_out.connect(sink.a_in)
    src.run(RunSteps(7), _cfg(tag))
    got = sink.data.get()
    for t in range(1, 8):
        np.testing.assert_array_equal(got[..., t - 1], data[..., (t - 1) % 3])
    assert got.dtype == (np.float64 if tag == "floating_pt" else np.int32)
    src.stop()


@pytest.mark.parametrize("tag", TAGS)
def test_ring_buffer_sink_stores_step_t_at_t_minus_1_mod_buffer(tag):
    data = np.array([[10, 20, 30, 40, 50]])  # step t sends 10 t
    src = _source(data, tag)
    sink = RingBufferSink(shape=(1,), buffer=3)
    src.s_out.connect(sink.a_in)
    src.run(RunSteps(5), _cfg(tag))
    # index 0 <- steps 1, 4; index 1 <- steps 2, 5; index 2 <- step 3
    np.testing.assert_array_equal(sink.data.get(), [[40, 50, 30]])
    src.stop()


def test_ring_buffer_bad_data():
    with pytest.raises(caldera.ParameterError, match="time axis last"):
        RingBuffer(data=np.zeros(3))


@pytest.mark.parametrize("tag", TAGS)
def test_monitor_var_and_outport_probes(tag):
    lif = LIF(shape=(2,), bias_mant=[1, 2], du=0, dv=0, vth=[2, 1][tag == "fixed_pt"], name="n")
    other = LIF(shape=(1,), bias_mant=5, du=0, dv=0, vth=1000, name="m")
    mon = Monitor()
    mon.probe(lif.v, 5)
    mon.probe(lif.s_out, 5)
    mon.probe(other.v, 2)  # fewer steps than the run: only the first two are kept
    lif.run(RunSteps(5), _cfg(tag))
    d = mon.get_data()
    lif.stop()
    assert set(d) == {"n", "m"} and set(d["n"]) == {"v", "s_out"}
    assert d["n"]["v"].shape == (5, 2) and d["m"]["v"].shape == (2, 1)
    np.testing.assert_array_equal(d["m"]["v"][:, 0], [5, 10])
    if tag == "floating_pt":  # vth 2: neuron 0 spikes when v = 3, neuron 1 when v = 4
        np.testing.assert_array_equal(d["n"]["v"], [[1, 2], [2, 0], [0, 2], [1, 0], [2, 2]])
        np.testing.assert_array_equal(d["n"]["s_out"], [[0, 0], [0, 1], [1, 0], [0, 1], [0, 0]])
    else:  # vth 1 << 6 = 64: nothing spikes in 5 steps
        np.testing.assert_array_equal(d["n"]["v"], [[1, 2], [2, 4], [3, 6], [4, 8], [5, 10]])
        np.testing.assert_array_equal(d["n"]["s_out"], np.zeros((5, 2)))


def test_monitor_records_what_a_connection_sends():
    """An OutPort probe records the message sent in the step (a Dense sends last step's sum)."""
    src = _source([[1, 0, 1, 0]], "floating_pt")
    dense = Dense(weights=np.array([[2.0], [-1.0]]), name="syn")
    src.s_out.connect(dense.s_in)
    mon = Monitor()
    mon.probe(dense.a_out, 4)
    src.run(RunSteps(4), _cfg())
    np.testing.assert_array_equal(mon.get_data()["syn"]["a_out"], [[0, 0], [2, -1], [0, 0], [2, -1]])
    src.stop()
