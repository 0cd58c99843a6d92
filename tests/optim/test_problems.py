"""QUBO / Ising / Max-Cut / QP problem classes: construction, evaluation, bad input."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from caldera.errors import ParameterError
from caldera_optim import QP, QUBO
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import sparse as sp

SMALL = hnp.arrays(
    np.int64, st.tuples(st.integers(1, 7), st.just(0)).map(lambda t: (t[0], t[0])), elements=st.integers(-9, 9)
)


def all_states(n: int) -> np.ndarray:
    return np.array(list(itertools.product([0, 1], repeat=n)), dtype=np.int8)


@settings(max_examples=60, deadline=None)
@given(q=hnp.arrays(np.int64, st.integers(1, 7).map(lambda n: (n, n)), elements=st.integers(-9, 9)))
def test_evaluate_is_xqx_for_upper_symmetric_and_sparse_forms(q):
    xs = all_states(q.shape[0])
    want = np.einsum("ij,jk,ik->i", xs, q, xs)
    upper = np.triu(q + q.T) - np.diag(np.diag(q))  # same quadratic form, upper-triangular
    for form in (q, upper, sp.csr_matrix(q), sp.coo_matrix(upper)):
        np.testing.assert_allclose(QUBO(form).evaluate(xs), want)


@settings(max_examples=40, deadline=None)
@given(data=st.data(), n=st.integers(1, 7))
def test_ising_energies_are_preserved(data, n):
    h = data.draw(hnp.arrays(np.float64, n, elements=st.floats(-3, 3)))
    j = data.draw(hnp.arrays(np.float64, (n, n), elements=st.floats(-3, 3)))
    prob = QUBO.from_ising(h, j, offset=1.5)
    xs = all_states(n)
    s = 2.0 * xs - 1.0
    want = s @ h + np.einsum("ij,jk,ik->i", s, j, s) + 1.5
    np.testing.assert_allclose(prob.evaluate(xs), want, atol=1e-9)


def test_maxcut_cost_is_minus_cut_for_every_partition():
    rng = np.random.default_rng(3)
    w = np.triu(rng.integers(0, 4, (6, 6)), 1).astype(float)
    for form in (w, w + w.T, sp.csr_matrix(w.T)):
        prob = QUBO.maxcut(form)
        for x in all_states(6):
            cut = sum(w[i, j] for i in range(6) for j in range(i + 1, 6) if x[i] != x[j])
            assert prob.cut_value(x) == pytest.approx(cut)
            assert prob.evaluate(x) == pytest.approx(-cut)


def test_brute_force_finds_minimum():
    q = np.array([[1, -3, 0], [0, 2, -4], [0, 0, -1]])
    x, c = QUBO(q).brute_force()
    costs = QUBO(q).evaluate(all_states(3))
    assert c == costs.min() == QUBO(q).evaluate(x)


@pytest.mark.parametrize(
    "bad, msg",
    [
        (np.zeros((2, 3)), "square"),
        (np.array([[1.0, np.nan], [0, 1]]), "NaN"),
        (np.array([[1.0, np.inf], [0, 1]]), "NaN or infinite"),
        (np.zeros((0, 0)), "empty"),
        (np.zeros(3), "2-D"),
        (np.array([["a"]]), "numeric"),
    ],
)
def test_qubo_rejects_bad_matrices(bad, msg):
    with pytest.raises(ParameterError, match=msg):
        QUBO(bad)


def test_evaluate_rejects_non_binary_and_wrong_size():
    prob = QUBO(np.eye(3))
    with pytest.raises(ParameterError, match="0/1"):
        prob.evaluate([0, 2, 1])
    with pytest.raises(ParameterError, match="variables"):
        prob.evaluate([0, 1])


def test_maxcut_rejects_asymmetric_full_matrix():
    with pytest.raises(ParameterError, match="symmetric or triangular"):
        QUBO.maxcut(np.array([[0, 1, 2], [3, 0, 1], [1, 1, 0]]))


def test_qp_validation():
    with pytest.raises(ParameterError, match="positive semidefinite"):
        QP(np.array([[1.0, 0], [0, -1]]))
    with pytest.raises(ParameterError, match="symmetric"):
        QP(np.array([[1.0, 1], [0, 1]]))
    with pytest.raises(ParameterError, match="columns"):
        QP(np.eye(2), A=np.ones((1, 3)), b=[1])
    with pytest.raises(ParameterError, match="lb"):
        QP(np.eye(2), lb=[1, 1], ub=[0, 2])
    with pytest.raises(ParameterError, match="NaN"):
        QP(np.eye(2), p=[np.nan, 0])
    qp = QP(np.eye(2), p=[1, 1], A=[[1, 1]], b=[1], E=[[1, -1]], f=[0.5], lb=[-1, -1])
    assert qp.violation([0.25, -0.25]) == pytest.approx(0.0)
    assert qp.violation([2.0, 1.5]) == pytest.approx(2.5)
    assert qp.objective([1, 1]) == pytest.approx(3.0)
