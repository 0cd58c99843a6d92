"""lava-optimization 0.5's ``lava.lib.optimization.solvers.generic.qp.solver``: ``QPSolver``.

``QPSolver(alpha, beta, alpha_decay_schedule, beta_growth_schedule).solve(problem, iterations)`` returns the
solution as a column vector, as lava-optimization does. caldera solves the QP with caldera-optim's PIPG
network (``caldera_optim.solve_qp``, step sizes chosen from the problem), not with lava-optimization's
gradient dynamics: ``alpha``, ``beta`` and the schedules have no counterpart and are ignored, with a warning.
"""

from __future__ import annotations

import typing as ty
import warnings

import numpy as np

from lava._compat import missing, requires

_qp_solver = requires("caldera-optim", "caldera_optim.qp_solver", __name__)


class QPSolver:
    def __init__(
        self,
        alpha: ty.Any = None,
        beta: ty.Any = None,
        alpha_decay_schedule: int | None = None,
        beta_growth_schedule: int | None = None,
    ) -> None:
        self.alpha, self.beta = alpha, beta
        self.alpha_d, self.beta_g = alpha_decay_schedule, beta_growth_schedule
        if any(v is not None for v in (alpha, beta, alpha_decay_schedule, beta_growth_schedule)):
            warnings.warn(
                "QPSolver: alpha, beta and their schedules belong to lava-optimization's gradient dynamics; "
                "caldera-optim's PIPG network chooses its step sizes from the problem and ignores them",
                stacklevel=2,
            )
        self.last_result: ty.Any = None

    def solve(self, problem: ty.Any, iterations: int = 400) -> np.ndarray:
        """Run at most ``iterations`` PIPG iterations (fewer once converged); returns x of shape (n, 1)."""
        if not isinstance(iterations, (int, np.integer)) or iterations < 1:
            raise ValueError(f"QPSolver.solve: iterations must be a positive integer, got {iterations!r}")
        result = _qp_solver.solve_qp(problem, max_iter=int(iterations))
        self.last_result = result
        if result.x is None:
            raise ValueError(f"QPSolver.solve: the problem is {result.status}")
        return np.asarray(result.x, dtype=float).reshape(-1, 1)


__all__ = ["QPSolver"]
__getattr__ = missing(__name__)
