"""Connection operations: what each matrix does to a field's activity, shape errors, and connect()."""

from __future__ import annotations

import caldera_dnf as dnf
import numpy as np
import pytest
from caldera.procs import LIF, Dense, Sparse
from caldera_dnf import MisconfiguredConnectError, MisconfiguredOpError
from hypothesis import given, settings
from hypothesis import strategies as st

shapes_1_3 = st.lists(st.integers(2, 5), min_size=1, max_size=3).map(tuple)
FAST = settings(max_examples=40, deadline=None)


def weights(ops, src, dst):
    return dnf.compute_weights(ops, src, dst)


@FAST
@given(shape=shapes_1_3, data=st.data())
def test_reduce_dims_sums_and_averages(shape, data):
    dims = tuple(sorted(data.draw(st.sets(st.integers(0, len(shape) - 1), min_size=1, max_size=len(shape)))))
    x = data.draw(st.lists(st.floats(-5, 5), min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))
    x = np.array(x).reshape(shape)
    out = tuple(s for i, s in enumerate(shape) if i not in dims) or (1,)
    w = weights([dnf.ReduceDims(dims)], shape, out)
    np.testing.assert_allclose(w @ x.ravel(), x.sum(axis=dims).ravel(), atol=1e-9)
    w_mean = weights([dnf.ReduceDims(dims, reduce_method="MEAN")], shape, out)
    # lava-dnf 0.3 divides by the number of neurons of the whole input
    np.testing.assert_allclose(w_mean, w / x.size)


@FAST
@given(shape=st.lists(st.integers(2, 4), min_size=1, max_size=2).map(tuple), new=st.integers(1, 4))
def test_expand_dims_copies_along_new_dimension(shape, new):
    x = np.arange(np.prod(shape), dtype=float).reshape(shape)
    w = weights([dnf.ExpandDims(new)], shape, shape + (new,))
    np.testing.assert_array_equal(w @ x.ravel(), np.broadcast_to(x[..., None], shape + (new,)).ravel())
    # expanding then summing the new dimension away multiplies by its size
    back = weights([dnf.ExpandDims(new), dnf.ReduceDims(len(shape))], shape, shape)
    np.testing.assert_array_equal(back, new * np.eye(x.size))


@FAST
@given(shape=st.lists(st.integers(2, 4), min_size=2, max_size=3).map(tuple), data=st.data())
def test_reorder_dims_transposes(shape, data):
    order = tuple(data.draw(st.permutations(range(len(shape)))))
    x = np.arange(np.prod(shape), dtype=float).reshape(shape)
    out = tuple(shape[i] for i in order)
    w = weights([dnf.ReorderDims(order)], shape, out)
    np.testing.assert_array_equal(w @ x.ravel(), np.transpose(x, order).ravel())


@FAST
@given(shape=shapes_1_3, data=st.data())
def test_flip_mirrors_and_is_an_involution(shape, data):
    dims = tuple(data.draw(st.sets(st.integers(0, len(shape) - 1), min_size=1)))
    x = np.arange(np.prod(shape), dtype=float).reshape(shape)
    w = weights([dnf.Flip(dims)], shape, shape)
    np.testing.assert_array_equal(w @ x.ravel(), np.flip(x, dims).ravel())
    np.testing.assert_array_equal(weights([dnf.Flip(dims), dnf.Flip(dims)], shape, shape), np.eye(x.size))
    np.testing.assert_array_equal(weights([dnf.Flip()], shape, shape) @ x.ravel(), np.flip(x).ravel())


@FAST
@given(n=st.integers(1, 5), m=st.integers(1, 4))
def test_diagonal_operations(n, m):
    x = np.arange(n * m * n * m, dtype=float).reshape(n, m, n, m)
    w = weights([dnf.ReduceAlongDiagonal()], (n, m, n, m), (2 * n - 1, 2 * m - 1))
    expected = np.zeros((2 * n - 1, 2 * m - 1))
    for a, b, c, d in np.ndindex(n, m, n, m):
        expected[a + c, b + d] += x[a, b, c, d]
    np.testing.assert_array_equal(w @ x.ravel(), expected.ravel())
    y = np.arange((2 * n - 1) * (2 * m - 1), dtype=float).reshape(2 * n - 1, 2 * m - 1)
    w2 = weights([dnf.ExpandAlongDiagonal()], y.shape, (n, m, n, m))
    out = (w2 @ y.ravel()).reshape(n, m, n, m)
    for a, b, c, d in np.ndindex(n, m, n, m):
        assert out[a, b, c, d] == y[a + c, b + d]


@FAST
@given(n=st.integers(1, 12), k=st.integers(1, 9), seed=st.integers(0, 1000))
def test_circular_convolution_is_circulant(n, k, seed):
    kernel = np.random.default_rng(seed).normal(size=k)
    w = weights([dnf.Convolution(kernel, border_types="CIRCULAR")], (n,), (n,))
    for p in range(n):
        np.testing.assert_array_equal(w[p], np.roll(w[0], p))


@FAST
@given(n=st.integers(1, 12), k=st.integers(0, 5), seed=st.integers(0, 1000))
def test_padded_convolution_places_kernel_around_each_neuron(n, k, seed):
    kernel = np.random.default_rng(seed).normal(size=2 * k + 1)  # odd kernel, centre k
    w = weights([dnf.Convolution(dnf.Kernel(kernel, padding_value=-3.0))], (n,), (n,))
    for p in range(n):
        for q in range(n):
            j = q - p + k
            assert w[p, q] == (kernel[j] if 0 <= j < kernel.size else -3.0)


def test_convolution_mixed_borders_2d():
    kernel = dnf.SelectiveKernel(5, [1.0, 1.0], -1)
    w = weights([dnf.Convolution(kernel, border_types=["PADDED", dnf.BorderType.CIRCULAR])], (6, 7), (6, 7))
    k = kernel.weights  # 3 x 3, centre (1, 1)
    full = w.reshape(6, 7, 6, 7)
    # neuron (0, 0): rows -1 are outside (padding), columns wrap around
    assert full[0, 0, 0, 6] == k[1, 0] and full[0, 0, 1, 1] == k[2, 2] and full[0, 0, 3, 3] == -1
    assert full[5, 3, 4, 2] == k[0, 0]


def test_zero_dimensional_populations():
    w = weights([dnf.ExpandDims(5)], (1,), (5,))
    np.testing.assert_array_equal(w, np.ones((5, 1)))
    w = weights([dnf.ReduceDims((0, 1))], (3, 4), (1,))
    np.testing.assert_array_equal(w, np.ones((1, 12)))
    np.testing.assert_array_equal(weights([dnf.Weights(3)], (1,), (1,)), [[3]])


def test_weights_and_chain_product():
    w = weights([dnf.Weights(2.5), dnf.Flip()], (4,), (4,))
    np.testing.assert_array_equal(w, 2.5 * np.eye(4)[::-1])


def test_three_dimensional_chain():
    w = weights([dnf.ExpandDims((3, 2)), dnf.ReorderDims((2, 0, 1)), dnf.ReduceDims((1, 2))], (4,), (2,))
    np.testing.assert_array_equal(w, 3 * np.ones((2, 4)))  # each input reaches every output 3 times


@pytest.mark.parametrize(
    ("ops", "src", "dst", "exc", "words"),
    [
        ([dnf.ReduceDims(2)], (3, 4), (3,), MisconfiguredOpError, ["ops[0]", "ReduceDims", "out of bounds"]),
        ([dnf.Weights(1), dnf.ReorderDims((1, 0))], (5,), (5,), MisconfiguredOpError, ["ops[1]", "ReorderDims"]),
        ([dnf.ExpandDims((2, 2, 2))], (3,), (3, 2, 2, 2), MisconfiguredOpError, ["more than 3 dimensions"]),
        ([dnf.ReduceAlongDiagonal()], (3, 4), (5,), MisconfiguredOpError, ["first half"]),
        ([dnf.ExpandAlongDiagonal()], (4,), (2, 2), MisconfiguredOpError, ["odd"]),
        ([dnf.Convolution(dnf.SelectiveKernel(1, 2.0, -1))], (4, 4), (4, 4), MisconfiguredOpError, ["kernel has 1"]),
        ([dnf.Convolution(np.ones(3), ["PADDED"] * 3)], (4, 4), (4, 4), MisconfiguredOpError, ["3 border types"]),
        ([dnf.ReduceDims(0)], (3, 4), (3,), MisconfiguredConnectError, ["destination", "(4,)"]),
        (None, (3,), (4,), MisconfiguredConnectError, ["<ops>"]),
        ([], (3,), (3,), ValueError, ["empty"]),
        ([np.eye(3)], (3,), (3,), TypeError, ["ops[0]"]),
    ],
)
def test_shape_errors_name_the_operation(ops, src, dst, exc, words):
    with pytest.raises(exc) as info:
        weights(ops, src, dst)
    for w in words:
        assert w in str(info.value)


def test_bad_parameters():
    with pytest.raises(ValueError, match="reduce_method"):
        dnf.ReduceDims(0, reduce_method="MAX")
    with pytest.raises(ValueError, match="border_types"):
        dnf.Convolution(np.ones(3), border_types="WRAP")
    with pytest.raises(TypeError, match="reduce_dims"):
        dnf.ReduceDims(1.5)
    with pytest.raises(ValueError, match="new_dims_shape"):
        dnf.ExpandDims((0,))
    with pytest.raises(ValueError, match="weight"):
        dnf.Weights(float("nan"))


def test_connect_picks_sparse_or_dense_and_wires_ports():
    a, b = LIF(shape=(6, 4)), LIF(shape=(6,))
    conn = dnf.connect(a.s_out, b.a_in, [dnf.ReduceDims(1), dnf.Weights(2)])
    assert isinstance(conn, Sparse)  # a sixth of the weights are nonzero
    full = dnf.connect(b.s_out, b.a_in, [dnf.Convolution(dnf.SelectiveKernel(5, 1.0, -1))])
    assert isinstance(full, Dense) and full.weights.get().shape == (6, 6)
    assert isinstance(dnf.connect(b.s_out, b.a_in, connection_class=Sparse), Sparse)
    w = conn.weights.get()
    np.testing.assert_array_equal(w.toarray(), np.kron(np.eye(6), np.ones((1, 4))) * 2)
    dense = dnf.connect(a.s_out, b.a_in, dnf.ReduceDims(1), connection_class=Dense, weight_exp=1, name="proj")
    assert isinstance(dense, Dense) and dense.name == "proj" and dense.proc_params["weight_exp"] == 1
    with pytest.raises(TypeError, match="connection_class"):
        dnf.connect(a.s_out, b.a_in, dnf.ReduceDims(1), connection_class=LIF)
    with pytest.raises(TypeError, match="src_op"):
        dnf.connect(a.a_in, b.a_in)


def test_integer_weights_follow_loihi_storage():
    w = np.array([[-15.0, 4.7], [9.99, -0.5]])
    np.testing.assert_array_equal(dnf.integer_weights(w, num_weight_bits=None), [[-15, 4], [9, 0]])
    # mixed signs: Loihi keeps 7 magnitude bits of 8, dropping the lowest bit (toward -inf)
    np.testing.assert_array_equal(dnf.integer_weights(w), [[-16, 4], [8, 0]])
    np.testing.assert_array_equal(dnf.integer_weights(np.array([[3.0, 7.9]])), [[3, 7]])  # excitatory: all bits
    np.testing.assert_array_equal(dnf.integer_weights(w, scale=2, num_weight_bits=None), [[-30, 9], [19, -1]])
    with pytest.raises(ValueError, match="weight_scale"):
        dnf.integer_weights(w, scale=0)
    a = LIF(shape=(5,))
    conn = dnf.connect(a.s_out, a.a_in, [dnf.Convolution(dnf.SelectiveKernel(20, 2.25, -15))], weight_scale=1)
    vals = conn.weights.get()
    assert vals.dtype.kind == "i" and np.all(vals % 2 == 0)


@pytest.mark.parametrize("tag", ["fixed_pt", "floating_pt"])
def test_fields_of_zero_to_three_dimensions_run(tag):
    """A 1-D input expanded into a 3-D field, read out by a 2-D field and a single (0-D) neuron."""
    from caldera import RunConfig, RunSteps
    from caldera.procs import Monitor

    line = dnf.lif_field((3,), tag=tag, name="line", vth=0)
    line.bias_mant.set(np.full(3, 100.0))  # a constant drive: the line's neurons fire every step
    cube = dnf.lif_field((3, 2, 2), tag=tag, name="cube")
    plane = dnf.lif_field((3, 2), tag=tag, name="plane")
    node = dnf.lif_field((1,), tag=tag, name="node")
    dnf.connect(line.s_out, cube.a_in, [dnf.ExpandDims((2, 2)), dnf.Weights(250)], weight_scale=1)
    dnf.connect(cube.s_out, cube.a_in, [dnf.Convolution(dnf.SelectiveKernel(4, [1.0, 1.0, 1.0], -1))], weight_scale=1)
    dnf.connect(cube.s_out, plane.a_in, [dnf.ReduceDims(2), dnf.Weights(120)], weight_scale=1)
    dnf.connect(plane.s_out, node.a_in, [dnf.ReduceDims((0, 1)), dnf.Weights(40)], weight_scale=1)
    mon = Monitor()
    for p in (cube, plane, node):
        mon.probe(p.s_out, 30)
    line.run(condition=RunSteps(30), run_cfg=RunConfig(backend="cpu", tag=tag))
    data = mon.get_data()
    line.stop()
    assert data["cube"]["s_out"].shape == (30, 3, 2, 2)
    # Worked out: the line fires every step from step 1. Each connection delays by one step and delivers more
    # than vth = 200 to every neuron it reaches (cube: 250 from its line neuron; plane: 2 cube neurons * 120 = 240;
    # node: 6 plane neurons * 40 = 240), so the field k synapses downstream fires at every step from step k + 1
    # on, in every element, and never before.
    for k, name in enumerate(("cube", "plane", "node"), start=1):
        s = data[name]["s_out"].reshape(30, -1)
        assert not s[:k].any(), name
        assert s[k:].all(), name


@FAST
@given(seed=st.integers(0, 10_000), bits=st.integers(1, 8), scale=st.floats(0.1, 8), sign=st.sampled_from([-1, 0, 1]))
def test_integer_weights_equal_caldera_arith(seed, bits, scale, sign):
    from caldera import arith

    w = np.random.default_rng(seed).uniform(-40, 40, (5, 7))
    if sign:
        w = sign * np.abs(w)
    ref = np.trunc(w * scale).astype(np.int64)
    ref = arith.truncate_weights(ref, arith.determine_sign_mode(ref), bits)
    np.testing.assert_array_equal(dnf.integer_weights(w, scale, bits), ref)
