"""Max-Cut of G43 with caldera-optim's annealing network; prints the result and plots the best cut per step.

Run: ``python examples/optim_maxcut.py [seconds]`` (writes ``optim_maxcut.png``).
"""

from __future__ import annotations

import pathlib
import sys

import numpy as np
from caldera_optim import read_gset, solve_qubo

DATA = pathlib.Path(__file__).resolve().parents[1] / "tests" / "optim" / "data"


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    prob = read_gset(DATA / "G43.txt")  # 1000 vertices, best known cut 6660
    res = solve_qubo(
        prob,
        time_limit=seconds,
        replicas=16,
        seed=1,
        progress=lambda step, best, t: print(f"\r step {step:6d}  {t:5.2f} s  cut {-best:.0f}", end=""),
    )
    print()
    cuts = [prob.cut_value(s) for s in res.replica_states]
    print(
        f"best cut {res.cut:.0f} (best known 6660) at step {res.best_step}, {res.time_to_best_s:.2f} s; "
        f"replicas: mean {np.mean(cuts):.1f}, worst {min(cuts):.0f}; {res.steps} steps in {res.wall_time_s:.2f} s"
    )

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(np.arange(1, res.steps + 1), -res.trajectory)
    ax.axhline(6660, color="k", ls=":", label="best known")
    ax.set_xlabel("step")
    ax.set_ylabel("best cut so far")
    ax.set_ylim(6000, 6700)
    ax.legend()
    fig.tight_layout()
    fig.savefig("optim_maxcut.png", dpi=110)
    print("wrote optim_maxcut.png")


if __name__ == "__main__":
    main()
