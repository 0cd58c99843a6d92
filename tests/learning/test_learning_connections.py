"""LearningDense / LearningSparse / LearningLIF on cpu: hand-computed STDP, compile-time checks, fixed point."""

from __future__ import annotations

import warnings

import caldera
import numpy as np
import pytest
from caldera import procs
from caldera.arith import SignMode
from caldera.errors import ParameterError
from caldera.learning import LoihiLearningRule, RewardModulatedSTDP, STDPLoihi
from scipy import sparse as sp


def _run(root, steps, tag="floating_pt"):
    root.run(condition=caldera.RunSteps(num_steps=steps), run_cfg=caldera.RunConfig(tag=tag))


def _net(pre, post, w, rule, tag="floating_pt", cls=procs.LearningDense, **kw):
    """Pre- and post-synaptic spikes both come from ring buffers (post straight into s_in_bap)."""
    src = procs.RingBuffer(data=pre)
    bap = procs.RingBuffer(data=post)
    syn = cls(weights=w, learning_rule=rule, **kw)
    sink = procs.RingBufferSink(shape=(w.shape[0],), buffer=pre.shape[1])
    src.s_out.connect(syn.s_in)
    bap.s_out.connect(syn.s_in_bap)
    syn.a_out.connect(sink.a_in)
    return src, syn, sink


def _reference_stdp(pre, post, w, lr_ap, lr_am, tau_x, tau_y, imp=16.0):
    """Pair STDP with t_epoch=1, written out directly: traces decay, then jump on a spike, then dw."""
    w = w.astype(float).copy()
    x = np.zeros(pre.shape[0])
    y = np.zeros(post.shape[0])
    for t in range(pre.shape[1]):
        sx, sy = pre[:, t] > 0, post[:, t] > 0
        x = np.exp(-1 / tau_x) * x + imp * sx
        y = np.exp(-1 / tau_y) * y + imp * sy
        w = w + (lr_am * sx[None, :] * y[:, None] + lr_ap * sy[:, None] * x[None, :])
    return w


def test_stdp_float_matches_hand_reference():
    rng = np.random.default_rng(5)
    pre = (rng.random((4, 25)) < 0.3).astype(float)
    post = (rng.random((3, 25)) < 0.2).astype(float)
    w = rng.normal(size=(3, 4))
    rule = STDPLoihi(learning_rate=0.25, A_plus=2, A_minus=-1, tau_plus=4.0, tau_minus=7.0, t_epoch=1)
    src, syn, _ = _net(pre, post, w, rule)
    _run(src, 25)
    got = syn.weights.get()
    src.stop()
    want = _reference_stdp(pre, post, w, 0.25 * 2, 0.25 * -1, 4.0, 7.0)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_weights_drive_the_next_step_and_learning_waits_for_the_epoch():
    pre = np.zeros((1, 6))
    pre[0, [0, 2]] = 1
    post = np.zeros((1, 6))
    post[0, 3] = 1
    rule = LoihiLearningRule(dw="y0 * x1", x1_impulse=1, x1_tau=0, t_epoch=3)
    src, syn, sink = _net(pre, post, np.array([[1.0]]), rule)
    mon = procs.Monitor()
    mon.probe(syn.weights, 6)
    _run(src, 6)
    w = mon.get_data()[syn.name]["weights"][:, 0, 0]
    out = sink.data.get()[0]
    src.stop()
    # epoch 1 (steps 1-3): no post spike, no change; epoch 2: post spike at step 4, x1 = 2 (tau 0: no decay)
    np.testing.assert_array_equal(w, [1, 1, 1, 1, 1, 3])
    np.testing.assert_array_equal(out, [0, 1, 0, 1, 0, 0])  # sent one step after each pre spike


def test_sign_mode_and_tag_saturation_float():
    pre = np.ones((2, 4))
    post = np.ones((1, 4))
    rule = LoihiLearningRule(dw="-4 * x0", dd="-1 * y0", dt="-1 * y0", t_epoch=1)
    src, syn, _ = _net(pre, post, np.array([[3.0, 1.0]]), rule, sign_mode=SignMode.EXCITATORY)
    _run(src, 4)
    np.testing.assert_array_equal(syn.weights.get(), [[0, 0]])
    np.testing.assert_array_equal(syn.tag_2.get(), [[0, 0]])  # the delay tag cannot go below 0
    np.testing.assert_array_equal(syn.tag_1.get(), [[-4, -4]])
    src.stop()


def test_sparse_learns_only_stored_synapses_like_dense():
    rng = np.random.default_rng(2)
    pre = (rng.random((5, 20)) < 0.4).astype(float)
    post = (rng.random((4, 20)) < 0.3).astype(float)
    mask = rng.random((4, 5)) < 0.5
    w = np.where(mask, rng.normal(size=(4, 5)), 0)
    mk = lambda: STDPLoihi(learning_rate=0.5, A_plus=1, A_minus=-1, tau_plus=3, tau_minus=5, t_epoch=2)  # noqa: E731
    src, dense, _ = _net(pre, post, w, mk())
    _run(src, 20)
    wd = dense.weights.get()
    src.stop()
    src, sparse, _ = _net(pre, post, sp.csr_matrix(w), mk(), cls=procs.LearningSparse)
    _run(src, 20)
    ws = sparse.weights.get()
    src.stop()
    ws = ws.toarray() if sp.issparse(ws) else ws
    np.testing.assert_allclose(ws[mask], wd[mask], rtol=1e-12)
    assert np.all(ws[~mask] == 0)


def test_unconnected_bap_is_a_compile_error():
    src = procs.RingBuffer(data=np.ones((2, 3)))
    syn = procs.LearningDense(
        weights=np.ones((1, 2)),
        learning_rule=STDPLoihi(learning_rate=1, A_plus=1, A_minus=-1, tau_plus=2, tau_minus=2),
        name="plastic",
    )
    src.s_out.connect(syn.s_in)
    with pytest.raises(ParameterError, match=r"'plastic'.*s_in_bap is not connected"):
        _run(src, 1)


def test_pre_only_rule_needs_no_bap():
    src = procs.RingBuffer(data=np.ones((2, 3)))
    syn = procs.LearningDense(weights=np.zeros((1, 2)), learning_rule=LoihiLearningRule(dw="x0 * 2^-1", t_epoch=1))
    src.s_out.connect(syn.s_in)
    _run(src, 3)
    np.testing.assert_array_equal(syn.weights.get(), [[1.5, 1.5]])
    src.stop()


def test_three_factor_rule_needs_the_neuron_traces():
    r = RewardModulatedSTDP(
        learning_rate=1,
        A_plus=1,
        A_minus=-1,
        pre_trace_decay_tau=5,
        post_trace_decay_tau=5,
        pre_trace_kernel_magnitude=16,
        post_trace_kernel_magnitude=16,
        eligibility_trace_decay_tau=0.5,
    )
    src = procs.RingBuffer(data=np.ones((2, 3)))
    syn = procs.LearningDense(weights=np.zeros((1, 2)), learning_rule=r, name="rs")
    post = procs.LearningLIF(shape=(1,), vth=1, learning_rule=r)
    src.s_out.connect(syn.s_in)
    syn.a_out.connect(post.a_in)
    post.s_out_bap.connect(syn.s_in_bap)
    post.s_out_y1.connect(syn.s_in_y1)
    with pytest.raises(ParameterError, match="reads y2"):
        _run(src, 1)


def test_reward_modulated_stdp_moves_weights_with_the_reward():
    def run(reward):
        r = RewardModulatedSTDP(
            learning_rate=1,
            A_plus=1,
            A_minus=-1,
            pre_trace_decay_tau=5,
            post_trace_decay_tau=5,
            pre_trace_kernel_magnitude=16,
            post_trace_kernel_magnitude=16,
            eligibility_trace_decay_tau=0.5,
            t_epoch=1,
        )
        pre = np.zeros((1, 30))
        pre[0, ::3] = 1
        src = procs.RingBuffer(data=pre)
        rew = procs.RingBuffer(data=np.full((1, 30), reward))
        syn = procs.LearningDense(weights=np.array([[2.0]]), learning_rule=r)
        post = procs.LearningLIF(shape=(1,), du=1, dv=0.5, vth=0.5, learning_rule=r)
        src.s_out.connect(syn.s_in)
        syn.a_out.connect(post.a_in)
        rew.s_out.connect(post.a_third_factor_in)
        for k in ("bap", "y1", "y2", "y3"):
            getattr(post, f"s_out_{k}").connect(getattr(syn, f"s_in_{k}"))
        _run(src, 30)
        w = syn.weights.get()[0, 0]
        src.stop()
        return w

    assert run(0.0) == 2.0  # no reward, no change
    up, down = run(1.0), run(-1.0)
    assert up != 2.0 and np.sign(up - 2.0) == -np.sign(down - 2.0)


# -- fixed point ---------------------------------------------------------------------------
def _fixed_run(seed, n_pre=400, steps=12, rule_str="2^-3 * y0 * x1", w0=64, tau=4.0):
    pre = np.zeros((n_pre, steps))
    pre[:, 0] = 1
    post = np.zeros((1, steps))
    post[0, 4] = 1
    rule = LoihiLearningRule(
        dw=rule_str, x1_impulse=16.5, x1_tau=tau, y1_impulse=16, y1_tau=tau, t_epoch=1, rng_seed=seed
    )
    src, syn, _ = _net(pre, post, np.full((1, n_pre), w0), rule, tag="fixed_pt")
    _run(src, steps, "fixed_pt")
    out = syn.weights.get().copy(), syn.x1.get().copy()
    src.stop()
    return out


def test_fixed_point_is_reproducible_for_a_seed_and_depends_on_it():
    a, xa = _fixed_run(1)
    b, xb = _fixed_run(1)
    c, _ = _fixed_run(2)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(xa, xb)
    assert not np.array_equal(a, c)


def test_fixed_point_widths_and_integers():
    w, x1 = _fixed_run(3)
    assert w.dtype.kind == "i" and x1.dtype.kind == "i"
    assert x1.min() >= 0 and x1.max() <= 127
    big, _ = _fixed_run(3, rule_str="7 * 2^8 * y0 * x1", w0=10)
    assert big.max() == 255  # excitatory weights saturate at 8 bits
    neg, _ = _fixed_run(3, rule_str="-7 * 2^8 * y0 * x1", w0=10)
    assert neg.min() == 0  # ... and cannot change sign


def test_fixed_point_agrees_with_float_in_expectation():
    w_fixed, _ = _fixed_run(7, n_pre=2000)
    pre = np.zeros((1, 12))
    pre[0, 0] = 1
    post = np.zeros((1, 12))
    post[0, 4] = 1
    rule = LoihiLearningRule(dw="2^-3 * y0 * x1", x1_impulse=16.5, x1_tau=4.0, y1_impulse=16, y1_tau=4.0, t_epoch=1)
    src, syn, _ = _net(pre, post, np.array([[64.0]]), rule)
    _run(src, 12)
    w_float = syn.weights.get()[0, 0]
    src.stop()
    dw_float = w_float - 64
    dw_fixed = w_fixed.mean() - 64
    assert dw_float == pytest.approx(2**-3 * 16.5 * np.exp(-4 / 4.0))
    # 2000 synapses, each rounding adds variance <= 1/4 per step: the mean is within a few 0.02 of the float value
    assert dw_fixed == pytest.approx(dw_float, abs=0.1)


def test_fixed_point_warns_for_inexact_constants():
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        _fixed_run(1, n_pre=2, rule_str="0.3 * y0 * x1")
    assert any("not of the form" in str(r.message) for r in rec)


def test_learning_lif_sends_bap_and_traces():
    r = LoihiLearningRule(dw="y0 * x1", y1_impulse=2, y1_tau=0, y3_impulse=1, y3_tau=0, t_epoch=1)
    src = procs.RingBuffer(data=np.array([[5.0, 0, 5, 0]]))
    third = procs.RingBuffer(data=np.array([[0.5, 1, 1.5, 2]]))
    lif = procs.LearningLIF(shape=(1,), du=1, dv=1, vth=1, learning_rule=r)
    sinks = {k: procs.RingBufferSink(shape=(1,), buffer=4) for k in ("bap", "y1", "y2", "y3")}
    src.s_out.connect(lif.a_in)
    third.s_out.connect(lif.a_third_factor_in)
    for k, s in sinks.items():
        getattr(lif, f"s_out_{k}").connect(s.a_in)
    _run(src, 4)
    got = {k: s.data.get()[0] for k, s in sinks.items()}
    src.stop()
    np.testing.assert_array_equal(got["bap"], [1, 0, 1, 0])
    np.testing.assert_array_equal(got["y1"], [2, 2, 4, 4])
    np.testing.assert_array_equal(got["y2"], [0.5, 1, 1.5, 2])
    np.testing.assert_array_equal(got["y3"], [1, 1, 2, 2])
