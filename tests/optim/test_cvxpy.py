"""The cvxpy front end (``problem.solve(method="caldera")``) against cvxpy's default solver.

Stated tolerance: with the solver's default ``tol=1e-6`` (relative KKT residual)
the optimal value agrees with cvxpy's default solver to 1e-5 relative and the
solution to 1e-3 (max-norm, relative to the solution's scale).
"""

from __future__ import annotations

import numpy as np
import pytest

cp = pytest.importorskip("cvxpy")
import caldera_optim  # noqa: E402

caldera_optim.register_cvxpy()
pytestmark = pytest.mark.filterwarnings("ignore:The recursion limit will not be reset")

OBJ_RTOL = 1e-5
X_RTOL = 1e-3


def agree(problem, variables):
    ref = problem.solve()
    ref_x = [v.value.copy() for v in variables]
    got = problem.solve(method="caldera")
    assert problem.status == cp.OPTIMAL
    assert got == pytest.approx(ref, rel=OBJ_RTOL, abs=1e-7)
    for v, r in zip(variables, ref_x):
        scale = max(1.0, np.abs(r).max())
        assert np.abs(v.value - r).max() <= X_RTOL * scale
    return problem


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_qp_with_all_constraint_kinds(seed):
    rng = np.random.default_rng(seed)
    n, mi, me = 15, 10, 3
    m = rng.normal(size=(n, n))
    q = m @ m.T / n + 0.1 * np.eye(n)
    p = rng.normal(size=n)
    a = rng.normal(size=(mi, n))
    x0 = rng.uniform(-0.5, 0.5, n)
    b = a @ x0 + rng.uniform(0, 0.5, mi)
    e = rng.normal(size=(me, n))
    f = e @ x0
    x = cp.Variable(n)
    prob = cp.Problem(
        cp.Minimize(0.5 * cp.quad_form(x, cp.psd_wrap(q)) + p @ x), [a @ x <= b, e @ x == f, x >= -1, x <= 1]
    )
    ref = prob.solve()
    ref_duals = [c.dual_value.copy() for c in prob.constraints[:2]]
    agree(prob, [x])
    assert prob.value == pytest.approx(ref, rel=OBJ_RTOL)
    for c, d in zip(prob.constraints[:2], ref_duals):
        np.testing.assert_allclose(c.dual_value, d, atol=1e-3 * max(1, np.abs(d).max()))


def test_lasso():
    rng = np.random.default_rng(4)
    a = rng.normal(size=(40, 20))
    x_true = np.where(rng.random(20) < 0.3, rng.normal(size=20), 0)
    b = a @ x_true + 0.05 * rng.normal(size=40)
    x = cp.Variable(20)
    prob = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(a @ x - b) + 2.0 * cp.norm1(x)))
    agree(prob, [x])


def test_svm():
    rng = np.random.default_rng(7)
    pts = np.vstack([rng.normal(1.0, 1.0, (20, 2)), rng.normal(-1.0, 1.0, (20, 2))])
    y = np.r_[np.ones(20), -np.ones(20)]
    w, b0, xi = cp.Variable(2), cp.Variable(), cp.Variable(40)
    prob = cp.Problem(
        cp.Minimize(0.5 * cp.sum_squares(w) + 1.0 * cp.sum(xi)), [cp.multiply(y, pts @ w + b0) >= 1 - xi, xi >= 0]
    )
    agree(prob, [w, b0])


def test_anymal_mpc_qp(data_dir):
    z = np.load(data_dir / "anymal_mpc_qp.npz")
    q, p, a, k = z["A"], z["C"].ravel(), z["B"], z["D"].ravel()
    x = cp.Variable(q.shape[0])
    prob = cp.Problem(cp.Minimize(0.5 * cp.quad_form(x, cp.psd_wrap(q)) + p @ x), [a @ x == k])
    agree(prob, [x])
    assert prob.value == pytest.approx(-500549.914362, rel=1e-6)


def test_lp_through_cvxpy():
    x = cp.Variable(3)
    prob = cp.Problem(cp.Minimize(np.array([1.0, 2.0, -1.0]) @ x), [x >= 0, x <= 2, cp.sum(x) == 3])
    agree(prob, [x])


def test_infeasible_and_unbounded_get_statuses_not_answers():
    x = cp.Variable(2)
    prob = cp.Problem(cp.Minimize(cp.sum_squares(x)), [x >= 1, cp.sum(x) <= 1])
    prob.solve(method="caldera")
    assert prob.status == cp.INFEASIBLE and x.value is None
    prob = cp.Problem(cp.Minimize(cp.sum(x) + cp.square(x[0] - x[1])), [x <= 0])
    prob.solve(method="caldera")
    assert prob.status == cp.UNBOUNDED


def test_non_qp_problems_raise_clear_errors():
    x = cp.Variable(3)
    with pytest.raises(cp.error.SolverError, match="conic"):
        cp.Problem(cp.Minimize(cp.norm2(x)), [x >= 1]).solve(method="caldera")
    with pytest.raises(cp.error.SolverError, match="not convex"):
        cp.Problem(cp.Maximize(cp.sum_squares(x)), [x <= 1]).solve(method="caldera")
    with pytest.raises(TypeError, match="unknown options"):
        cp.Problem(cp.Minimize(cp.sum_squares(x))).solve(method="caldera", rho=3)


def _mpc(data_dir):
    z = np.load(data_dir / "anymal_mpc_qp.npz")
    q, p, a, k = z["A"], z["C"].ravel(), z["B"], z["D"].ravel()
    x = cp.Variable(q.shape[0])
    return cp.Problem(cp.Minimize(0.5 * cp.quad_form(x, cp.psd_wrap(q)) + p @ x), [a @ x == k]), x, a, k


def test_a_limit_without_convergence_is_user_limit_not_optimal_inaccurate(data_dir):
    from caldera_optim.cvxpy_iface import INACCURATE_TOL

    prob, x, a, k = _mpc(data_dir)
    prob.solve(method="caldera", max_iter=25)
    assert prob.status == cp.USER_LIMIT
    assert x.value is not None  # the last iterate is unpacked, as cvxpy does for user_limit
    assert np.abs(a @ x.value - k).max() > 1e-2  # far from feasible: calling this "optimal" would be a lie
    # with a looser "inaccurate" threshold than the residual reached, the same run is optimal_inaccurate
    prob.solve(method="caldera", max_iter=25, inaccurate_tol=1e6)
    assert prob.status == cp.OPTIMAL_INACCURATE
    assert INACCURATE_TOL == 1e-3


def test_a_limit_within_the_loose_tolerance_is_optimal_inaccurate():
    from caldera_optim import QP, solve_qp

    rng = np.random.default_rng(3)
    m = rng.normal(size=(8, 8))
    q = m @ m.T / 8 + 0.5 * np.eye(8)
    p = rng.normal(size=8)
    x = cp.Variable(8)
    prob = cp.Problem(cp.Minimize(0.5 * cp.quad_form(x, cp.psd_wrap(q)) + p @ x), [cp.sum(x) == 1, x >= -2])
    ref = prob.solve()
    # a tolerance out of reach in 50 iterations, where the residual is within 1e-3 (about 2e-4)
    direct = solve_qp(QP(q, p, A=-np.eye(8), b=2 * np.ones(8), E=np.ones((1, 8)), f=[1.0]), max_iter=50, tol=1e-14)
    assert direct.status == "max_iterations"
    assert max(direct.primal_residual, direct.dual_residual) < 1e-3
    got = prob.solve(method="caldera", max_iter=50, tol=1e-14)
    assert prob.status == cp.OPTIMAL_INACCURATE
    assert got == pytest.approx(ref, rel=1e-3)
    prob.solve(method="caldera", max_iter=25, tol=1e-14)  # residual about 8e-3 at 25: not within 1e-3
    assert prob.status == cp.USER_LIMIT


def test_bad_inaccurate_tol():
    x = cp.Variable(2)
    with pytest.raises(ValueError, match="inaccurate_tol"):
        cp.Problem(cp.Minimize(cp.sum_squares(x))).solve(method="caldera", inaccurate_tol=0)
