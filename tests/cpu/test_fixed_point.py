"""Loihi fixed-point arithmetic (caldera.arith) and the fixed_pt LIF model, with hypothesis."""

from __future__ import annotations

import numpy as np
import pytest
from caldera import RunConfig, RunSteps, arith
from caldera.procs import LIF, Monitor, RingBuffer
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import sparse as sp

INT32 = st.integers(-(2**31), 2**31 - 1)
U_MAX = 2**23  # u in (-U_MAX, U_MAX], v in [-(U_MAX - 1), U_MAX - 1]
FIXED = RunConfig(backend="cpu", tag="fixed_pt")  # the cpu backend's models

# compiling a network may raise the interpreter's recursion limit (cycle search); hypothesis notes it
pytestmark = pytest.mark.filterwarnings("ignore:The recursion limit will not be reset")


# -- decay ---------------------------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(x=hnp.arrays(np.int32, st.integers(0, 50), elements=INT32), d=st.integers(0, 4096))
@example(x=np.array([-(2**31), 2**31 - 1, -1, 1, 0, 4095, -4095], dtype=np.int32), d=0)
@example(x=np.array([-(2**31), 2**31 - 1, -1, 1, 0, 4095, -4095], dtype=np.int32), d=1)
@example(x=np.array([-(2**31), 2**31 - 1, -1, 1, 0, 4095, -4095], dtype=np.int32), d=4095)
@example(x=np.array([-(2**31), 2**31 - 1, -1, 1, 0, 4095, -4095], dtype=np.int32), d=4096)
def test_decay_equals_integer_reference(x, d):
    got = arith.decay(x, d)
    want = arith.decay_reference(x, d)
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, want)


@settings(max_examples=100, deadline=None)
@given(data=st.data(), n=st.integers(1, 30))
def test_decay_with_per_element_d(data, n):
    x = data.draw(hnp.arrays(np.int32, n, elements=INT32))
    d = data.draw(hnp.arrays(np.int64, n, elements=st.integers(0, 4096)))
    np.testing.assert_array_equal(arith.decay(x, d), arith.decay_reference(x, d))


@given(x=st.integers(-(2**31), 2**31 - 1), d=st.integers(0, 4096))
def test_decay_reference_is_truncation_toward_zero(x, d):
    y = x * (4096 - d)
    want = abs(y) // 4096 * (1 if y >= 0 else -1)  # Python ints: exact
    assert int(arith.decay_reference(np.array([x], np.int32), d)[0]) == want


def test_decay_hand_values():
    x = np.array([4096, -4096, 4095, -4095, 100, -100], dtype=np.int32)
    np.testing.assert_array_equal(arith.decay(x, 2048), [2048, -2048, 2047, -2047, 50, -50])
    np.testing.assert_array_equal(arith.decay(x, 4095), [1, -1, 0, 0, 0, 0])
    np.testing.assert_array_equal(arith.decay(x, 4096), [0] * 6)
    np.testing.assert_array_equal(arith.decay(x, 0), x)


def test_wrap_and_saturate_hand_values():
    u = np.array([U_MAX, U_MAX + 1, -U_MAX + 1, -U_MAX, 3 * U_MAX // 2], dtype=np.int64)
    np.testing.assert_array_equal(arith.wrap_u(u), [U_MAX, -U_MAX + 1, -U_MAX + 1, U_MAX, -U_MAX // 2])
    v = np.array([U_MAX, U_MAX - 1, -U_MAX, 5], dtype=np.int64)
    np.testing.assert_array_equal(arith.saturate_v(v), [U_MAX - 1, U_MAX - 1, -U_MAX + 1, 5])


# -- an independent reference of the fixed_pt LIF, in Python integers ----------------------------
def _trunc_decay(x: int, d: int) -> int:
    y = x * (4096 - d)
    return abs(y) // 4096 * (1 if y >= 0 else -1)


def _lif_reference(u, v, inputs, du, dv, bias_mant, bias_exp, vth):
    """Lava's fixed-point LIF, written out per neuron with Python ints. Returns (u, v, s) traces."""
    n = len(u)
    u, v = list(u), list(v)
    bias = [bias_mant[i] * (1 << bias_exp[i]) for i in range(n)]
    us, vs, ss = [], [], []
    for a in inputs:
        s = []
        for i in range(n):
            ui = _trunc_decay(u[i], du + 1) + a[i] * 64
            if ui > U_MAX:
                ui -= 2 * U_MAX
            elif ui <= -U_MAX:
                ui += 2 * U_MAX
            vi = _trunc_decay(v[i], dv) + ui + bias[i]
            vi = max(-(U_MAX - 1), min(U_MAX - 1, vi))
            spike = vi > vth * 64
            if spike:
                vi = 0
            u[i], v[i] = ui, vi
            s.append(int(spike))
        us.append(list(u))
        vs.append(list(v))
        ss.append(s)
    return np.array(us), np.array(vs), np.array(ss)


def _run_lif(u0, v0, inputs, du, dv, bias_mant, bias_exp, vth):
    n, steps = len(u0), len(inputs)
    src = RingBuffer(data=np.array(inputs, dtype=np.int32).T.reshape(n, steps))
    lif = LIF(
        shape=(n,),
        u=np.array(u0),
        v=np.array(v0),
        du=du,
        dv=dv,
        bias_mant=np.array(bias_mant),
        bias_exp=np.array(bias_exp),
        vth=vth,
        name="lif",
    )
    src.s_out.connect(lif.a_in)
    mon = Monitor()
    for target in (lif.u, lif.v, lif.s_out):
        mon.probe(target, steps)
    src.run(RunSteps(steps), FIXED)
    data = mon.get_data()["lif"]
    final = (lif.u.get(), lif.v.get())
    src.stop()
    return data["u"], data["v"], data["s_out"], final


@st.composite
def lif_cases(draw):
    n = draw(st.integers(1, 6))
    steps = draw(st.integers(1, 6))
    u24 = st.integers(-(U_MAX - 1), U_MAX)
    v24 = st.integers(-(U_MAX - 1), U_MAX - 1)
    a16 = st.integers(-(2**15), 2**15 - 1)  # the input port's precision (16 bits)
    return dict(
        u0=draw(st.lists(u24, min_size=n, max_size=n)),
        v0=draw(st.lists(v24, min_size=n, max_size=n)),
        inputs=draw(st.lists(st.lists(a16, min_size=n, max_size=n), min_size=steps, max_size=steps)),
        du=draw(st.integers(0, 4095)),
        dv=draw(st.integers(0, 4095)),
        bias_mant=draw(st.lists(st.integers(-4096, 4095), min_size=n, max_size=n)),
        bias_exp=draw(st.lists(st.integers(0, 7), min_size=n, max_size=n)),
        vth=draw(st.integers(0, 2**17 - 1)),
    )


@settings(max_examples=120, deadline=None)
@given(case=lif_cases())
@example(
    case=dict(
        u0=[U_MAX, -(U_MAX - 1)],
        v0=[U_MAX - 1, -(U_MAX - 1)],
        inputs=[[2**15 - 1, -(2**15)]] * 3,
        du=0,
        dv=0,
        bias_mant=[4095, -4096],
        bias_exp=[7, 7],
        vth=2**17 - 1,
    )
)
def test_fixed_lif_u_v_stay_in_24_bits_and_match_reference(case):
    u, v, s, (u_end, v_end) = _run_lif(**case)
    assert u.min() > -U_MAX and u.max() <= U_MAX
    assert v.min() >= -(U_MAX - 1) and v.max() <= U_MAX - 1
    assert u_end.dtype == np.int32 and v_end.dtype == np.int32
    ru, rv, rs = _lif_reference(
        case["u0"], case["v0"], case["inputs"], case["du"], case["dv"], case["bias_mant"], case["bias_exp"], case["vth"]
    )
    np.testing.assert_array_equal(u, ru)
    np.testing.assert_array_equal(v, rv)
    np.testing.assert_array_equal(s, rs)


@settings(max_examples=50, deadline=None)
@given(u0=st.lists(st.integers(-(U_MAX - 1), U_MAX), min_size=1, max_size=8))
def test_du_4095_clears_u_in_one_step(u0):
    """du + ds_offset = 4096: the current decays to exactly zero."""
    lif = LIF(shape=(len(u0),), u=np.array(u0), du=4095, dv=0, vth=2**17 - 1)
    lif.run(RunSteps(1), FIXED)
    np.testing.assert_array_equal(lif.u.get(), np.zeros(len(u0)))
    lif.stop()


def test_dv_4095_does_not_clear_v():
    """No offset on the voltage decay: dv=4095 keeps 1/4096 of v."""
    v0 = np.array([409600, -409600, 8191, -8191, 4095, 2**23 - 1])
    lif = LIF(shape=(6,), v=v0, du=0, dv=4095, vth=2**17 - 1)
    lif.run(RunSteps(1), FIXED)
    np.testing.assert_array_equal(lif.v.get(), [100, -100, 1, -1, 0, 2047])
    lif.run(RunSteps(1))
    np.testing.assert_array_equal(lif.v.get(), [0, 0, 0, 0, 0, 0])
    lif.stop()


def test_fixed_lif_bias_sequence_by_hand():
    """bias = 3 << 2 = 12 per step, vth = 1 << 6 = 64, no decay: spike when v > 64."""
    lif = LIF(shape=(1,), bias_mant=3, bias_exp=2, du=0, dv=0, vth=1, name="lif")
    mon = Monitor()
    for target in (lif.u, lif.v, lif.s_out):
        mon.probe(target, 7)
    lif.run(RunSteps(7), FIXED)
    d = mon.get_data()["lif"]
    np.testing.assert_array_equal(d["u"][:, 0], [0, 0, 0, 0, 0, 0, 0])
    np.testing.assert_array_equal(d["v"][:, 0], [12, 24, 36, 48, 60, 0, 12])  # 72 > 64: spike, reset
    np.testing.assert_array_equal(d["s_out"][:, 0], [0, 0, 0, 0, 0, 1, 0])
    assert lif.v.get().dtype == np.int32
    lif.stop()


def test_fixed_lif_input_and_current_decay_by_hand():
    """One input of 1 at step 1: u = 1 << 6 = 64, then halves (du=2047, +1 offset = 2048).

    dv=0: v integrates u; vth = 64 -> spike at step 2 (v = 96).
    """
    src = RingBuffer(data=np.array([[1, 0, 0, 0, 0]], dtype=np.int32))
    lif = LIF(shape=(1,), du=2047, dv=0, vth=1, name="lif")
    src.s_out.connect(lif.a_in)
    mon = Monitor()
    for target in (lif.u, lif.v, lif.s_out):
        mon.probe(target, 5)
    src.run(RunSteps(5), FIXED)
    d = mon.get_data()["lif"]
    np.testing.assert_array_equal(d["u"][:, 0], [64, 32, 16, 8, 4])
    np.testing.assert_array_equal(d["v"][:, 0], [64, 0, 16, 24, 28])
    np.testing.assert_array_equal(d["s_out"][:, 0], [0, 1, 0, 0, 0])
    src.stop()


def test_fixed_lif_v_saturates_and_u_wraps():
    src = RingBuffer(data=np.array([[2**15 - 1], [0], [-(2**15)]], dtype=np.int32))
    lif = LIF(
        shape=(3,),
        u=[U_MAX, 0, -(U_MAX - 1)],
        v=[0, -(U_MAX - 1), 0],
        bias_mant=[0, -4096, 0],
        bias_exp=7,
        du=0,
        dv=0,
        vth=2**17 - 1,
    )
    src.s_out.connect(lif.a_in)
    src.run(RunSteps(1), FIXED)
    # u: decayed by 4095/4096 (the ds_offset), plus input << 6, wrapped once into (-2**23, 2**23]
    u0 = U_MAX - 2048 + (2**15 - 1) * 64 - 2 * U_MAX
    u2 = -(U_MAX - 1) + 2048 - (2**15) * 64 + 2 * U_MAX  # -8388607 decays to -8386559 (toward zero)
    np.testing.assert_array_equal(lif.u.get(), [u0, 0, u2])
    assert (u0, u2) == (-6293568, 6293505)
    # v = u (+ bias); the second neuron saturates at -(2**23 - 1)
    np.testing.assert_array_equal(lif.v.get(), [u0, -(U_MAX - 1), u2])
    src.stop()


def _lava_lif_steps(u, v, inputs, bias, du, dv, vth):
    """Lava 0.10's fixed-point LIF step in Python ints: int32 sums, one 24-bit wrap of u, saturated v."""

    def i32(x):
        return (x + 2**31) % 2**32 - 2**31

    def trunc_decay(x, m):
        y = x * m
        return abs(y) // 4096 * (1 if y >= 0 else -1)

    u, v, out = list(u), list(v), []
    for a in inputs:
        for i in range(len(u)):
            ui = i32(trunc_decay(u[i], 4096 - (du + 1)) + i32(a[i] << 6))
            if ui > U_MAX:
                ui -= 2 * U_MAX
            elif ui <= -U_MAX:
                ui += 2 * U_MAX
            vi = i32(trunc_decay(v[i], 4096 - dv) + ui + bias[i])
            vi = min(U_MAX - 1, max(-(U_MAX - 1), vi))
            u[i], v[i] = ui, (0 if vi > vth << 6 else vi)
        out.append((list(u), list(v)))
    return out


@settings(max_examples=150, deadline=None)
@given(data=st.data(), n=st.integers(1, 6), steps=st.integers(1, 4))
def test_fixed_lif_model_equals_python_int_reference(data, n, steps):
    """The model's in-place, fused update (one range scan) against Lava's rule, including the
    rare paths: inputs that wrap u (also past int32 when shifted), v that saturates."""
    u0 = data.draw(st.lists(st.integers(-(U_MAX - 1), U_MAX), min_size=n, max_size=n))
    v0 = data.draw(st.lists(st.integers(-(U_MAX - 1), U_MAX - 1), min_size=n, max_size=n))
    big = st.one_of(st.integers(-(2**15), 2**15 - 1), INT32)
    inputs = data.draw(st.lists(st.lists(big, min_size=n, max_size=n), min_size=steps, max_size=steps))
    bias_mant = data.draw(st.lists(st.integers(-4096, 4095), min_size=n, max_size=n))
    bias_exp = data.draw(st.integers(0, 7))
    du, dv = data.draw(st.integers(0, 4095)), data.draw(st.integers(0, 4095))
    vth = data.draw(st.integers(0, 2**17 - 1))
    src = RingBuffer(data=np.array(inputs, dtype=np.int32).T)
    lif = LIF(shape=(n,), u=u0, v=v0, bias_mant=bias_mant, bias_exp=bias_exp, du=du, dv=dv, vth=vth, name="lif")
    src.s_out.connect(lif.a_in)
    mon = Monitor()
    mon.probe(lif.u, steps)
    mon.probe(lif.v, steps)
    try:
        src.run(RunSteps(steps), FIXED)
        got = mon.get_data()["lif"]
    finally:
        src.stop()
    want = _lava_lif_steps(u0, v0, inputs, [b << bias_exp for b in bias_mant], du, dv, vth)
    np.testing.assert_array_equal(got["u"], [w[0] for w in want])
    np.testing.assert_array_equal(got["v"], [w[1] for w in want])


# -- weights: clipping and truncation by sign mode ----------------------------------------------
def _ref_sign_mode(ws: list[int]) -> str:
    if min(ws) >= 0:
        return "EXCITATORY"
    if max(ws) <= 0:
        return "INHIBITORY"
    return "MIXED"


def _ref_fixed_weights(ws: list[int], num_weight_bits: int) -> list[int]:
    """Clip to the 8-bit range of the sign mode, then keep only the top bits (Python ints)."""
    mode = _ref_sign_mode(ws)
    lo, hi = {"EXCITATORY": (0, 255), "INHIBITORY": (-255, 0), "MIXED": (-256, 255)}[mode]
    k = 8 - num_weight_bits + (1 if mode == "MIXED" else 0)
    out = []
    for w in ws:
        w = min(hi, max(lo, w))
        if mode == "INHIBITORY":
            out.append(-((-w) // 2**k * 2**k))  # magnitude truncated
        else:
            out.append(w // 2**k * 2**k)  # floor: toward minus infinity
    return out


@settings(max_examples=300, deadline=None)
@given(ws=st.lists(st.integers(-600, 600), min_size=1, max_size=20), nwb=st.integers(1, 8))
@example(ws=[255, -256, 1, -1], nwb=8)
@example(ws=[-255, -3, -1], nwb=6)
@example(ws=[300, 7, 5], nwb=6)
def test_clip_and_truncate_weights_match_independent_implementation(ws, nwb):
    w = np.array(ws)
    mode = arith.determine_sign_mode(w)
    assert mode.name == _ref_sign_mode(ws)
    got = arith.truncate_weights(arith.clip_weights(w, mode, 8), mode, nwb)
    np.testing.assert_array_equal(got, _ref_fixed_weights(ws, nwb))
    # the sparse path gives the same values
    ws_sp = sp.csr_matrix(w.reshape(1, -1))
    got_sp = arith.truncate_weights(arith.clip_weights(ws_sp, mode, 8), mode, nwb)
    np.testing.assert_array_equal(got_sp.toarray().ravel(), _ref_fixed_weights(ws, nwb))


def test_weight_range_by_sign_mode():
    assert arith.weight_range(arith.SignMode.EXCITATORY) == (0, 255)
    assert arith.weight_range(arith.SignMode.INHIBITORY) == (-255, 0)
    assert arith.weight_range(arith.SignMode.MIXED) == (-256, 255)


def test_truncate_by_hand():
    ex = arith.SignMode.EXCITATORY
    np.testing.assert_array_equal(arith.truncate_weights(np.array([5, 7, 255]), ex, 6), [4, 4, 252])
    inh = arith.SignMode.INHIBITORY
    np.testing.assert_array_equal(arith.truncate_weights(np.array([-5, -7, -255]), inh, 6), [-4, -4, -252])
    mixed = arith.SignMode.MIXED
    # one bit more goes to the sign: multiples of 2 at 8 bits; negative values floor
    np.testing.assert_array_equal(arith.truncate_weights(np.array([5, -5, 255, -256]), mixed, 8), [4, -6, 254, -256])


@pytest.mark.parametrize(("x", "exp", "want"), [(12, 2, 48), (12, -2, 3), (-13, -2, -4), (5, 0, 5)])
def test_shift(x, exp, want):
    assert int(arith.shift(np.array([x]), exp)[0]) == want


def test_signed_clamp():
    np.testing.assert_array_equal(
        arith.signed_clamp(np.array([127, 128, -128, -129, 255]), 8), [127, -128, -128, 127, -1]
    )
