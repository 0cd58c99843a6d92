"""The cython backend gives the cpu backend's numbers: random networks, both tags (exact for fixed_pt)."""

from __future__ import annotations

import os

import numpy as np
import pytest
from caldera.procs import (
    LIF,
    Conv,
    DelayDense,
    DelaySparse,
    Dense,
    LIFRefractory,
    LIFReset,
    RingBuffer,
    RingBufferSink,
    SigmaDelta,
    Sparse,
    TernaryLIF,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse as sp

from .conftest import assert_same, run_traces

SYNAPSES = ["Dense", "Sparse", "DelayDense", "DelaySparse"]
NEURONS = {
    "fixed_pt": ["LIF", "LIFReset", "TernaryLIF", "SigmaDelta"],
    "floating_pt": ["LIF", "LIFReset", "TernaryLIF", "LIFRefractory", "SigmaDelta"],
}
# more examples: CALDERA_CYTHON_EXAMPLES=500 pytest tests/cython
HYP = settings(
    max_examples=int(os.environ.get("CALDERA_CYTHON_EXAMPLES", "12")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _weights(rng, shape, tag, density, big=False):
    if tag == "fixed_pt":
        w = rng.integers(-256 if big else -60, 256 if big else 120, shape)
    else:
        w = rng.uniform(-0.6, 1.2, shape)
    return w * (rng.random(shape) < density)


def _synapse(kind, rng, n_out, n_in, tag, graded, density, wexp):
    w = _weights(rng, (n_out, n_in), tag, density, big=wexp > 2)
    common = {"num_message_bits": 24 if graded else 0}
    if tag == "fixed_pt":
        common["weight_exp"] = wexp
    if kind == "Dense":
        return Dense(weights=w, **common)
    if kind == "Sparse":
        return Sparse(weights=sp.csr_matrix(w), **common)
    d = rng.integers(0, 4, (n_out, n_in))
    if kind == "DelayDense":
        return DelayDense(weights=w, delays=d, max_delay=3, **common)
    ws = sp.csr_matrix(w)
    ds = ws.copy()
    ds.data = rng.integers(0, 4, ds.nnz).astype(float)
    return DelaySparse(weights=ws, delays=ds, max_delay=3, **common)


def _neuron(kind, rng, n, tag, extreme):
    if tag == "fixed_pt":
        p = dict(
            shape=(n,),
            du=int(rng.integers(0, 4096)),
            dv=int(rng.integers(0, 4096)),
            bias_mant=rng.integers(-4096 if extreme else -100, 4096 if extreme else 300, n),
            bias_exp=int(rng.integers(0, 8 if extreme else 4)),
        )
        if kind == "SigmaDelta":
            return SigmaDelta(
                shape=(n,),
                vth=int(rng.integers(0, 200)),
                bias=rng.integers(-50, 50, n),
                cum_error=bool(rng.integers(0, 2)),
                act_mode=int(rng.integers(0, 2)) and "relu" or "unit",
                state_exp=int(rng.integers(0, 3)),
            )
        if kind == "TernaryLIF":
            return TernaryLIF(**p, vth_hi=int(rng.integers(0, 400)), vth_lo=-int(rng.integers(0, 400)))
        if kind == "LIFReset":
            return LIFReset(
                **p,
                vth=int(rng.integers(0, 400)),
                reset_interval=int(rng.integers(1, 9)),
                reset_offset=int(rng.integers(0, 9)),
            )
        return LIF(**p, vth=int(rng.integers(0, 131072 if extreme and rng.integers(0, 2) else 400)))
    p = dict(shape=(n,), du=float(rng.uniform(0, 1)), dv=float(rng.uniform(0, 1)), bias_mant=rng.uniform(-0.2, 0.6, n))
    if kind == "SigmaDelta":
        return SigmaDelta(
            shape=(n,),
            vth=float(rng.uniform(0, 0.5)),
            bias=rng.uniform(-0.2, 0.2, n),
            cum_error=bool(rng.integers(0, 2)),
            act_mode="relu" if rng.integers(0, 2) else "unit",
        )
    if kind == "TernaryLIF":
        return TernaryLIF(**p, vth_hi=float(rng.uniform(0.1, 2)), vth_lo=-float(rng.uniform(0.1, 2)))
    if kind == "LIFReset":
        return LIFReset(
            **p,
            vth=float(rng.uniform(0.1, 2)),
            reset_interval=int(rng.integers(1, 9)),
            reset_offset=int(rng.integers(0, 9)),
        )
    if kind == "LIFRefractory":
        return LIFRefractory(**p, vth=float(rng.uniform(0.1, 2)), refractory_period=int(rng.integers(1, 5)))
    return LIF(**p, vth=float(rng.uniform(0.1, 2)))


def _network(seed, tag, syn1, neuron, syn2, fan_in, extreme):
    """RingBuffer -> syn1 (+ a second synapse summed in) -> neuron -> syn2 -> LIF, with Monitor probes."""

    def build():
        rng = np.random.default_rng(seed)
        n_in, n_mid, n_out = (int(x) for x in rng.integers(1, 12, 3))
        dt = np.int32 if tag == "fixed_pt" else float
        src = RingBuffer(data=(rng.random((n_in, 7)) < 0.4).astype(dt))
        wexp = int(rng.integers(0, 8)) if extreme else int(rng.integers(-2, 3))
        s1 = _synapse(syn1, rng, n_mid, n_in, tag, False, float(rng.choice([0.15, 0.5, 0.9])), wexp)
        mid = _neuron(neuron, rng, n_mid, tag, extreme)
        graded = neuron == "SigmaDelta"
        s2 = _synapse(syn2, rng, n_out, n_mid, tag, graded, float(rng.choice([0.15, 0.5, 0.9])), 0 if graded else wexp)
        out = _neuron("LIF", rng, n_out, tag, extreme)
        sink = RingBufferSink(shape=(n_out,), buffer=5)
        src.s_out.connect(s1.s_in)
        s1.a_out.connect(mid.a_in)
        procs = {"src": src, "s1": s1, "mid": mid, "s2": s2, "out": out, "sink": sink}
        if fan_in:
            s3 = _synapse("Dense", rng, n_mid, n_in, tag, False, float(rng.choice([0.1, 0.6])), wexp)
            src.s_out.connect(s3.s_in)
            s3.a_out.connect(mid.a_in)
            procs["s3"] = s3
        mid.s_out.connect(s2.s_in)
        s2.a_out.connect(out.a_in)
        out.s_out.connect(sink.a_in)
        state = "sigma" if neuron == "SigmaDelta" else "v"
        probes = [("mid", state), ("mid", "s_out"), ("out", "u"), ("out", "v"), ("out", "s_out"), ("s2", "a_out")]
        return procs, probes

    return build


@HYP
@given(
    seed=st.integers(0, 2**31),
    tag=st.sampled_from(["fixed_pt", "floating_pt"]),
    syn1=st.sampled_from(SYNAPSES),
    syn2=st.sampled_from(SYNAPSES),
    data=st.data(),
    fan_in=st.booleans(),
    extreme=st.booleans(),
)
def test_random_networks_match_cpu(seed, tag, syn1, syn2, data, fan_in, extreme):
    neuron = data.draw(st.sampled_from(NEURONS[tag]))
    build = _network(seed, tag, syn1, neuron, syn2, fan_in, extreme)
    want, _ = run_traces(build, "cpu", tag, 25)
    got, ex = run_traces(build, "cython", tag, 25)
    assert ex.compiled, getattr(ex, "reason", None)
    assert_same(got, want, tag)


@HYP
@given(
    seed=st.integers(0, 2**31),
    tag=st.sampled_from(["fixed_pt", "floating_pt"]),
    chunks=st.lists(st.integers(1, 9), min_size=1, max_size=4),
)
def test_chunked_runs_match_one_run(seed, tag, chunks):
    build = _network(seed, tag, "Dense", "LIF", "DelayDense", True, False)
    steps = sum(chunks)
    whole, _ = run_traces(build, "cython", tag, steps)
    parts, _ = run_traces(build, "cython", tag, steps, chunks=chunks)
    assert_same(parts, whole, tag)


@pytest.mark.parametrize("tag", ["fixed_pt", "floating_pt"])
@pytest.mark.parametrize("graded", [False, True])
def test_conv_matches_cpu(tag, graded):
    def build():
        rng = np.random.default_rng(3)
        dt = np.int32 if tag == "fixed_pt" else float
        data = (rng.random((6, 5, 2, 9)) < 0.5).astype(dt) * (rng.integers(1, 40, (6, 5, 2, 9)) if graded else 1)
        src = RingBuffer(data=data.astype(dt))
        w = rng.integers(-80, 100, (3, 3, 3, 2)) if tag == "fixed_pt" else rng.uniform(-1, 1, (3, 3, 3, 2))
        conv = Conv(
            weight=w,
            input_shape=(6, 5, 2),
            padding=1,
            stride=1,
            weight_exp=3 if tag == "fixed_pt" else 0,
            num_message_bits=16 if graded else 0,
        )
        lif = LIF(
            shape=conv.a_out.shape,
            du=300 if tag == "fixed_pt" else 0.1,
            dv=200 if tag == "fixed_pt" else 0.2,
            vth=50 if tag == "fixed_pt" else 1.0,
        )
        src.s_out.connect(conv.s_in)
        conv.a_out.connect(lif.a_in)
        return {"src": src, "conv": conv, "lif": lif}, [("conv", "a_out"), ("lif", "v"), ("lif", "s_out")]

    want, _ = run_traces(build, "cpu", tag, 12)
    got, ex = run_traces(build, "cython", tag, 12)
    assert ex.compiled
    assert_same(got, want, tag)


@pytest.mark.parametrize("nwb", [8, 6])
def test_dense_table_with_extreme_fixed_weights_matches_cpu(nwb):
    """A dense fixed_pt Dense keeps an int16 table: the extreme 9-bit weights (-256, 255), many spiking inputs."""

    def build():
        rng = np.random.default_rng(11)
        w = rng.integers(-256, 256, (40, 60))
        w[0, :] = -256
        w[1, :] = 255
        data = (rng.random((60, 10)) < 0.8).astype(np.int32)
        src = RingBuffer(data=data)
        dense = Dense(weights=w, num_weight_bits=nwb)
        lif = LIF(shape=(40,), du=100, dv=100, vth=2000)
        src.s_out.connect(dense.s_in)
        dense.a_out.connect(lif.a_in)
        return {"src": src, "dense": dense, "lif": lif}, [("dense", "a_out"), ("lif", "u"), ("lif", "v")]

    want, _ = run_traces(build, "cpu", "fixed_pt", 10)
    got, ex = run_traces(build, "cython", "fixed_pt", 10)
    assert ex.compiled
    assert_same(got, want, "fixed_pt")
    assert want["dense.a_out"].min() < -2000 and want["dense.a_out"].max() > 2000  # the sums are large


@pytest.mark.parametrize("graded", [False, True])
def test_sparse_int16_weights_match_cpu(graded):
    """Sparse fixed_pt weights are stored as int16 by the kernel: extreme weights, binary and graded input."""

    def build():
        rng = np.random.default_rng(12)
        w = rng.integers(-256, 256, (30, 50)) * (rng.random((30, 50)) < 0.2)
        w[0, :3] = [-256, 255, -256]
        data = (rng.random((50, 8)) < 0.6).astype(np.int32) * (rng.integers(1, 2000, (50, 8)) if graded else 1)
        src = RingBuffer(data=data)
        syn = Sparse(weights=sp.csr_matrix(w), num_message_bits=16 if graded else 0)
        lif = LIF(shape=(30,), du=100, dv=100, vth=2000)
        src.s_out.connect(syn.s_in)
        syn.a_out.connect(lif.a_in)
        return {"src": src, "syn": syn, "lif": lif}, [("syn", "a_out"), ("lif", "u"), ("lif", "v")]

    want, _ = run_traces(build, "cpu", "fixed_pt", 8)
    got, ex = run_traces(build, "cython", "fixed_pt", 8)
    assert ex.compiled
    assert_same(got, want, "fixed_pt")
    if graded:
        assert np.abs(want["syn.a_out"]).max() > 2**15  # sums beyond int16: the accumulation is wider
