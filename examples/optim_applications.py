"""caldera-optim's applications in one tour: maximum independent set, scheduling, N-queens, Sudoku, sparse coding,
and the dimod sampler. Each result is checked and compared with a classical reference.

Run: ``python examples/optim_applications.py`` (a few seconds per part; needs networkx, scikit-learn and dimod
for the comparisons).
"""

from __future__ import annotations

import numpy as np
from caldera_optim import LCA, CalderaSampler, n_queens, sudoku
from caldera_optim.applications import is_independent, solve_mis, solve_schedule
from caldera_optim.generators import random_graph


def mis() -> None:
    import networkx as nx
    from networkx.algorithms.approximation import maximum_independent_set

    w = random_graph(300, 0.03, seed=1)
    adj = (w + w.T).tocsr()
    res = solve_mis(adj, time_limit=2.0, seed=0)
    approx = maximum_independent_set(nx.from_scipy_sparse_array(adj))
    print(
        f"MIS, random graph of 300 nodes: {res.nodes.size} nodes (independent: {is_independent(adj, res.nodes)}), "
        f"networkx's approximation: {len(approx)}"
    )


def schedule() -> None:
    rng = np.random.default_rng(3)
    requests = []
    for k in range(12):
        release = int(rng.integers(0, 10))
        duration = int(rng.integers(1, 4))
        requests.append(dict(name=f"job{k}", duration=duration, release=release, deadline=release + duration + 4))
    res = solve_schedule(requests, ["crane", "dock"], time_limit=5.0)
    print(f"schedule of 12 jobs on 2 resources: {res.status} in {res.wall_time_s:.2f} s")
    for name, (where, start) in sorted((res.solution or {}).items(), key=lambda kv: kv[1][1]):
        print(f"  t={start:2d} {where:<5} {name}")


def puzzles() -> None:
    res = n_queens(20).solve(time_limit=20.0)
    print(f"20 queens: {res.status} in {res.wall_time_s:.2f} s: columns {[res.solution[r] for r in range(20)]}")
    grid = "8..........36......7..9.2...5...7.......457.....1...3...1....68..85...1..9....4.."
    res = sudoku(grid).solve(time_limit=30.0)
    print(f"Sudoku: {res.status} in {res.wall_time_s:.2f} s")
    if res.solution:
        for r in range(9):
            print("  " + " ".join(str(res.solution[(r, c)]) for c in range(9)))


def sparse_coding() -> None:
    from sklearn.linear_model import Lasso

    rng = np.random.default_rng(0)
    phi = rng.normal(size=(64, 128))
    phi /= np.linalg.norm(phi, axis=0)
    y = phi[:, [3, 50, 90]] @ np.array([1.0, -0.7, 0.5])
    lam = 0.05
    for layers, tag in ((1, "floating_pt"), (2, "floating_pt"), (1, "fixed_pt")):
        res = LCA(phi, lam, layers=layers, tag=tag).solve(y)
        print(
            f"LCA {layers}-layer {tag}: objective {res.objective:.6f} after {res.iterations} steps, "
            f"active atoms {np.flatnonzero(np.abs(res.coefficients) > 1e-3).tolist()}"
        )
    ref = Lasso(alpha=lam / 64, fit_intercept=False, tol=1e-10, max_iter=100000).fit(phi, y).coef_
    print(f"scikit-learn Lasso: objective {0.5 * np.sum((y - phi @ ref) ** 2) + lam * np.abs(ref).sum():.6f}")


def dimod_sampler() -> None:
    import dimod

    bqm = dimod.generators.ran_r(1, 12, seed=4)
    ss = CalderaSampler().sample(bqm, num_reads=8, time_limit=0.5, seed=1)
    exact = dimod.ExactSolver().sample(bqm).first.energy
    print(f"dimod: CalderaSampler lowest energy {ss.first.energy} (ExactSolver: {exact})")


if __name__ == "__main__":
    mis()
    schedule()
    puzzles()
    sparse_coding()
    dimod_sampler()
