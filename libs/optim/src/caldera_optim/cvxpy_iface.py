"""A cvxpy front end: ``problem.solve(method="caldera")`` solves QPs and LPs with the PIPG network.

cvxpy reduces the problem to ``min 1/2 x'Px + q'x  s.t.  Ax = b, Fx <= g``
(the form its QP solvers receive); that is handed to ``solve_qp`` and the
solution is mapped back through cvxpy's own inverse reductions, so variable
values, the optimal value and the constraints' dual values are set as with
any cvxpy solver. Problems cvxpy cannot put into that form (non-convex,
second-order or semidefinite cones, ...) raise ``cvxpy.error.SolverError``
with the reason.

Statuses: ``optimal`` when the relative KKT residual (``solve_qp``'s measure:
the largest of the primal, dual and complementarity residuals) is within
``tol``; a run that stopped at ``max_iter`` or ``time_limit`` first is
``optimal_inaccurate`` only when that residual is within ``inaccurate_tol``
(default ``INACCURATE_TOL = 1e-3``), and otherwise ``user_limit`` (cvxpy's
status for "stopped at a user's limit"; the last iterate is still unpacked,
as cvxpy does for that status).
"""

from __future__ import annotations

import typing as ty

import numpy as np

_REGISTERED = False

#: the loose relative KKT residual under which a run stopped by a limit still counts as ``optimal_inaccurate``
INACCURATE_TOL = 1e-3


def _solve(
    problem: ty.Any,
    *,
    max_iter: int = 20000,
    tol: float = 1e-6,
    check_every: int = 25,
    backend: str | None = None,
    time_limit: float | None = None,
    inaccurate_tol: float = INACCURATE_TOL,
    verbose: bool = False,
    **unknown: ty.Any,
) -> float:
    import cvxpy as cp
    from cvxpy.error import SolverError
    from cvxpy.reductions.solution import Solution, failure_solution
    from cvxpy.settings import OFFSET

    from caldera_optim.problems import QP
    from caldera_optim.qp_solver import solve_qp

    if unknown:
        raise TypeError(
            f"problem.solve(method='caldera'): unknown options {sorted(unknown)}; allowed: "
            "max_iter, tol, check_every, backend, time_limit, inaccurate_tol, verbose"
        )
    if not (isinstance(inaccurate_tol, (int, float)) and inaccurate_tol > 0):
        raise ValueError(f"problem.solve(method='caldera'): inaccurate_tol must be > 0, got {inaccurate_tol!r}")
    if not problem.is_dcp():
        raise SolverError("method='caldera': the problem is not convex (DCP) and cannot be solved as a QP")
    if not problem.is_qp():
        raise SolverError(
            "method='caldera' solves LPs and convex QPs only: this problem needs a conic solver "
            "(second-order, semidefinite or exponential cone constraints, or a non-quadratic "
            "objective)"
        )
    if problem.is_mixed_integer():
        raise SolverError(
            "method='caldera' does not solve mixed-integer problems; use caldera_optim.QUBO for "
            "binary quadratic problems"
        )
    try:
        data, chain, inverse = problem.get_problem_data(cp.OSQP)
    except Exception as exc:  # noqa: BLE001 - reported as a solver error with the reason
        raise SolverError(f"method='caldera': cvxpy could not put the problem into QP form: {exc}") from exc
    n = data["q"].size
    p_mat = data["P"] if data.get("P") is not None else np.zeros((n, n))
    qp = QP(
        Q=p_mat,
        p=data["q"],
        A=data["F"] if data["F"].shape[0] else None,
        b=data["G"] if data["F"].shape[0] else None,
        E=data["A"] if data["A"].shape[0] else None,
        f=data["b"] if data["A"].shape[0] else None,
    )
    res = solve_qp(qp, max_iter=max_iter, tol=tol, check_every=check_every, backend=backend, time_limit=time_limit)
    if verbose:
        print(
            f"caldera PIPG: {res.status} after {res.iterations} iterations, {res.wall_time_s:.3f} s "
            f"(primal residual {res.primal_residual:.2e}, dual {res.dual_residual:.2e})"
        )
    solver = chain.solver
    attr = {"solve_time": res.wall_time_s, "num_iters": res.iterations}
    status_map = {
        "optimal": cp.OPTIMAL,
        "infeasible": cp.INFEASIBLE,
        "unbounded": cp.UNBOUNDED,
        "diverged": cp.SOLVER_ERROR,
    }
    if res.status in ("max_iterations", "time_limit"):
        loose = max(res.primal_residual, res.dual_residual) <= inaccurate_tol
        status = cp.OPTIMAL_INACCURATE if loose else cp.USER_LIMIT
    else:
        status = status_map[res.status]
    if res.x is None:
        sol = failure_solution(status, attr)
    else:
        inv_solver = inverse[-1]
        y = np.concatenate([res.duals_eq, res.duals_ineq])  # cvxpy's QP duals: [equalities; inequalities]
        duals = solver.extract_duals_from_solution_attribute(y, inv_solver)
        sol = Solution(status, res.objective + inv_solver[OFFSET], {solver.VAR_ID: res.x}, duals, attr)
    for red, inv in reversed(list(zip(chain.reductions[:-1], inverse[:-1]))):
        sol = red.invert(sol, inv)
    problem.unpack(sol)
    if status == cp.SOLVER_ERROR:
        raise SolverError(f"method='caldera': the PIPG network diverged after {res.iterations} iterations")
    return problem.value


def register_cvxpy() -> bool:
    """Register ``method="caldera"`` with cvxpy; returns False when cvxpy is not installed."""
    global _REGISTERED
    try:
        import cvxpy as cp
    except ImportError:
        return False
    if not _REGISTERED:
        cp.Problem.register_solve("caldera", _solve)
        _REGISTERED = True
    return True


__all__ = ["register_cvxpy", "INACCURATE_TOL"]
