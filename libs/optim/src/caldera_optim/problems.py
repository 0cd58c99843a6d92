"""Problem classes: ``QUBO`` (with Ising and Max-Cut helpers) and ``QP``.

Problems are plain data, validated on construction; solvers turn them into
networks of caldera processes. A QUBO is ``minimize x^T Q x`` over ``x in {0,1}^n``;
``Q`` may be dense or scipy sparse, symmetric or upper-triangular (it is stored
symmetrised, which leaves ``x^T Q x`` unchanged).
"""

from __future__ import annotations

import typing as ty
from dataclasses import dataclass, field

import numpy as np
from caldera.errors import ParameterError
from caldera.lazy import lazy_module
from caldera.variable import is_sparse

sp = lazy_module("scipy.sparse")  # imported on first use (see caldera.lazy)


def _finite_square(name: str, what: str, q: ty.Any) -> sp.csr_matrix:
    if is_sparse(q):
        m = sp.csr_matrix(q, dtype=np.float64)
        vals = m.data
    else:
        arr = np.asarray(q)
        if arr.dtype.kind not in "biuf":
            raise ParameterError(f"{name}: {what} must be a numeric matrix, got dtype {arr.dtype}")
        if arr.ndim != 2:
            raise ParameterError(f"{name}: {what} must be a 2-D matrix, got shape {arr.shape}")
        m = sp.csr_matrix(arr.astype(np.float64))
        vals = arr
    if m.shape[0] != m.shape[1]:
        raise ParameterError(f"{name}: {what} must be square, got shape {m.shape}")
    if m.shape[0] == 0:
        raise ParameterError(f"{name}: {what} is empty (0 variables); a problem needs at least one variable")
    if np.size(vals) and not np.all(np.isfinite(vals)):
        raise ParameterError(f"{name}: {what} contains NaN or infinite entries")
    return m


class QUBO:
    """``minimize x^T Q x`` over binary ``x``; ``offset`` is added to every reported cost.

    ``Q`` is stored symmetrised (``(Q + Q^T) / 2``), so an upper-triangular
    matrix and its symmetric counterpart describe the same problem.
    """

    def __init__(self, q: ty.Any, offset: float = 0.0, name: str | None = None) -> None:
        m = _finite_square("QUBO", "q", q)
        sym = ((m + m.T) * 0.5).tocsr()
        sym.sum_duplicates()
        sym.eliminate_zeros()
        self.q: sp.csr_matrix = sym
        self.offset = float(offset)
        if not np.isfinite(self.offset):
            raise ParameterError(f"QUBO: offset must be finite, got {offset!r}")
        self.name = name or "qubo"
        #: for Max-Cut problems, the graph's symmetric weighted adjacency (cut = -cost)
        self.maxcut_weights: sp.csr_matrix | None = None

    @property
    def num_variables(self) -> int:
        return int(self.q.shape[0])

    @property
    def is_maxcut(self) -> bool:
        return self.maxcut_weights is not None

    def evaluate(self, x: ty.Any) -> np.ndarray | float:
        """``x^T Q x + offset`` for one state (shape ``(n,)``) or many (``(k, n)``)."""
        xs = np.asarray(x, dtype=np.float64)
        if xs.shape[-1] != self.num_variables:
            raise ParameterError(f"QUBO.evaluate: state has {xs.shape[-1]} variables, problem has {self.num_variables}")
        if not np.all((xs == 0) | (xs == 1)):
            raise ParameterError("QUBO.evaluate: states must be 0/1")
        two = np.atleast_2d(xs)
        vals = np.einsum("ij,ij->i", two, (self.q @ two.T).T) + self.offset
        return float(vals[0]) if xs.ndim == 1 else vals

    def cut_value(self, x: ty.Any) -> float:
        """Total weight of the edges cut by partition ``x`` (Max-Cut problems only)."""
        if self.maxcut_weights is None:
            raise ParameterError("QUBO.cut_value: this QUBO was not built from a Max-Cut graph")
        xs = np.asarray(x, dtype=np.float64)
        w = self.maxcut_weights
        # cut = sum_{i<j} w_ij [x_i != x_j] = 1/2 sum_ij w_ij (x_i + x_j - 2 x_i x_j)
        deg = np.asarray(w.sum(axis=1)).ravel()
        return float(xs @ deg - xs @ (w @ xs))

    def brute_force(self) -> tuple[np.ndarray, float]:
        """Exhaustive minimum (only for ``n <= 24``): ``(state, cost)``."""
        n = self.num_variables
        if n > 24:
            raise ParameterError(f"QUBO.brute_force: {n} variables is too many for exhaustive search (max 24)")
        qd = self.q.toarray()
        best_x, best_c = None, np.inf
        chunk = 1 << min(n, 16)
        for start in range(0, 1 << n, chunk):
            idx = np.arange(start, min(start + chunk, 1 << n), dtype=np.int64)
            xs = ((idx[:, None] >> np.arange(n)) & 1).astype(np.float64)
            c = np.einsum("ij,ij->i", xs, xs @ qd)
            k = int(np.argmin(c))
            if c[k] < best_c:
                best_c, best_x = float(c[k]), xs[k].astype(np.int8)
        return best_x, best_c + self.offset

    # -- constructors ---------------------------------------------------------------------
    @classmethod
    def from_ising(cls, h: ty.Any, j: ty.Any, offset: float = 0.0, name: str | None = None) -> QUBO:
        """The QUBO of ``E(s) = h.s + s^T J s + offset`` with ``s = 2x - 1`` (same energies)."""
        jm = _finite_square("QUBO.from_ising", "J", j)
        n = jm.shape[0]
        hv = np.asarray(h, dtype=np.float64).reshape(-1)
        if hv.size != n:
            raise ParameterError(f"QUBO.from_ising: h has {hv.size} entries, J is {n}x{n}")
        if not np.all(np.isfinite(hv)):
            raise ParameterError("QUBO.from_ising: h contains NaN or infinite entries")
        js = ((jm + jm.T) * 0.5).tocsr()
        jdiag = js.diagonal()
        joff = js - sp.diags(jdiag)
        rows = np.asarray(joff.sum(axis=1)).ravel()
        # s^T J s = 4 x^T J x - 4 (J 1).x + 1^T J 1 (off-diagonal part); diagonal s_i^2 = 1
        q = 4.0 * joff + sp.diags(2.0 * hv - 4.0 * rows)
        const = float(offset) - hv.sum() + float(joff.sum()) + float(jdiag.sum())
        return cls(q, offset=const, name=name)

    @classmethod
    def maxcut(cls, weights: ty.Any, name: str | None = None) -> QUBO:
        """Max-Cut of an undirected weighted graph as a QUBO whose cost is ``-cut``.

        ``weights`` is a symmetric adjacency matrix (or an upper/lower triangle).
        """
        w = _finite_square("QUBO.maxcut", "weights", weights)
        w = w.tolil()
        w.setdiag(0)
        w = w.tocsr()
        up, lo = sp.triu(w, 1).tocsr(), sp.tril(w, -1).tocsr()
        if lo.nnz == 0 or up.nnz == 0:
            tri = (up + lo.T).tocsr()
            sym = (tri + tri.T).tocsr()
        elif abs(up - lo.T).max() == 0:
            sym = w
        else:
            raise ParameterError("QUBO.maxcut: weights must be symmetric or triangular")
        deg = np.asarray(sym.sum(axis=1)).ravel()
        q = sym - sp.diags(deg)  # x^T Q x = -(x.deg - x^T W x) = -cut
        prob = cls(q, name=name or "maxcut")
        prob.maxcut_weights = sym.tocsr()
        return prob


# -- QP -----------------------------------------------------------------------------------
@dataclass
class QP:
    """``minimize 1/2 x^T Q x + p^T x`` subject to ``A x <= b``, ``E x = f``, ``lb <= x <= ub``.

    ``Q`` must be symmetric positive semidefinite (symmetry always checked,
    semidefiniteness by an eigenvalue check up to n = 2000); any constraint
    block may be omitted. Matrices may be dense or scipy sparse.
    """

    Q: ty.Any
    p: ty.Any = None
    A: ty.Any = None
    b: ty.Any = None
    E: ty.Any = None
    f: ty.Any = None
    lb: ty.Any = None
    ub: ty.Any = None
    name: str = "qp"
    n: int = field(init=False)

    def __post_init__(self) -> None:
        q = _finite_square("QP", "Q", self.Q)
        self.n = n = q.shape[0]
        if abs(q - q.T).max() if q.nnz else 0.0:
            scale = max(abs(q).max(), 1.0)
            if abs(q - q.T).max() > 1e-9 * scale:
                raise ParameterError("QP: Q must be symmetric")
        self.Q = q
        self.p = self._vec("p", self.p, n, 0.0)
        self.A, self.b = self._block("A", "b", self.A, self.b)
        self.E, self.f = self._block("E", "f", self.E, self.f)
        self.lb = self._vec("lb", self.lb, n, -np.inf, allow_inf=True)
        self.ub = self._vec("ub", self.ub, n, np.inf, allow_inf=True)
        if np.any(self.lb > self.ub):
            i = int(np.argmax(self.lb > self.ub))
            raise ParameterError(f"QP: lb[{i}]={self.lb[i]} > ub[{i}]={self.ub[i]}: the bounds are infeasible")
        if n <= 2000:
            ev = np.linalg.eigvalsh(q.toarray()).min() if n else 0.0
            if ev < -1e-8 * max(1.0, abs(q).max()):
                raise ParameterError(
                    f"QP: Q is not positive semidefinite (smallest eigenvalue {ev:.3g}); the problem is non-convex"
                )

    def _vec(self, name: str, v: ty.Any, n: int, default: float, allow_inf: bool = False) -> np.ndarray:
        if v is None:
            return np.full(n, default)
        arr = np.asarray(v, dtype=np.float64).reshape(-1)
        if arr.size != n:
            raise ParameterError(f"QP: {name} has {arr.size} entries, expected {n}")
        bad = np.isnan(arr) if allow_inf else ~np.isfinite(arr)
        if bad.any():
            raise ParameterError(f"QP: {name} contains {'NaN' if allow_inf else 'NaN or infinite'} entries")
        return arr

    def _block(self, mname: str, vname: str, m: ty.Any, v: ty.Any) -> tuple[sp.csr_matrix, np.ndarray]:
        if m is None:
            if v is not None and np.size(v):
                raise ParameterError(f"QP: {vname} given without {mname}")
            return sp.csr_matrix((0, self.n)), np.zeros(0)
        mat = (
            sp.csr_matrix(m, dtype=np.float64)
            if is_sparse(m)
            else sp.csr_matrix(np.atleast_2d(np.asarray(m, dtype=np.float64)))
        )
        if mat.shape[1] != self.n:
            raise ParameterError(f"QP: {mname} has {mat.shape[1]} columns, expected {self.n}")
        if mat.nnz and not np.all(np.isfinite(mat.data)):
            raise ParameterError(f"QP: {mname} contains NaN or infinite entries")
        vec = self._vec(vname, np.zeros(mat.shape[0]) if v is None else v, mat.shape[0], 0.0)
        return mat, vec

    def objective(self, x: ty.Any) -> float:
        x = np.asarray(x, dtype=np.float64)
        return float(0.5 * x @ (self.Q @ x) + self.p @ x)

    def violation(self, x: ty.Any) -> float:
        """Largest constraint violation of ``x`` (max-norm over all constraint kinds)."""
        x = np.asarray(x, dtype=np.float64)
        parts = [0.0]
        if self.A.shape[0]:
            parts.append(float(np.max(np.maximum(self.A @ x - self.b, 0.0))))
        if self.E.shape[0]:
            parts.append(float(np.max(np.abs(self.E @ x - self.f))))
        parts.append(float(np.max(np.maximum(self.lb - x, 0.0), initial=0.0)))
        parts.append(float(np.max(np.maximum(x - self.ub, 0.0), initial=0.0)))
        return max(parts)


__all__ = ["QUBO", "QP"]
