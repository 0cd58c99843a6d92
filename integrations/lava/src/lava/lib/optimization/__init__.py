"""lava-optimization 0.5's ``lava.lib.optimization`` (caldera-lava), implemented by caldera-optim.

``problems.problems.QUBO``/``QP`` and the solver front ends ``solvers.generic.solver.OptimizationSolver``
(``SolverConfig``, ``SolverReport``, ``solve``) and ``solvers.generic.qp.solver.QPSolver``. Install
``caldera-optim`` (``pip install caldera-lava[optimization]``).
"""

from lava._compat import requires

requires("caldera-optim", "caldera_optim", __name__)
