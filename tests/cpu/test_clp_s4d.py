"""The CLP (continual-learning prototype) and S4D processes through caldera's own API, on the cpu backend:
hand-checked values and bad input. (Lava 0.10's recorded traces are compared in tests/lava/test_recorded_networks.py.)

A RingBuffer sends ``data[..., t-1]`` at step t; a directly connected sink stores step t's input in
``data[..., t-1]``; a Dense/Sparse connection delivers one step later.
"""

from __future__ import annotations

import numpy as np
import pytest
from caldera import RunConfig, RunSteps
from caldera.errors import CompileError, ParameterError, RunError
from caldera.procs import (
    Allocator,
    Dense,
    IdBroadcast,
    NoveltyDetector,
    PrototypeLIF,
    Readout,
    RingBuffer,
    RingBufferSink,
    S4d,
    SigmaS4dDelta,
    SigmaS4dDeltaLayer,
)

FIXED = RunConfig(backend="cpu", tag="fixed_pt")
FLOAT = RunConfig(backend="cpu", tag="floating_pt")


def _run(proc, steps: int, cfg: RunConfig) -> None:
    proc.run(condition=RunSteps(num_steps=steps), run_cfg=cfg)


# -- S4D -------------------------------------------------------------------------------------
def test_s4d_complex_state_and_output() -> None:
    a, b, c = np.array([0.5 + 0.5j, -0.25]), np.array([1.0 - 1j, 2.0]), np.array([0.5j, 1.0])
    src = RingBuffer(data=np.array([[2.0, 0.0, 1.0], [1.0, 3.0, 0.0]]))
    neuron = S4d(shape=(2,), a=a, b=b, c=c)
    sink = RingBufferSink(shape=(2,), buffer=3)
    src.s_out.connect(neuron.a_in)
    neuron.s_out.connect(sink.a_in)
    _run(src, 3, FLOAT)
    state, out = np.zeros(2, complex), np.zeros((2, 3))
    for t, x in enumerate(np.array([[2.0, 0.0, 1.0], [1.0, 3.0, 0.0]]).T):
        state = state * a + x * b
        out[:, t] = np.real(c * state * 2)
    np.testing.assert_array_equal(sink.data.get(), out)
    assert neuron.s4_state.get().dtype == complex
    np.testing.assert_array_equal(neuron.s4_state.get(), state)
    # first step by hand: s4 = (1-1j)*2 = 2-2j -> real(0.5j * (2-2j) * 2) = 2; s4 = 2 * 1 = 2 -> 4
    np.testing.assert_array_equal(sink.data.get()[:, 0], [2.0, 4.0])
    src.stop()


def test_sigma_s4d_delta_sends_changes_of_at_least_vth() -> None:
    # one neuron, a = 0.5, b = 1, c = 1: sigma 4, 4, 4 -> s4 4, 6, 7 -> act 8, 12, 14 -> deltas 8, 4, 2
    src = RingBuffer(data=np.array([[4.0, 0.0, 0.0, 0.0]]))
    neuron = SigmaS4dDelta(shape=(1,), vth=3.0, a=0.5, b=1.0, c=1.0)
    sink = RingBufferSink(shape=(1,), buffer=4)
    src.s_out.connect(neuron.a_in)
    neuron.s_out.connect(sink.a_in)
    _run(src, 4, FLOAT)
    # step 4: act 15 -> delta 15 - 12 + 2 (residue) = 3 >= vth: sent, residue 0
    np.testing.assert_array_equal(sink.data.get(), [[8.0, 4.0, 0.0, 3.0]])
    np.testing.assert_array_equal(neuron.residue.get(), [0.0])
    np.testing.assert_array_equal(neuron.s4_state.get(), [7.5])
    src.stop()


def test_sigma_s4d_delta_layer_sums_its_hidden_states() -> None:
    # 2 channels x 2 hidden states; vth 0 so every change is sent; the layer adds one Sparse delay each way
    a, b, c = np.array([0.5, 0.25, 0.5, -0.5]), np.ones(4), np.array([1.0, 2.0, 0.5, 1.0])
    src = RingBuffer(data=np.array([[1.0, 0.0, 0.0, 0.0], [2.0, 0.0, 0.0, 0.0]]))
    layer = SigmaS4dDeltaLayer(shape=(2,), vth=0, a=a, b=b, c=c, d_states=2)
    sink = RingBufferSink(shape=(2,), buffer=4)
    src.s_out.connect(layer.s_in)
    layer.a_out.connect(sink.a_in)
    _run(src, 4, FLOAT)
    sigma = np.array([1.0, 1.0, 2.0, 2.0])
    state, act, sent = np.zeros(4), np.zeros(4), np.zeros((2, 4))
    for t in range(2):  # neuron steps 2 and 3 reach the sink at steps 3 and 4
        state = state * a + sigma * b
        new = c * state * 2
        sent[:, t + 2] = (new - act).reshape(2, 2).sum(axis=1)
        act = new
    np.testing.assert_allclose(sink.data.get(), sent, rtol=1e-12)
    assert layer.s4_state.get().shape == (4,)
    assert layer.conn_weights.get().shape == (2, 4)
    src.stop()


def test_s4d_complex_vars_can_be_set() -> None:
    src = RingBuffer(data=np.array([[1.0, 1.0]]))
    neuron = S4d(shape=(1,), a=0.5, b=1.0, c=1.0)
    sink = RingBufferSink(shape=(1,), buffer=2)
    src.s_out.connect(neuron.a_in)
    neuron.s_out.connect(sink.a_in)
    neuron.b.set(np.array([1j]))  # before the first run
    _run(src, 1, FLOAT)
    np.testing.assert_array_equal(neuron.s4_state.get(), [1j])
    neuron.a.set(np.array([2j]))  # between runs: s4 = 1j * 2j + 1 * 1j = -2 + 1j; out = real(2 * s4) = -4
    _run(src, 1, FLOAT)
    np.testing.assert_array_equal(sink.data.get(), [[0.0, -4.0]])
    with pytest.raises(ParameterError, match=r"expected real numbers \(the Var holds real values\), got complex"):
        neuron.s4_exp.set(np.array([1j]))
    src.stop()


def test_s4d_has_no_fixed_pt_model() -> None:
    neuron = S4d(shape=(2,), a=0.5, b=1.0, c=1.0)
    with pytest.raises(CompileError, match=r"no 'fixed_pt' model of S4d.*floating_pt"):
        neuron.compile(run_cfg=FIXED)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: S4d(shape=(2,), a=[0.5, 0.2, 0.1], b=1, c=1), r"S4d: a must be one number or \(2,\) numbers"),
        (lambda: S4d(shape=(2,), a=0.5, b="x", c=1), r"S4d: b must be real or complex numbers"),
        (lambda: S4d(shape=(2,), a=0.5, b=1, c=np.inf), r"S4d: c must be finite"),
        (lambda: SigmaS4dDelta(shape=(2,), vth=1, a=0.5j, b=1, c=1), r"SigmaS4dDelta: a must be real.*use S4d"),
        (lambda: SigmaS4dDelta(shape=(2,), vth=-1, a=0.5, b=1, c=1), r"SigmaDelta: vth must be >= 0"),
        (lambda: SigmaS4dDeltaLayer(shape=(2,), vth=0, a=[0.5] * 3, b=1, c=1, d_states=2), r"\(4,\) numbers"),
        (lambda: SigmaS4dDeltaLayer(shape=(2,), vth=0, a=0.5, b=1, c=1, d_states=0), r"d_states=0 is outside"),
        (lambda: SigmaS4dDeltaLayer(shape=(2, 2), vth=0, a=0.5, b=1, c=1), r"one-dimensional"),
    ],
)
def test_s4d_bad_input(make, match) -> None:
    with pytest.raises(ParameterError, match=match):
        make()


# -- CLP -------------------------------------------------------------------------------------
def _novelty(inputs: list[int], outputs: list[int], t_wait: int) -> np.ndarray:
    steps = len(inputs)
    nvl = NoveltyDetector(t_wait=t_wait)
    src_in, src_out = RingBuffer(data=np.array([inputs])), RingBuffer(data=np.array([outputs]))
    sink = RingBufferSink(shape=(1,), buffer=steps)
    src_in.s_out.connect(nvl.input_aval_in)
    src_out.s_out.connect(nvl.output_aval_in)
    nvl.novelty_detected_out.connect(sink.a_in)
    _run(nvl, steps, FIXED)
    got = sink.data.get()[0]
    nvl.stop()
    return got


def test_novelty_detector_rings_after_t_wait_unless_an_output_comes() -> None:
    # input at step 2: the clock counts 1, 2, 3 in steps 2..4; at step 5 it has passed t_wait = 2
    np.testing.assert_array_equal(_novelty([0, 1, 0, 0, 0, 0, 0], [0] * 7, 2), [0, 0, 0, 0, 1, 0, 0])
    # an output at step 4 stops the clock: nothing
    np.testing.assert_array_equal(_novelty([0, 1, 0, 0, 0, 0, 0], [0, 0, 0, 1, 0, 0, 0], 2), [0] * 7)
    # a second input restarts the clock
    np.testing.assert_array_equal(_novelty([1, 0, 1, 0, 0, 0, 0], [0] * 7, 2), [0, 0, 0, 0, 0, 1, 0])


def test_readout_and_allocator() -> None:
    # prototype 1 spikes at step 1 (unlabelled: pseudo-label -2), the user labels it 7 at step 2;
    # it spikes again at step 3 (7); label 5 at step 4 is wrong: feedback -1 and an allocation of id 3
    spikes = np.zeros((3, 5))
    spikes[1, [0, 2]] = 1
    labels = np.array([[0, 7, 0, 5, 0]])
    readout, alloc = Readout(n_protos=3), Allocator(n_protos=3, next_alloc_id=3)
    ids = IdBroadcast(shape=(1,))
    src, label_src = RingBuffer(data=spikes), RingBuffer(data=labels)
    out, fb, al = (RingBufferSink(shape=(1,), buffer=5) for _ in range(3))
    src.s_out.connect(readout.inference_in)
    label_src.s_out.connect(readout.label_in)
    readout.user_output.connect(out.a_in)
    readout.feedback.connect(fb.a_in)
    readout.trigger_alloc.connect(alloc.trigger_in)
    alloc.allocate_out.connect(ids.a_in)
    ids.s_out.connect(al.a_in)
    _run(readout, 5, FIXED)
    np.testing.assert_array_equal(out.data.get(), [[-2, 7, 7, 0, 0]])
    np.testing.assert_array_equal(fb.data.get(), [[0, 0, 0, -1, 0]])
    np.testing.assert_array_equal(al.data.get(), [[0, 0, 0, 3, 0]])
    np.testing.assert_array_equal(readout.proto_labels.get(), [0, 7, 0])
    np.testing.assert_array_equal(alloc.next_alloc_id.get(), [4])
    np.testing.assert_array_equal(ids.val.get(), [0])
    readout.stop()


def test_prototype_lif_third_factor_and_reset() -> None:
    # id 2 at step 2 (through Dense: neuron 1 spikes at step 3, y1 = 127 from then on); input drives
    # neuron 0 over threshold at step 3 but a reset at step 3 clears it
    third = np.zeros((1, 5))
    third[0, 1] = 2
    drive = np.zeros((2, 5))
    drive[0, 1] = 100
    resets = np.zeros((2, 5))
    resets[0, 2] = 1
    protos = PrototypeLIF(shape=(2,), du=4095, dv=0, vth=5000, sign_mode=1)  # Lava passes extra kwargs on
    assert protos.proc_params["sign_mode"] == 1
    src3, srcd, srcr = RingBuffer(data=third), RingBuffer(data=drive), RingBuffer(data=resets)
    d3 = Dense(weights=np.ones((2, 1)), num_message_bits=8)
    dd = Dense(weights=np.eye(2) * 100)
    src3.s_out.connect(d3.s_in)
    d3.a_out.connect(protos.a_third_factor_in)
    srcd.s_out.connect(dd.s_in)
    dd.a_out.connect(protos.a_in)
    srcr.s_out.connect(protos.reset_in)
    s, bap, y1 = (RingBufferSink(shape=(2,), buffer=5) for _ in range(3))
    protos.s_out.connect(s.a_in)
    protos.s_out_bap.connect(bap.a_in)
    protos.s_out_y1.connect(y1.a_in)
    _run(protos, 5, FIXED)
    np.testing.assert_array_equal(s.data.get(), [[0, 0, 0, 0, 0], [0, 0, 1, 0, 0]])
    np.testing.assert_array_equal(bap.data.get(), [[0, 0, 0, 0, 0], [0, 0, 1, 0, 0]])
    np.testing.assert_array_equal(y1.data.get(), [[0] * 5, [0, 0, 127, 127, 127]])
    np.testing.assert_array_equal(protos.v.get(), [0, 0])  # reset at step 3, no input since
    protos.stop()


def test_prototype_lif_refuses_an_id_beyond_its_prototypes() -> None:
    protos = PrototypeLIF(shape=(2,), vth=10)
    src = RingBuffer(data=np.array([[3.0], [3.0]]))  # what a Dense of ones delivers
    src.s_out.connect(protos.a_third_factor_in)
    with pytest.raises(RunError, match=r"names prototype 3.*1\.\.2"):
        _run(protos, 1, FIXED)
    protos.stop()


def test_clp_models_are_fixed_pt_only() -> None:
    nvl = NoveltyDetector(t_wait=3)
    with pytest.raises(CompileError, match=r"no 'floating_pt' model of NoveltyDetector"):
        nvl.compile(run_cfg=FLOAT)


def test_readout_takes_lava_style_label_rows() -> None:
    # Lava writes the init into a (n_protos,) int32 Var; its CLP tutorial passes np.zeros((1, n_protos)).
    np.testing.assert_array_equal(Readout(n_protos=3, proto_labels=np.zeros((1, 3))).proto_labels.get(), [0, 0, 0])
    np.testing.assert_array_equal(Readout(n_protos=3, proto_labels=[[4.0, 0.0, -2.0]]).proto_labels.get(), [4, 0, -2])


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: NoveltyDetector(t_wait=-1), r"NoveltyDetector: t_wait=-1 is outside 0\.\."),
        (lambda: NoveltyDetector(t_wait=1.5), r"NoveltyDetector: t_wait must be an integer"),
        (lambda: Readout(n_protos=0), r"Readout: n_protos=0 is outside 1\.\."),
        (lambda: Readout(n_protos=2, proto_labels=[1, 2, 3]), r"Readout: proto_labels must be 2 integers"),
        (lambda: Readout(n_protos=2, proto_labels=[[1], [2]]), r"Readout: proto_labels must be 2 integers"),
        (lambda: Readout(n_protos=2, proto_labels=[1.5, 0]), r"Readout: proto_labels must be 2 integers"),
        (lambda: Readout(n_protos=2, proto_labels=["a", "b"]), r"Readout: proto_labels must be 2 integers"),
        (lambda: Allocator(n_protos=2, next_alloc_id=0), r"Allocator: next_alloc_id=0 is outside 1\.\."),
        (lambda: IdBroadcast(shape=()), r"IdBroadcast: shape must be"),
    ],
)
def test_clp_bad_input(make, match) -> None:
    with pytest.raises(ParameterError, match=match):
        make()
