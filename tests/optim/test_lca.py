"""LCA sparse coding against scikit-learn's Lasso and sparse_encode: objective within 1e-3 relative."""

from __future__ import annotations

import numpy as np
import pytest
from caldera.errors import ParameterError
from caldera_optim import LCA
from caldera_optim.lca import lasso_objective

sklearn = pytest.importorskip("sklearn")
from sklearn.decomposition import sparse_encode  # noqa: E402
from sklearn.linear_model import Lasso  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:The recursion limit will not be reset")
RTOL = 1e-3


def problem(seed, m=24, n=48, k=None):
    rng = np.random.default_rng(seed)
    phi = rng.normal(size=(m, n))
    phi /= np.linalg.norm(phi, axis=0)
    coef = np.where(rng.random((n, k or 1)) < 0.1, rng.normal(size=(n, k or 1)), 0.0)
    y = phi @ coef + 0.02 * rng.normal(size=(m, k or 1))
    return phi, (y[:, 0] if k is None else y)


def reference(phi, y, lam):
    m = phi.shape[0]
    coef = Lasso(alpha=lam / m, fit_intercept=False, tol=1e-12, max_iter=200_000).fit(phi, y).coef_
    return coef, lasso_objective(phi, y, coef, lam)


@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("tag", ["floating_pt", "fixed_pt"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_objective_matches_sklearn_lasso(layers, tag, seed):
    phi, y = problem(seed)
    lam = 0.05 + 0.05 * seed
    coef, obj = reference(phi, y, lam)
    res = LCA(phi, lam, layers=layers, tag=tag).solve(y)
    assert res.status == "converged"
    assert res.coefficients.shape == (phi.shape[1],)
    assert abs(res.objective - obj) <= RTOL * obj
    assert res.objective == pytest.approx(lasso_objective(phi, y, res.coefficients, lam))
    if tag == "floating_pt":  # at convergence the float network is the LASSO solution itself
        np.testing.assert_allclose(res.coefficients, coef, atol=1e-4)
        assert set(np.flatnonzero(np.abs(res.coefficients) > 1e-6)) == set(np.flatnonzero(np.abs(coef) > 1e-6))


def test_several_signals_at_once_match_sparse_encode():
    phi, y = problem(5, k=6)
    lam = 0.1
    ref = sparse_encode(y.T, phi.T, algorithm="lasso_cd", alpha=lam, max_iter=100_000).T  # atoms as rows there
    for layers in (1, 2):
        res = LCA(phi, lam, layers=layers).solve(y)
        assert res.coefficients.shape == (phi.shape[1], 6)
        ref_obj = lasso_objective(phi, y, ref, lam)
        assert np.all(np.abs(res.objective - ref_obj) <= RTOL * ref_obj)


def test_fewer_weight_bits_are_less_accurate_but_integer_throughout():
    phi, y = problem(3)
    lam = 0.1
    _, obj = reference(phi, y, lam)
    errs = [abs(LCA(phi, lam, tag="fixed_pt", weight_bits=b).solve(y).objective - obj) / obj for b in (4, 16)]
    assert errs[1] < RTOL and errs[1] <= errs[0]


@pytest.mark.parametrize(
    "make, msg",
    [
        (lambda: LCA(np.ones((3, 4)), 0.1).solve(np.ones(5)), r"y has shape \(5,\).*3 x 4"),
        (lambda: LCA(np.ones((3, 4)), 0.0), "lam"),
        (lambda: LCA(np.ones((3, 4)), 0.1, layers=3), "layers"),
        (lambda: LCA(np.zeros((3, 4)), 0.1), "all zeros"),
        (lambda: LCA(np.ones(4), 0.1), "m x n"),
        (lambda: LCA(np.full((2, 2), np.nan), 0.1), "NaN"),
        (lambda: LCA(np.ones((3, 4)), 0.1, tag="float"), "tag"),
        (lambda: LCA(np.ones((3, 4)), 0.1, dt=2.0), "dt"),
        (lambda: LCA(np.ones((3, 4)), 0.1).solve(np.ones(3), max_iter=0), "max_iter"),
    ],
)
def test_bad_input_is_named(make, msg):
    with pytest.raises(ParameterError, match=msg):
        make()
