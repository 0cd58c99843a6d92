"""``solve_qp``: a PIPG primal-dual gradient network on caldera processes.

PIPG (Yu, Elango, Acikmese 2021, "Proportional-integral projected gradient
method") iterates, for ``min 1/2 x'Qx + p'x  s.t.  Hx (<=|=) g, lb <= x <= ub``::

    x+ = clip(x - alpha (Q x + p + H' v), lb, ub)
    v+ = v + beta (H (2 x+ - x) - g)        (clipped at 0 on inequality rows)

which maps onto two populations of graded neurons (primal, dual) and three
matrix connections, one time step per iteration. Around it the solver

* equilibrates the KKT matrix (Ruiz scaling) and scales the cost so that
  ``||Q|| = 1``: the preconditioning that makes first-order methods usable;
* runs a few replicas at once with different primal/dual step ratios
  ``omega`` (columns of the same populations, so one step is still a few
  matrix products) and reports the replica whose KKT residual is smallest;
* checks feasibility and boundedness first (a small LP with HiGHS), so an
  infeasible or unbounded problem gets that status, never an "optimal" answer.
"""

from __future__ import annotations

import time
import typing as ty
from dataclasses import dataclass, field

import numpy as np
from caldera.errors import ParameterError
from caldera.lazy import lazy_module
from caldera.run_conditions import RunSteps
from caldera.run_config import RunConfig

from caldera_optim.problems import QP
from caldera_optim.processes import DelayedMatVec, MatVec, QPDualNeurons, QPPrimalNeurons

sp = lazy_module("scipy.sparse")  # imported on first use (see caldera.lazy)

#: default primal/dual step ratios, relative to omega0 = ||Q||^2 / ||H||^2 (PIPG's choice)
DEFAULT_OMEGAS = (0.1, 1.0, 10.0, 100.0, 1000.0)


@dataclass
class QPResult:
    """Outcome of ``solve_qp``. ``x`` is ``None`` for infeasible / unbounded problems."""

    status: str
    x: np.ndarray | None
    objective: float | None
    iterations: int
    wall_time_s: float
    primal_residual: float = np.nan
    dual_residual: float = np.nan
    duals_ineq: np.ndarray | None = None
    duals_eq: np.ndarray | None = None
    omega: float | None = None
    history: list = field(default_factory=list)


def ruiz_equilibrate(q: sp.csr_matrix, h: sp.csr_matrix, iters: int = 25) -> tuple[np.ndarray, np.ndarray]:
    """Diagonal scalings ``D`` (variables) and ``E`` (constraints) that equilibrate ``[[Q, H'], [H, 0]]``."""
    n, m = q.shape[0], h.shape[0]
    d, e = np.ones(n), np.ones(m)
    qa, ha = abs(q).tocsc(), abs(h).tocsc()
    for _ in range(iters):
        qs = sp.diags(d) @ qa @ sp.diags(d)
        hs = sp.diags(e) @ ha @ sp.diags(d)
        col = np.maximum(_colmax(qs), _colmax(hs)) if m else _colmax(qs)
        row = _rowmax(hs) if m else np.zeros(0)
        col = np.where(col > 0, col, 1.0)
        row = np.where(row > 0, row, 1.0)
        d /= np.sqrt(col)
        e /= np.sqrt(row)
        if max(np.abs(col - 1).max(initial=0), np.abs(row - 1).max(initial=0)) < 1e-3:
            break
    return d, e


def _colmax(m: ty.Any) -> np.ndarray:
    return np.asarray(abs(m).max(axis=0).todense()).ravel() if m.shape[0] else np.zeros(m.shape[1])


def _rowmax(m: ty.Any) -> np.ndarray:
    return np.asarray(abs(m).max(axis=1).todense()).ravel() if m.shape[1] else np.zeros(m.shape[0])


def _norm2(m: sp.csr_matrix) -> float:
    """Spectral norm (largest singular value)."""
    if min(m.shape) == 0 or m.nnz == 0:
        return 0.0
    if max(m.shape) <= 2000:
        return float(np.linalg.norm(m.toarray(), 2))
    from scipy.sparse.linalg import svds

    return float(svds(m, k=1, return_singular_vectors=False)[0]) * 1.01


def _presolve_status(qp: QP) -> str | None:
    """'infeasible' / 'unbounded' when an LP proves it, else None."""
    from scipy.optimize import linprog

    n = qp.n
    bounds = list(zip(np.where(np.isfinite(qp.lb), qp.lb, None), np.where(np.isfinite(qp.ub), qp.ub, None)))
    a_ub = qp.A if qp.A.shape[0] else None
    b_ub = qp.b if qp.A.shape[0] else None
    a_eq = qp.E if qp.E.shape[0] else None
    b_eq = qp.f if qp.E.shape[0] else None
    if a_ub is None and a_eq is None:
        feasible = True
    else:
        r = linprog(np.zeros(n), A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        if r.status == 2:
            return "infeasible"
        feasible = r.status == 0
    if not feasible:
        return None
    # recession directions d: Q d = 0, A d <= 0, E d = 0, d within the bounds' recession cone, |d| <= 1
    rb = [(-1.0 if not np.isfinite(lo) else 0.0, 1.0 if not np.isfinite(hi) else 0.0) for lo, hi in zip(qp.lb, qp.ub)]
    eq_blocks = [qp.Q] + ([qp.E] if qp.E.shape[0] else [])
    a_eq2 = sp.vstack(eq_blocks).tocsr()
    r = linprog(
        qp.p,
        A_ub=a_ub,
        b_ub=np.zeros(qp.A.shape[0]) if a_ub is not None else None,
        A_eq=a_eq2,
        b_eq=np.zeros(a_eq2.shape[0]),
        bounds=rb,
        method="highs",
    )
    if r.status == 0 and r.fun < -1e-9 * (1.0 + np.abs(qp.p).max(initial=0.0)):
        return "unbounded"
    return None


def solve_qp(
    qp: QP,
    *,
    max_iter: int = 5000,
    tol: float = 1e-6,
    check_every: int = 25,
    omegas: ty.Sequence[float] = DEFAULT_OMEGAS,
    backend: str | None = None,
    time_limit: float | None = None,
    presolve: bool = True,
    record: ty.Callable[[int, float, np.ndarray], None] | None = None,
) -> QPResult:
    """Solve ``qp`` with the PIPG network; stops when the relative KKT residual is ``<= tol``.

    ``omegas`` are the primal/dual step ratios tried side by side (relative to
    PIPG's default); ``check_every`` steps the host reads the state and checks
    convergence. ``record(iteration, elapsed_s, x)`` is called at every check
    with the current best iterate (for convergence studies).
    """
    t_start = time.perf_counter()
    if not isinstance(qp, QP):
        raise ParameterError(f"solve_qp: expected a caldera_optim.QP, got {type(qp).__name__}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise ParameterError(f"solve_qp: max_iter must be an integer >= 1, got {max_iter!r}")
    if not (isinstance(tol, (int, float)) and tol > 0):
        raise ParameterError(f"solve_qp: tol must be > 0, got {tol!r}")
    if isinstance(check_every, bool) or not isinstance(check_every, (int, np.integer)) or check_every < 1:
        raise ParameterError(f"solve_qp: check_every must be an integer >= 1, got {check_every!r}")
    if time_limit is not None and not time_limit > 0:
        raise ParameterError(f"solve_qp: time_limit must be > 0, got {time_limit!r}")
    om_f = np.asarray(omegas, np.float64).reshape(-1)
    if om_f.size == 0 or np.any(om_f <= 0) or not np.all(np.isfinite(om_f)):
        raise ParameterError(f"solve_qp: omegas must be positive numbers, got {omegas!r}")
    if presolve:
        status = _presolve_status(qp)
        if status is not None:
            return QPResult(
                status=status, x=None, objective=None, iterations=0, wall_time_s=time.perf_counter() - t_start
            )

    n = qp.n
    ni = qp.A.shape[0]
    h = sp.vstack([qp.A, qp.E]).tocsr() if (ni + qp.E.shape[0]) else sp.csr_matrix((0, n))
    g = np.concatenate([qp.b, qp.f])
    m = h.shape[0]
    d, e = ruiz_equilibrate(qp.Q, h)
    qs = (sp.diags(d) @ qp.Q @ sp.diags(d)).tocsr()
    hs = (sp.diags(e) @ h @ sp.diags(d)).tocsr()
    lam = _norm2(qs)
    c = lam if lam > 0 else max(np.abs(d * qp.p).max(initial=0.0), 1.0)
    qs = qs / c
    ps = d * qp.p / c
    gs = e * g
    lam = lam / c
    la = _norm2(hs) ** 2
    omega0 = (lam**2 / la if lam > 0 else 1.0 / la) if la > 0 else 1.0
    om = omega0 * om_f
    if la > 0:
        alpha = 0.95 * 2.0 / (np.sqrt(lam**2 + 4.0 * om * la) + lam)
    else:
        alpha = np.full(om.size, 0.95 / max(lam, 1e-12))
    beta = om * alpha
    k = om.size
    dense = lambda mtx: mtx.toarray() if (mtx.nnz > 0.2 * mtx.shape[0] * mtx.shape[1]) else mtx  # noqa: E731

    primal = QPPrimalNeurons(p=ps, alpha=alpha, lb=qp.lb / d, ub=qp.ub / d, name="qp_primal")
    qsyn = DelayedMatVec(weights=dense(qs), batch=k, name="qp_Q")
    primal.x_out.connect(qsyn.s_in)
    qsyn.a_out.connect(primal.grad_in)
    qsyn.a_buff.set(np.asarray(qs @ primal.x.get()))
    procs = [primal, qsyn]
    if m:
        dual = QPDualNeurons(g=gs, beta=beta, num_ineq=ni, name="qp_dual")
        hsyn = MatVec(weights=dense(hs), batch=k, name="qp_H")
        htsyn = DelayedMatVec(weights=dense(hs.T.tocsr()), batch=k, name="qp_Ht")
        primal.xbar_out.connect(hsyn.s_in)
        hsyn.a_out.connect(dual.a_in)
        dual.v_out.connect(htsyn.s_in)
        htsyn.a_out.connect(primal.dual_in)
        procs += [dual, hsyn, htsyn]
    cfg = RunConfig(backend=backend, tag="floating_pt")

    gmax = 1.0 + np.abs(g).max(initial=0.0)
    pmax = np.abs(qp.p).max(initial=0.0)
    lb, ub = qp.lb[:, None], qp.ub[:, None]

    def residuals(xs: np.ndarray, vs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        x = d[:, None] * xs
        v = c * e[:, None] * vs if m else np.zeros((0, k))
        hx = h @ x
        viol = np.zeros(k)
        if ni:
            viol = np.maximum(viol, np.maximum(hx[:ni] - qp.b[:, None], 0).max(axis=0))
        if m > ni:
            viol = np.maximum(viol, np.abs(hx[ni:] - qp.f[:, None]).max(axis=0))
        qx = qp.Q @ x
        htv = h.T @ v
        grad = qx + qp.p[:, None] + htv
        pg = x - np.clip(x - grad, lb, ub)
        scale = 1.0 + np.maximum(pmax, np.maximum(np.abs(qx).max(axis=0), np.abs(htv).max(axis=0, initial=0)))
        dres = np.abs(pg).max(axis=0) / scale
        comp = np.zeros(k)
        if ni:
            comp = np.abs(v[:ni] * (hx[:ni] - qp.b[:, None])).max(axis=0) / (1.0 + np.abs(x).max(axis=0) * scale)
        return viol / gmax, dres, comp, x

    steps = 0
    status = "max_iterations"
    history: list = []
    best = 0
    try:
        while steps < max_iter:
            kk = min(check_every, max_iter - steps)
            primal.run(condition=RunSteps(num_steps=kk), run_cfg=cfg)
            steps += kk
            xs = primal.x.get()
            vs = dual.v.get() if m else np.zeros((0, k))
            if not np.all(np.isfinite(xs)) or not np.all(np.isfinite(vs)):
                status = "diverged"
                break
            pr, dr, cr, x = residuals(xs, vs)
            score = np.maximum(np.maximum(pr, dr), cr)
            best = int(np.argmin(score))
            elapsed = time.perf_counter() - t_start
            history.append((steps, elapsed, float(pr[best]), float(dr[best]), float(qp.objective(x[:, best]))))
            if record is not None:
                record(steps, elapsed, x[:, best].copy())
            if score[best] <= tol:
                status = "optimal"
                break
            if time_limit is not None and elapsed >= time_limit:
                status = "time_limit"
                break
    finally:
        primal.stop()
    if status == "diverged":
        return QPResult(
            status="diverged",
            x=None,
            objective=None,
            iterations=steps,
            wall_time_s=time.perf_counter() - t_start,
            history=history,
        )
    xb = x[:, best]
    vb = c * e * vs[:, best] if m else np.zeros(0)
    return QPResult(
        status=status,
        x=xb,
        objective=qp.objective(xb),
        iterations=steps,
        wall_time_s=time.perf_counter() - t_start,
        primal_residual=float(pr[best]),
        dual_residual=float(max(dr[best], cr[best])),
        duals_ineq=vb[:ni],
        duals_eq=vb[ni:],
        omega=float(om_f[best]),
        history=history,
    )


__all__ = ["solve_qp", "QPResult", "ruiz_equilibrate", "DEFAULT_OMEGAS"]
