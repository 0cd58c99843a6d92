"""caldera-optim: QUBO and QP solvers built from caldera processes.

* ``QUBO`` / ``QUBO.maxcut`` / ``QUBO.from_ising`` and readers (``load_problem``,
  ``read_gset``, ``read_npy``, ``read_npz``, ``read_mtx``, ``from_bqm``);
  ``solve_qubo`` runs parallel simulated annealing on stochastic binary neurons.
* ``CalderaSampler``: the same solver as a dimod ``Sampler`` (needs dimod).
* ``CSP`` (with ``graph_coloring``, ``n_queens``, ``sudoku``): constraint satisfaction as a
  winner-take-all network of stochastic neurons.
* ``LCA``: sparse coding (LASSO) with a locally competitive algorithm network, one or two layers.
* ``QP`` and ``solve_qp``: a PIPG primal-dual gradient network; ``register_cvxpy()``
  adds ``problem.solve(method="caldera")`` to cvxpy (done on import if cvxpy was imported first).
"""

import sys as _sys
import typing as _ty

from caldera.lazy import lazy_exports

from caldera_optim.cvxpy_iface import register_cvxpy

if _ty.TYPE_CHECKING:
    from caldera_optim.csp import CSP, Allowed, CSPResult, Forbidden, graph_coloring, n_queens, sudoku
    from caldera_optim.io import ProblemFormatError, from_bqm, load_problem, read_gset, read_mtx, read_npy, read_npz
    from caldera_optim.lca import LCA, LCAResult
    from caldera_optim.problems import QP, QUBO
    from caldera_optim.qp_solver import QPResult, solve_qp
    from caldera_optim.qubo_solver import QuboResult, default_temperatures, solve_qubo
    from caldera_optim.sampler import CalderaSampler

if "cvxpy" in _sys.modules:  # never import cvxpy just for this (it is slow); call register_cvxpy() instead
    register_cvxpy()

# The public names, imported on first use: the plugin module (this package) is loaded at every
# session's first compile, also for networks that use none of it.
_LAZY = {
    "ProblemFormatError": "caldera_optim.io",
    "from_bqm": "caldera_optim.io",
    "load_problem": "caldera_optim.io",
    "read_gset": "caldera_optim.io",
    "read_mtx": "caldera_optim.io",
    "read_npy": "caldera_optim.io",
    "read_npz": "caldera_optim.io",
    "QP": "caldera_optim.problems",
    "QUBO": "caldera_optim.problems",
    "QPResult": "caldera_optim.qp_solver",
    "solve_qp": "caldera_optim.qp_solver",
    "QuboResult": "caldera_optim.qubo_solver",
    "CalderaSampler": "caldera_optim.sampler",
    "LCA": "caldera_optim.lca",
    "LCAResult": "caldera_optim.lca",
    "CSP": "caldera_optim.csp",
    "CSPResult": "caldera_optim.csp",
    "Allowed": "caldera_optim.csp",
    "Forbidden": "caldera_optim.csp",
    "graph_coloring": "caldera_optim.csp",
    "n_queens": "caldera_optim.csp",
    "sudoku": "caldera_optim.csp",
    "default_temperatures": "caldera_optim.qubo_solver",
    "solve_qubo": "caldera_optim.qubo_solver",
}


__getattr__, __dir__ = lazy_exports(globals(), _LAZY)


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
    "CalderaSampler",
    "LCA",
    "LCAResult",
    "CSP",
    "CSPResult",
    "Allowed",
    "Forbidden",
    "graph_coloring",
    "n_queens",
    "sudoku",
]
