"""Readers: G-set/rudy, .npy, .npz, MatrixMarket, dimod; error messages with line numbers."""

from __future__ import annotations

import numpy as np
import pytest
from caldera_optim import QUBO, ProblemFormatError, from_bqm, load_problem, read_gset
from scipy import sparse as sp


def test_gset_g1_shape_and_degree(data_dir):
    prob = read_gset(data_dir / "G1.txt")
    assert prob.num_variables == 800
    assert prob.is_maxcut
    assert prob.maxcut_weights.nnz == 2 * 19176
    # all-zeros cuts nothing; a single vertex on the other side cuts exactly its degree
    x = np.zeros(800)
    assert prob.cut_value(x) == 0
    x[0] = 1
    assert prob.cut_value(x) == prob.maxcut_weights[0].sum() == -prob.evaluate(x)


def test_gset_small_with_weights(tmp_path):
    f = tmp_path / "g.txt"
    f.write_text("3 3\n1 2 1\n2 3 -2\n1 3 5\n")
    prob = read_gset(f)
    assert prob.cut_value([1, 0, 0]) == 6  # edges 1-2 (1) and 1-3 (5)
    assert prob.cut_value([0, 1, 0]) == -1


@pytest.mark.parametrize(
    "text, line, msg",
    [
        ("3 2\n1 2 1\n2 x 1\n", 3, "not a valid int"),
        ("3 2\n1 2 1\n", 1, "announces 2 edges"),
        ("3 1\n1 4 1\n", 2, "out of range"),
        ("3 1\n2 2 1\n", 2, "self-loop"),
        ("n m\n", 1, "not a valid int"),
        ("3 1\n1 2 nan\n", 2, "non-finite"),
        ("3 1\n1\n", 2, "expected 3 numbers"),
    ],
)
def test_gset_errors_name_the_line(tmp_path, text, line, msg):
    f = tmp_path / "bad.txt"
    f.write_text(text)
    with pytest.raises(ProblemFormatError, match=rf"bad.txt:{line}: .*{msg}"):
        read_gset(f)


def test_empty_and_missing_files(tmp_path):
    f = tmp_path / "empty.txt"
    f.write_text("\n")
    with pytest.raises(ProblemFormatError, match="empty"):
        load_problem(f)
    with pytest.raises(ProblemFormatError, match="no such file"):
        load_problem(tmp_path / "nope.txt")


def test_npy_npz_mtx_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    q = rng.integers(-3, 4, (5, 5)).astype(float)
    np.save(tmp_path / "q.npy", q)
    sp.save_npz(tmp_path / "q.npz", sp.csr_matrix(q))
    np.savez(tmp_path / "plain.npz", q=q)
    lines = ["%%MatrixMarket matrix coordinate real general", "% comment", f"5 5 {np.count_nonzero(q)}"]
    lines += [f"{i + 1} {j + 1} {q[i, j]}" for i, j in zip(*np.nonzero(q))]
    (tmp_path / "q.mtx").write_text("\n".join(lines) + "\n")
    xs = (np.arange(32)[:, None] >> np.arange(5)) & 1
    want = QUBO(q).evaluate(xs)
    for name in ("q.npy", "q.npz", "plain.npz", "q.mtx"):
        np.testing.assert_allclose(load_problem(tmp_path / name).evaluate(xs), want, err_msg=name)


def test_mtx_symmetric_and_errors(tmp_path):
    f = tmp_path / "s.mtx"
    f.write_text("%%MatrixMarket matrix coordinate integer symmetric\n2 2 2\n1 1 3\n2 1 -4\n")
    prob = load_problem(f)
    assert prob.evaluate([1, 1]) == 3 - 8
    f.write_text("%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 3\n2 one 1\n")
    with pytest.raises(ProblemFormatError, match=r"s.mtx:4: "):
        load_problem(f)
    f.write_text("hello\n")
    with pytest.raises(ProblemFormatError, match=r"s.mtx:1: missing"):
        load_problem(f)


def test_npy_with_nan_and_non_square(tmp_path):
    np.save(tmp_path / "nan.npy", np.array([[np.nan]]))
    with pytest.raises(Exception, match="NaN"):
        load_problem(tmp_path / "nan.npy")
    np.save(tmp_path / "rect.npy", np.ones((2, 3)))
    with pytest.raises(Exception, match="square"):
        load_problem(tmp_path / "rect.npy")
    (tmp_path / "junk.npy").write_bytes(b"not numpy")
    with pytest.raises(ProblemFormatError, match="junk.npy"):
        load_problem(tmp_path / "junk.npy")


def test_from_bqm_energies_match():
    dimod = pytest.importorskip("dimod")
    bqm = dimod.BinaryQuadraticModel(
        {"a": 1.0, "b": -2.0, "c": 0.5}, {("a", "b"): 3.0, ("b", "c"): -1.5}, 0.25, dimod.SPIN
    )
    prob, order = from_bqm(bqm)
    for x in np.array(np.meshgrid([0, 1], [0, 1], [0, 1])).reshape(3, -1).T:
        sample = {v: 2 * int(x[i]) - 1 for i, v in enumerate(order)}
        assert prob.evaluate(x) == pytest.approx(bqm.energy(sample))
