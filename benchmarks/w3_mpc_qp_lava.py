"""Lava side of ``w3_mpc_qp.py``: lava-optimization's PIPG QP solver on the ANYmal MPC QP (runs under Python 3.10).

Set up as lava-optimization's own test of this QP (its ``TestOptimizationSolverQP``):
5 Ruiz preconditioning iterations, the ``qp-lp_pipg`` neuron model with its
step sizes and schedules, CPU backend; one PIPG iteration takes two time steps,
so ``timeout = 2 * iterations``. Prints one JSON line per requested iteration
count: violation ``||A x - k||``, objective, wall time of ``solve``.

Usage (by w3_mpc_qp.py): ``python3.10 w3_mpc_qp_lava.py DATA.npz 1000 [2000 ...]``
"""

import json
import sys
import time

import numpy as np


def main() -> None:
    from lava.lib.optimization.problems.problems import QP
    from lava.lib.optimization.solvers.generic.solver import OptimizationSolver, SolverConfig

    z = np.load(sys.argv[1])
    q, a, p, k = z["A"], z["B"], z["C"].ravel(), z["D"].ravel()
    for iters in [int(s) for s in sys.argv[2:]]:
        problem = QP(hessian=q, linear_offset=p, equality_constraints_weights=a, equality_constraints_biases=k)
        problem.precondition_problem(iterations=5, type="ruiz")
        mu, sigma, lamda = 0.11, 8.14, 1.6
        hyper = {
            "neuron_model": "qp-lp_pipg",
            "alpha": 2 / (mu + 2 * lamda),
            "beta": mu / (2 * sigma),
            "lr_change_type": "indices",
            "alpha_decay_indices": np.array([50, 100, 200, 350, 550, 800, 1100, 1450, 1850, 2300]) * 2,
            "beta_growth_indices": np.array([1, 3, 7, 15, 31, 63, 127, 255, 511, 1023, 2047, 4095]) * 2 + 1,
            "decay_schedule_parameters": (100, 100, 0),
            "growth_schedule_parameters": (3, 2),
        }
        np.random.seed(2)
        solver = OptimizationSolver(problem)
        t0 = time.perf_counter()
        report = solver.solve(config=SolverConfig(timeout=2 * iters, backend="CPU", hyperparameters=hyper))
        wall = time.perf_counter() - t0
        x = problem.postconditioner @ report.best_state
        out = dict(
            iterations=iters,
            violation=float(np.linalg.norm(a @ x - k)),
            objective=float(0.5 * x @ q @ x + p @ x),
            wall_s=wall,
        )
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
