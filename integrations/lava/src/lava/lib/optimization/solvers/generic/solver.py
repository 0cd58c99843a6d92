"""lava-optimization 0.5's ``lava.lib.optimization.solvers.generic.solver``: ``OptimizationSolver`` for QUBOs.

``OptimizationSolver(qubo).solve(config=SolverConfig(timeout=..., target_cost=..., backend=...))`` runs
caldera-optim's annealing network (``caldera_optim.solve_qubo``) for at most ``timeout`` steps, stopping
early once a cost ``<= target_cost`` is found (lava-optimization's default ``target_cost=0`` included), and
returns a ``SolverReport``. ``backend="CPU"`` runs on caldera's default CPU backend; ``"Loihi2"`` (or the
``Loihi2NeuroCore`` resource) on caldera's Loihi 2 emulator (``fixed_pt``; needs caldera-loihi).

caldera's annealer has its own schedule, so of lava-optimization's ``hyperparameters`` only those with a
counterpart are taken: ``init_value``/``init_state`` (the start state), ``refract`` (refractory steps),
``seed``; a list of hyperparameter dicts runs that many replicas. Any other key is an error naming it.
"""

from __future__ import annotations

import typing as ty
from dataclasses import dataclass

import numpy as np

from lava._compat import missing, requires
from lava.magma.core.resources import CPU, Loihi2NeuroCore, NeuroCore

_qubo_solver = requires("caldera-optim", "caldera_optim.qubo_solver", __name__)
_problems = requires("caldera-optim", "caldera_optim.problems", __name__)

CPUS = [CPU, "CPU"]
NEUROCORES = [Loihi2NeuroCore, NeuroCore, "Loihi2"]
BACKENDS = CPU | Loihi2NeuroCore | NeuroCore | str
HP_TYPE = dict | list[dict]
BACKEND_MSG = f"was requested as backend; backends are {CPUS + NEUROCORES}"

_HP_KEYS = {"init_value": "init_state", "init_state": "init_state", "refract": "refract", "seed": "seed"}


@dataclass
class SolverConfig:
    """lava-optimization's solver configuration (same fields and defaults)."""

    timeout: int = 1000
    target_cost: int = 0
    backend: ty.Any = CPU
    hyperparameters: ty.Any = None
    probe_cost: bool = False
    probe_state: bool = False
    probe_time: bool = False
    probe_energy: bool = False
    log_level: int = 40
    folded_compilation: bool = False


@dataclass(frozen=True)
class SolverReport:
    """What ``OptimizationSolver.solve`` returns (lava-optimization's fields)."""

    problem: ty.Any = None
    best_cost: ty.Any = None
    best_state: np.ndarray | None = None
    best_timestep: int | None = None
    cost_timeseries: np.ndarray | None = None
    state_timeseries: np.ndarray | None = None
    solver_config: SolverConfig | None = None
    profiler: ty.Any = None


def _backend(config: SolverConfig) -> tuple[str | None, str]:
    b = config.backend
    if any(b is c or b == c for c in CPUS):
        return None, "floating_pt"
    if any(b is c or b == c for c in NEUROCORES):
        return "loihi", "fixed_pt"
    raise ValueError(f"{b!r} {BACKEND_MSG}")


def _hyperparameters(hps: ty.Any, n: int) -> tuple[dict, int]:
    if hps is None:
        return {}, 1
    replicas = 1
    if isinstance(hps, list):
        if not hps:
            raise ValueError("SolverConfig.hyperparameters: an empty list")
        replicas, hps = len(hps), hps[0]
    if not isinstance(hps, dict):
        raise TypeError(f"SolverConfig.hyperparameters must be a dict or a list of dicts, got {type(hps).__name__}")
    out = {}
    for k, v in hps.items():
        if k not in _HP_KEYS:
            raise NotImplementedError(
                f"SolverConfig.hyperparameters[{k!r}]: not supported by caldera-optim's annealer (it has its own "
                f"temperature schedule); supported keys: {', '.join(sorted(_HP_KEYS))}"
            )
        if _HP_KEYS[k] == "init_state":
            v = np.broadcast_to(np.asarray(v), (n,)).astype(np.int8)
        out[_HP_KEYS[k]] = v
    return out, replicas


class OptimizationSolver:
    """Solves a QUBO with caldera-optim's annealing network (lava-optimization's front end)."""

    def __init__(self, problem: ty.Any) -> None:
        if not isinstance(problem, _problems.QUBO):
            raise NotImplementedError(
                f"OptimizationSolver: caldera-optim solves QUBO problems here, got {type(problem).__name__}; "
                "solve a QP with lava.lib.optimization.solvers.generic.qp.solver.QPSolver"
            )
        self.problem = problem
        self.solver_process = None
        self.last_result: ty.Any = None

    def solve(self, config: SolverConfig = SolverConfig()) -> SolverReport:  # noqa: B008 - Lava's signature
        if not isinstance(config.timeout, (int, np.integer)) or config.timeout < 1:
            raise ValueError(f"SolverConfig.timeout must be a positive number of steps, got {config.timeout!r}")
        if config.probe_state:
            raise NotImplementedError(
                "SolverConfig(probe_state=True): not supported; caldera-optim records the cost of each step "
                "(probe_cost=True: SolverReport.cost_timeseries) and the best state, not every state"
            )
        if config.probe_time or config.probe_energy:
            raise NotImplementedError(
                "SolverConfig(probe_time/probe_energy=True): not supported; caldera-loihi's report "
                "(caldera loihi report) estimates time and energy"
            )
        backend, tag = _backend(config)
        hp, replicas = _hyperparameters(config.hyperparameters, self.problem.num_variables)
        result = _qubo_solver.solve_qubo(
            self.problem,
            num_steps=int(config.timeout),
            target_cost=config.target_cost,
            backend=backend,
            tag=tag,
            replicas=max(replicas, 1),
            **hp,
        )
        self.last_result = result
        best_state = np.asarray(result.best_state).astype(np.int8)
        cost_ts = np.asarray(result.trajectory) if config.probe_cost else None
        return SolverReport(
            problem=self.problem,
            best_cost=int(round(result.best_cost)) if float(result.best_cost).is_integer() else result.best_cost,
            best_state=best_state,
            best_timestep=getattr(result, "best_step", None),
            cost_timeseries=cost_ts,
            solver_config=config,
        )


def solve(problem: ty.Any, config: SolverConfig = SolverConfig()) -> np.ndarray:  # noqa: B008 - Lava's signature
    """Solve ``problem`` and return the best state."""
    return OptimizationSolver(problem).solve(config=config).best_state


__all__ = [
    "BACKENDS",
    "HP_TYPE",
    "CPUS",
    "NEUROCORES",
    "BACKEND_MSG",
    "SolverConfig",
    "SolverReport",
    "solve",
    "OptimizationSolver",
]
__getattr__ = missing(__name__)
