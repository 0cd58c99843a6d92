"""caldera-optim: QUBO and QP solvers built from caldera processes.

* ``QUBO`` / ``QUBO.maxcut`` / ``QUBO.from_ising`` and readers (``load_problem``,
  ``read_gset``, ``read_npy``, ``read_npz``, ``read_mtx``, ``from_bqm``);
  ``solve_qubo`` runs parallel simulated annealing on stochastic binary neurons.
* ``QP`` and ``solve_qp``: a PIPG primal-dual gradient network; ``register_cvxpy()``
  adds ``problem.solve(method="caldera")`` to cvxpy (done on import if cvxpy was imported first).
"""

import sys as _sys

from caldera_optim.cvxpy_iface import register_cvxpy
from caldera_optim.io import (
    ProblemFormatError,
    from_bqm,
    load_problem,
    read_gset,
    read_mtx,
    read_npy,
    read_npz,
)
from caldera_optim.problems import QP, QUBO
from caldera_optim.qp_solver import QPResult, solve_qp
from caldera_optim.qubo_solver import QuboResult, default_temperatures, solve_qubo

if "cvxpy" in _sys.modules:  # never import cvxpy just for this (it is slow); call register_cvxpy() instead
    register_cvxpy()

__version__ = "0.1.0"

__all__ = [
    "QUBO",
    "QP",
    "QuboResult",
    "QPResult",
    "solve_qp",
    "register_cvxpy",
    "solve_qubo",
    "default_temperatures",
    "ProblemFormatError",
    "load_problem",
    "read_gset",
    "read_mtx",
    "read_npy",
    "read_npz",
    "from_bqm",
]
