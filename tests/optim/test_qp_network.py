"""The PIPG QP network without cvxpy: the ANYmal MPC goal, bounds, statuses, bad arguments."""

from __future__ import annotations

import numpy as np
import pytest
from caldera.errors import ParameterError
from caldera_optim import QP, solve_qp

pytestmark = pytest.mark.filterwarnings("ignore:The recursion limit will not be reset")


def test_anymal_mpc_qp_goal(data_dir):
    z = np.load(data_dir / "anymal_mpc_qp.npz")
    q, p, a, k = z["A"], z["C"].ravel(), z["B"], z["D"].ravel()
    optimum = -500549.914362
    # the goal of issue 6: after 1000 iterations >= 10x lower violation than lava-optimization's 1.89e-2
    res = solve_qp(QP(q, p, E=a, f=k), max_iter=1000, tol=1e-12)
    assert res.iterations == 1000
    assert np.linalg.norm(a @ res.x - k) <= 1.89e-3
    # and convergence to the optimum (relative 1e-6)
    res = solve_qp(QP(q, p, E=a, f=k), max_iter=5000, tol=1e-8)
    assert res.status == "optimal"
    assert res.objective == pytest.approx(optimum, rel=1e-6)


def test_statuses_for_infeasible_and_unbounded():
    assert solve_qp(QP(np.zeros((2, 2)), p=[1, 0], ub=[1, 1])).status == "unbounded"
    assert solve_qp(QP(np.eye(2), E=[[1, 1], [1, 1]], f=[0, 1])).status == "infeasible"
    assert solve_qp(QP(np.eye(2), A=[[1, 0], [-1, 0]], b=[-1, -1])).status == "infeasible"
    res = solve_qp(QP(np.eye(2), A=[[1, 0], [-1, 0]], b=[-1, -1]))
    assert res.x is None and res.objective is None


def test_bounds_only_and_unconstrained():
    res = solve_qp(QP(np.diag([2.0, 1.0]), p=[-4.0, 3.0], lb=[-1, -1], ub=[1, 1]))
    assert res.status == "optimal"
    np.testing.assert_allclose(res.x, [1.0, -1.0], atol=1e-5)
    res = solve_qp(QP(np.diag([2.0, 1.0]), p=[-4.0, 3.0]))
    np.testing.assert_allclose(res.x, [2.0, -3.0], atol=1e-5)


def test_bad_solver_arguments():
    qp = QP(np.eye(2))
    for kwargs, msg in [
        (dict(max_iter=0), "max_iter"),
        (dict(tol=0), "tol"),
        (dict(omegas=[]), "omegas"),
        (dict(time_limit=0), "time_limit"),
        (dict(check_every=0), "check_every"),
    ]:
        with pytest.raises(ParameterError, match=msg):
            solve_qp(qp, **kwargs)
    with pytest.raises(ParameterError, match="expected a caldera_optim.QP"):
        solve_qp(np.eye(2))
