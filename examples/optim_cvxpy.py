"""A LASSO problem solved by caldera's PIPG network through cvxpy, next to cvxpy's default solver.

Run: ``python examples/optim_cvxpy.py`` (needs ``pip install './libs/optim[cvxpy]'``).
"""

from __future__ import annotations

import caldera_optim
import cvxpy as cp
import numpy as np

caldera_optim.register_cvxpy()  # adds problem.solve(method="caldera")


def main() -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(size=(60, 30))
    x_true = np.where(rng.random(30) < 0.2, rng.normal(size=30), 0.0)
    b = a @ x_true + 0.05 * rng.normal(size=60)
    x = cp.Variable(30)
    prob = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(a @ x - b) + 1.0 * cp.norm1(x)), [cp.abs(x) <= 2])
    ref = prob.solve()
    x_ref = x.value.copy()
    val = prob.solve(method="caldera", verbose=True)
    print(f"cvxpy default: {ref:.6f}   caldera: {val:.6f}   status {prob.status}")
    print(f"max |x - x_ref| = {np.abs(x.value - x_ref).max():.2e}; nonzeros {np.sum(np.abs(x.value) > 1e-4)}")


if __name__ == "__main__":
    main()
