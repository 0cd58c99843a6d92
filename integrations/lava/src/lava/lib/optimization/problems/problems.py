"""lava-optimization 0.5's ``lava.lib.optimization.problems.problems``: ``QUBO`` and ``QP`` (caldera_optim).

``QUBO(q)`` is caldera-optim's QUBO (minimise ``x^T q x``) with lava-optimization's ``evaluate_cost``;
unlike lava-optimization it also accepts float and non-symmetric ``q`` (it is symmetrised). ``QP`` takes
lava-optimization's argument names (cost ``1/2 x^T Q x + p^T x``, ``A x <= k`` and ``A_eq x = k_eq``).
"""

from __future__ import annotations

import typing as ty

import numpy as np

from lava._compat import missing, requires

_problems = requires("caldera-optim", "caldera_optim.problems", __name__)


class QUBO(_problems.QUBO):
    """A quadratic unconstrained binary problem: minimise ``x^T q x`` over ``x in {0, 1}^n``."""

    def __init__(self, q: ty.Any) -> None:
        super().__init__(q)
        self._q_lava = np.asarray(q)

    def evaluate_cost(self, solution: ty.Any) -> int:
        """``x^T q x`` of a 0/1 vector, as an int (lava-optimization's return type)."""
        x = np.asarray(solution)
        return int(x @ self._q_lava @ x)

    def verify_solution(self, solution: ty.Any) -> bool:
        raise NotImplementedError("QUBO.verify_solution: a QUBO has no constraints to verify (as in lava-optimization)")


class QP(_problems.QP):
    """A convex quadratic program in lava-optimization's terms, solved by caldera-optim's PIPG network."""

    def __init__(
        self,
        hessian: ty.Any = None,
        linear_offset: ty.Any = None,
        inequality_constraints_weights: ty.Any = None,
        inequality_constraints_biases: ty.Any = None,
        equality_constraints_weights: ty.Any = None,
        equality_constraints_biases: ty.Any = None,
    ) -> None:
        if hessian is None:
            raise TypeError("QP: hessian is required")
        if (inequality_constraints_weights is None) != (inequality_constraints_biases is None):
            raise ValueError(
                "QP: give both inequality_constraints_weights and inequality_constraints_biases, or neither"
            )
        if (equality_constraints_weights is None) != (equality_constraints_biases is None):
            raise ValueError("QP: give both equality_constraints_weights and equality_constraints_biases, or neither")

        def vec(v: ty.Any) -> ty.Any:
            return None if v is None else np.asarray(v, dtype=float).reshape(-1)

        super().__init__(
            Q=np.asarray(hessian, dtype=float),
            p=vec(linear_offset),
            A=inequality_constraints_weights,
            b=vec(inequality_constraints_biases),
            E=equality_constraints_weights,
            f=vec(equality_constraints_biases),
        )

    @property
    def hessian(self) -> np.ndarray:
        return np.asarray(self.Q.todense() if hasattr(self.Q, "todense") else self.Q)

    @property
    def linear_offset(self) -> np.ndarray:
        return np.zeros(self.n) if self.p is None else np.asarray(self.p)

    @property
    def num_variables(self) -> int:
        return self.n

    def evaluate_cost(self, sol: ty.Any) -> float:
        """lava-optimization's formula, kept as it is: ``x^T Q x + p^T x`` (without the 1/2 of the cost)."""
        x = np.asarray(sol).reshape(-1)
        return float(x @ self.hessian @ x + x @ self.linear_offset)

    def evaluate_constraint_violations(self, sol: ty.Any) -> np.ndarray:
        """``A_eq x - k_eq``."""
        if self.E is None:
            raise ValueError("QP.evaluate_constraint_violations: the problem has no equality constraints")
        x = np.asarray(sol).reshape(-1)
        return np.asarray(self.E @ x).reshape(-1) - np.asarray(self.f)


_NOT = (
    "not supported: caldera-optim has no integer-program solver; it solves QUBO and QP problems "
    "(lava.lib.optimization.problems.problems.QUBO / QP)"
)
_CSP = (
    "not mapped: caldera-optim's constraint solver is caldera_optim.CSP(variables, domains, constraints).solve(), "
    "with an API of its own (binary constraints as allowed-value matrices, as here)"
)
__all__ = ["QUBO", "QP"]
__getattr__ = missing(
    __name__,
    {
        "OptimizationProblem": "not supported: the abstract problem interface; QUBO and QP are provided",
        "CSP": _CSP,
        "IQP": _NOT,
        "ILP": _NOT,
        "DType": "not supported: lava-optimization's variable-domain type",
        "CType": "not supported: lava-optimization's constraint type",
    },
)
