"""Small networks of the Lava 0.10 processes caldera added for caldera-lava: CLP (``lava.proc.clp``), S4D
(``lava.proc.s4d``), ConvInTime, RFZero, Spiker, Receiver, NormVecDelay and InvSqrt (``NormalizeNet``).

The builders use ``lava.*`` names only, so the same code runs on Lava 0.10 and on caldera-lava.
Run as a script with Lava 0.10's Python (lava-nc 0.10.0, NumPy < 2) to record the reference traces::

    python tests/lava/recorded_networks.py          # writes tests/lava/data/recorded_lava010.npz

``tests/lava/test_recorded_networks.py`` rebuilds every network on caldera-lava and compares with the recording:
exactly for ``fixed_pt``, to ``rtol=1e-9, atol=1e-12`` for ``floating_pt``.
"""

from __future__ import annotations

import pathlib
import typing as ty

import numpy as np
from lava.magma.core.learning.constants import GradedSpikeCfg
from lava.magma.core.learning.learning_rule import Loihi3FLearningRule
from lava.magma.core.run_conditions import RunSteps
from lava.magma.core.run_configs import Loihi2SimCfg
from lava.networks.gradedvecnetwork import NormalizeNet
from lava.proc.clp.id_broadcast.process import IdBroadcast
from lava.proc.clp.novelty_detector.process import NoveltyDetector
from lava.proc.clp.nsm.process import Allocator, Readout
from lava.proc.clp.prototype_lif.process import PrototypeLIF
from lava.proc.conv_in_time.process import ConvInTime
from lava.proc.dense.models import PyLearningDenseModelBitApproximate
from lava.proc.dense.process import Dense, LearningDense
from lava.proc.graded.process import InvSqrt
from lava.proc.io.sink import RingBuffer as Sink
from lava.proc.io.source import RingBuffer as Source
from lava.proc.monitor.process import Monitor
from lava.proc.receiver.process import Receiver
from lava.proc.resfire.process import RFZero
from lava.proc.s4d.process import S4d, SigmaS4dDelta, SigmaS4dDeltaLayer
from lava.proc.sdn.process import ActivationMode, SigmaDelta
from lava.proc.sparse.process import Sparse
from lava.proc.spiker.process import Spiker

DATA = pathlib.Path(__file__).resolve().parent / "data" / "recorded_lava010.npz"

Probed = list[tuple[str, ty.Any, ty.Any]]  # (key, monitor, target)


def _probe(probes: Probed, key: str, target: ty.Any, steps: int) -> None:
    mon = Monitor()
    mon.probe(target=target, num_steps=steps)
    probes.append((key, mon, target))


def _read(probes: Probed) -> dict[str, np.ndarray]:
    out = {}
    for key, mon, target in probes:
        out[key] = np.asarray(mon.get_data()[target.process.name][target.name])
    return out


def _coefficients(n: int, seed: int, complex_: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stable diagonal S4D coefficients (|a| < 1), made with + and * only (no transcendental function,
    whose last bit may differ between NumPy versions)."""
    rng = np.random.default_rng(seed)
    if complex_:
        a = 1.2 * rng.random(n) - 0.6 + 1j * (1.2 * rng.random(n) - 0.6)
        b = 2 * rng.random(n) - 1 + 1j * (2 * rng.random(n) - 1)
        c = 2 * rng.random(n) - 1 + 1j * (2 * rng.random(n) - 1)
        return a, b, c
    a = (0.3 + 0.65 * rng.random(n)) * np.where(rng.random(n) < 0.3, -1.0, 1.0)
    return a, 2 * rng.random(n) - 1, 2 * rng.random(n) - 1


def _two_chunks(proc: ty.Any, steps: int, cfg: ty.Any, chunks: bool) -> None:
    if chunks:
        first = steps // 2
        proc.run(condition=RunSteps(num_steps=first), run_cfg=cfg)
        proc.run(condition=RunSteps(num_steps=steps - first), run_cfg=cfg)
    else:
        proc.run(condition=RunSteps(num_steps=steps), run_cfg=cfg)


# -- S4D -------------------------------------------------------------------------------------
def s4d_complex(chunks: bool = False) -> dict[str, np.ndarray]:
    """RingBuffer -> Sparse (expansion to d_states) -> S4d (complex coefficients) -> sink."""
    model_dim, d_states, steps = 3, 2, 9
    n = model_dim * d_states
    a, b, c = _coefficients(n, 1, complex_=True)
    inp = np.random.default_rng(2).integers(0, 32, size=(model_dim, steps))
    src = Source(data=inp)
    expand = Sparse(weights=np.kron(np.eye(model_dim), np.ones((d_states,))).T, num_message_bits=24)
    neuron = S4d(shape=(n,), a=a, b=b, c=c)
    sink = Sink(shape=(n,), buffer=steps)
    src.s_out.connect(expand.s_in)
    expand.a_out.connect(neuron.a_in)
    neuron.s_out.connect(sink.a_in)
    _two_chunks(neuron, steps, Loihi2SimCfg(select_tag="floating_pt"), chunks)
    out = {"sink": sink.data.get(), "s4_state": neuron.s4_state.get(), "a": neuron.a.get()}
    neuron.stop()
    return out


def s4d_sigma(chunks: bool = False) -> dict[str, np.ndarray]:
    """RingBuffer (input changes) -> Sparse -> SigmaS4dDelta (vth > 0: residues) -> sink."""
    model_dim, steps = 4, 10
    a, b, c = _coefficients(model_dim, 3, complex_=False)
    inp = np.random.default_rng(4).random((model_dim, steps)) * 2**6
    diff = np.concatenate((inp[:, :1], inp[:, 1:] - inp[:, :-1]), axis=1)
    src = Source(data=diff)
    syn = Sparse(weights=np.eye(model_dim), num_message_bits=24)
    neuron = SigmaS4dDelta(shape=(model_dim,), vth=3.0, a=a, b=b, c=c)
    sink = Sink(shape=(model_dim,), buffer=steps)
    src.s_out.connect(syn.s_in)
    syn.a_out.connect(neuron.a_in)
    neuron.s_out.connect(sink.a_in)
    probes: Probed = []
    for var in ("s4_state", "sigma", "act", "residue"):
        _probe(probes, var, getattr(neuron, var), steps)
    _two_chunks(neuron, steps, Loihi2SimCfg(), chunks)
    out = _read(probes)
    out["sink"] = sink.data.get()
    neuron.stop()
    return out


def s4d_layer(chunks: bool = False) -> dict[str, np.ndarray]:
    """RingBuffer -> SigmaS4dDeltaLayer (3 hidden states per channel) -> SigmaDelta (UNIT, cum_error) -> sink."""
    model_dim, d_states, steps = 3, 3, 10
    a, b, c = _coefficients(model_dim * d_states, 5, complex_=False)
    inp = np.random.default_rng(6).random((model_dim, steps)) * 2**5
    diff = np.concatenate((inp[:, :1], inp[:, 1:] - inp[:, :-1]), axis=1)
    src = Source(data=diff)
    layer = SigmaS4dDeltaLayer(shape=(model_dim,), d_states=d_states, num_message_bits=24, vth=0.5, a=a, b=b, c=c)
    buf = SigmaDelta(shape=(model_dim,), vth=0, cum_error=True, act_mode=ActivationMode.UNIT)
    sink = Sink(shape=(model_dim,), buffer=steps)
    src.s_out.connect(layer.s_in)
    layer.a_out.connect(buf.a_in)
    buf.s_out.connect(sink.a_in)
    probes: Probed = []
    _probe(probes, "buf_sigma", buf.sigma, steps)
    _two_chunks(src, steps, Loihi2SimCfg(), chunks)
    out = _read(probes)
    out["sink"] = sink.data.get()
    out["s4_state"] = layer.s4_state.get()
    src.stop()
    return out


# -- CLP -------------------------------------------------------------------------------------
def clp_one_shot(chunks: bool = False) -> dict[str, np.ndarray]:
    """Continual-learning prototypes: novelty detection allocates a prototype (via IdBroadcast) that
    learns the pattern in one shot; the Readout labels it from the user's labels, recognises the
    pattern when it comes back and reports a wrong prediction (which triggers another allocation)."""
    n_protos, n_features, steps = 4, 2, 40
    # graded payloads 128: x1 = 64 and the learnt weight 127 * 64 / 64 = 127 are exact, so the stochastic
    # rounding of the learning engine (whose random streams differ) has nothing to round
    patterns = np.array([[128, 0], [0, 128], [128, 0], [0, 128]])
    inp = np.zeros((n_features, steps))
    for t, p in zip((3, 13, 23, 31), patterns, strict=True):
        inp[:, t] = p
    labels = np.zeros((1, steps))
    labels[0, [11, 20, 29, 38]] = [1, 2, 1, 3]  # a label after each prediction; the last one is wrong
    resets = np.zeros((n_protos, steps))
    resets[:, [12, 22, 30]] = 1  # clear the prototypes' state between patterns

    rule = Loihi3FLearningRule(dw="2^-3*y1*x1*y0", x1_tau=65535, t_epoch=1, rng_seed=11)
    src = Source(data=inp)
    label_src = Source(data=labels)
    reset_src = Source(data=resets)
    nvl = NoveltyDetector(t_wait=4)
    alloc = Allocator(n_protos=n_protos)
    ids = IdBroadcast(shape=(1,))
    readout = Readout(n_protos=n_protos)
    protos = PrototypeLIF(du=4095, dv=4095, bias_mant=0, bias_exp=0, vth=16000, shape=(n_protos,), learning_rule=rule)
    w = LearningDense(
        weights=np.zeros((n_protos, n_features)),
        learning_rule=rule,
        num_message_bits=8,
        graded_spike_cfg=GradedSpikeCfg.OVERWRITE,
    )
    in_aval = Dense(weights=np.ones((1, n_features)))
    out_aval = Dense(weights=np.ones((1, n_protos)))
    third = Dense(weights=np.ones((n_protos, 1)), num_message_bits=8)

    src.s_out.connect(w.s_in)
    w.a_out.connect(protos.a_in)
    src.s_out.connect(in_aval.s_in)
    in_aval.a_out.connect(nvl.input_aval_in)
    protos.s_out.connect(out_aval.s_in)
    out_aval.a_out.connect(nvl.output_aval_in)
    nvl.novelty_detected_out.connect(alloc.trigger_in)
    readout.trigger_alloc.connect(alloc.trigger_in)
    alloc.allocate_out.connect(ids.a_in)
    ids.s_out.connect(third.s_in)
    third.a_out.connect(protos.a_third_factor_in)
    protos.s_out_bap.connect(w.s_in_bap)
    protos.s_out_y1.connect(w.s_in_y1)
    protos.s_out.connect(readout.inference_in)
    label_src.s_out.connect(readout.label_in)
    reset_src.s_out.connect(protos.reset_in)

    probes: Probed = []
    for key, target in (
        ("novelty", nvl.novelty_detected_out),
        ("alloc", alloc.allocate_out),
        ("ids_val", ids.val),
        ("s_out", protos.s_out),
        ("bap", protos.s_out_bap),
        ("y1", protos.s_out_y1),
        ("v", protos.v),
        ("u", protos.u),
        ("weights", w.weights),
        ("x1", w.x1),
        ("user_output", readout.user_output),
        ("feedback", readout.feedback),
        ("trigger_alloc", readout.trigger_alloc),
        ("proto_labels", readout.proto_labels),
        ("next_alloc_id", alloc.next_alloc_id),
    ):
        _probe(probes, key, target, steps)
    cfg = Loihi2SimCfg(
        select_tag="fixed_pt", exception_proc_model_map={LearningDense: PyLearningDenseModelBitApproximate}
    )
    _two_chunks(protos, steps, cfg, chunks)
    out = _read(probes)
    protos.stop()
    return out


# -- ConvInTime, RFZero, Spiker, Receiver ------------------------------------------------------
def conv_in_time(tag: str, graded: bool, chunks: bool = False) -> dict[str, np.ndarray]:
    """RingBuffer -> ConvInTime (kernel of 3 steps, 3 inputs -> 2 outputs) -> sink."""
    steps = 9
    rng = np.random.default_rng(8)
    weights = np.round(rng.random((3, 2, 3)) * 16 - 8) if tag == "fixed_pt" else rng.random((3, 2, 3)) * 2 - 1
    if graded:
        data = rng.integers(-20, 20, size=(3, steps)) * (rng.random((3, steps)) < 0.6)
    else:
        data = (rng.random((3, steps)) < 0.4).astype(int)
    src = Source(data=data)
    conv = ConvInTime(weights=weights, num_message_bits=8 if graded else 0)
    sink = Sink(shape=(2,), buffer=steps)
    src.s_out.connect(conv.s_in)
    conv.a_out.connect(sink.a_in)
    _two_chunks(src, steps, Loihi2SimCfg(select_tag=tag), chunks)
    out = {"sink": sink.data.get(), "a_buff": conv.a_buff.get()}
    src.stop()
    return out


def rfzero(chunks: bool = False) -> dict[str, np.ndarray]:
    """Graded pulses -> Dense (identity) -> RFZero's real and imaginary inputs -> sink; fixed_pt."""
    steps = 30
    rng = np.random.default_rng(9)
    u_data = np.zeros((3, steps))
    u_data[:, [0, 11]] = rng.integers(500, 3000, size=(3, 2))
    v_data = np.zeros((3, steps))
    v_data[:, 5] = rng.integers(-2000, 2000, size=3)
    src_u, src_v = Source(data=u_data), Source(data=v_data)
    du, dv = (Dense(weights=np.eye(3), num_message_bits=24) for _ in range(2))
    rf = RFZero(shape=(3,), freqs=np.array([20.0, 35.0, 50.0]), decay_tau=np.array([0.1, 0.05, 1.0]), dt=0.01, uth=40)
    sink = Sink(shape=(3,), buffer=steps)
    src_u.s_out.connect(du.s_in)
    du.a_out.connect(rf.u_in)
    src_v.s_out.connect(dv.s_in)
    dv.a_out.connect(rf.v_in)
    rf.s_out.connect(sink.a_in)
    probes: Probed = []
    for var in ("u", "v"):
        _probe(probes, var, getattr(rf, var), steps)
    _two_chunks(rf, steps, Loihi2SimCfg(select_tag="fixed_pt"), chunks)
    out = _read(probes)
    out["sink"] = sink.data.get()
    out["lct"], out["lst"] = rf.lct.get(), rf.lst.get()
    rf.stop()
    return out


def spiker_receiver(chunks: bool = False) -> dict[str, np.ndarray]:
    """Spiker (period 4, payloads) -> Receiver directly, and through a Dense -> Receiver."""
    steps = 12
    spk = Spiker(shape=(3,), period=4, payload=7)
    direct = Receiver(shape=(3,))
    syn = Dense(weights=np.array([[1, 2, 3], [0, -1, 1]]), num_message_bits=8)
    through = Receiver(shape=(2,))
    spk.s_out.connect(direct.a_in)
    spk.s_out.connect(syn.s_in)
    syn.a_out.connect(through.a_in)
    probes: Probed = []
    _probe(probes, "direct", direct.payload, steps)
    _probe(probes, "through", through.payload, steps)
    _probe(probes, "counter", spk.counter, steps)
    _two_chunks(spk, steps, Loihi2SimCfg(select_tag="fixed_pt"), chunks)
    out = _read(probes)
    spk.stop()
    return out


def normalize(chunks: bool = False) -> dict[str, np.ndarray]:
    """Graded vectors (12 fractional bits) -> Dense -> NormalizeNet (NormVecDelay + InvSqrt, fixed_pt) -> sink."""
    steps = 8
    rng = np.random.default_rng(10)
    data = rng.integers(-3 * 2**12, 3 * 2**12, size=(3, steps)) // 8
    data[:, 3] = 0
    src = Source(data=data)
    syn = Dense(weights=np.eye(3), num_message_bits=24)
    norm = NormalizeNet(shape=(3,), exp=12)
    sink = Sink(shape=(3,), buffer=steps)
    src.s_out.connect(syn.s_in)
    syn.a_out.connect(norm.in_port)
    norm.out_port.connect(sink.a_in)
    probes: Probed = []
    _probe(probes, "inv", norm.fp_inv_neuron.s_out, steps)
    _probe(probes, "v2", norm.main.v2, steps)
    _two_chunks(src, steps, Loihi2SimCfg(select_tag="fixed_pt"), chunks)
    out = _read(probes)
    out["sink"] = sink.data.get()
    src.stop()
    return out


def inv_sqrt_float(chunks: bool = False) -> dict[str, np.ndarray]:
    """RingBuffer -> InvSqrt (floating_pt) -> sink."""
    steps = 5
    data = 0.5 + np.random.default_rng(11).random((4, steps)) * 100
    src = Source(data=data)
    inv = InvSqrt(shape=(4,))
    sink = Sink(shape=(4,), buffer=steps)
    src.s_out.connect(inv.a_in)
    inv.s_out.connect(sink.a_in)
    _two_chunks(src, steps, Loihi2SimCfg(select_tag="floating_pt"), chunks)
    out = {"sink": sink.data.get()}
    src.stop()
    return out


NETWORKS: dict[str, ty.Callable[..., dict[str, np.ndarray]]] = {
    "s4d_complex": s4d_complex,
    "s4d_sigma": s4d_sigma,
    "s4d_layer": s4d_layer,
    "clp_one_shot": clp_one_shot,
    "conv_in_time_float": lambda chunks=False: conv_in_time("floating_pt", False, chunks),
    "conv_in_time_float_graded": lambda chunks=False: conv_in_time("floating_pt", True, chunks),
    "conv_in_time_fixed_graded": lambda chunks=False: conv_in_time("fixed_pt", True, chunks),
    "rfzero": rfzero,
    "spiker_receiver": spiker_receiver,
    "normalize": normalize,
    "inv_sqrt_float": inv_sqrt_float,
}


def record() -> None:
    arrays = {}
    for name, build in NETWORKS.items():
        for key, value in build().items():
            arrays[f"{name}:{key}"] = value
    DATA.parent.mkdir(exist_ok=True)
    np.savez_compressed(DATA, **arrays)
    print(f"wrote {len(arrays)} arrays to {DATA}")


if __name__ == "__main__":
    record()
