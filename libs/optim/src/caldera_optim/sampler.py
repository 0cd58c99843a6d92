"""``CalderaSampler``: caldera's annealing network behind dimod's ``Sampler`` interface (needs ``dimod``).

D-Wave Ocean code swaps it in with one line::

    sampler = CalderaSampler()          # instead of SimulatedAnnealingSampler()
    sampleset = sampler.sample(bqm, num_reads=32, time_limit=1.0, seed=7)

``sample_ising`` and ``sample_qubo`` come from ``dimod.Sampler``. Every read is
one replica of one ``solve_qubo`` run (its best state), so ``num_reads``
replicas anneal at once; the ``SampleSet`` holds one sample per read with its
energy in the BQM's own vartype (dimod computes it from the BQM, so it is the
exact energy of the reported sample), and its ``info`` holds the run's
``steps``, ``wall_time_s`` and ``stop_reason``.
"""

from __future__ import annotations

import typing as ty

import dimod
import numpy as np
from caldera.errors import ParameterError

__all__ = ["CalderaSampler"]


class CalderaSampler(dimod.Sampler):
    """A dimod sampler running ``caldera_optim.solve_qubo`` (parallel annealing on caldera processes).

    Parameters of ``sample`` (all keyword, all optional): ``num_reads``
    (replicas, default 8), ``time_limit`` (seconds), ``num_steps`` (default
    2000 when neither limit is given), ``seed``, ``backend``, ``tag``
    (``"floating_pt"`` or ``"fixed_pt"``), ``t_hot``, ``t_cold``,
    ``anneal_steps``, ``restarts`` (restarts from the population's best per
    cycle; 0 makes the reads independent chains, as dimod's samplers' reads
    are), ``restart_lines`` and ``restart_kick`` (keep the population diverse;
    see ``solve_qubo``), ``exchange_interval`` and ``exchange_ladder`` (replica exchange
    between the reads: sweeps between exchange rounds, 0 for none, and the
    temperature span of the reads; see ``solve_qubo``) and ``initial_states``
    (one state for all reads, or one per read, in the BQM's vartype).
    """

    _SOLVER_KEYS = (
        "time_limit",
        "num_steps",
        "seed",
        "backend",
        "tag",
        "t_hot",
        "t_cold",
        "anneal_steps",
        "restarts",
        "restart_lines",
        "restart_kick",
        "exchange_interval",
        "exchange_ladder",
    )

    def __init__(self) -> None:
        self._parameters = {k: [] for k in ("num_reads", *self._SOLVER_KEYS, "initial_states")}
        self._properties = {
            "solver": "caldera_optim.solve_qubo",
            "description": "parallel simulated annealing on a network of caldera processes (one read per replica)",
        }

    @property
    def parameters(self) -> dict[str, list]:
        return self._parameters

    @property
    def properties(self) -> dict[str, ty.Any]:
        return self._properties

    def sample(
        self,
        bqm: dimod.BinaryQuadraticModel,
        *,
        num_reads: int | None = None,
        initial_states: ty.Any = None,
        **kwargs: ty.Any,
    ) -> dimod.SampleSet:
        """Sample ``bqm``: ``num_reads`` annealed states with their energies (see the class docstring)."""
        from caldera_optim.io import from_bqm
        from caldera_optim.qubo_solver import solve_qubo

        unknown = sorted(set(kwargs) - set(self._SOLVER_KEYS))
        if unknown:
            raise ParameterError(
                f"CalderaSampler.sample: unknown parameters {unknown}; allowed: "
                f"{', '.join(['num_reads', *self._SOLVER_KEYS, 'initial_states'])}"
            )
        if not isinstance(bqm, dimod.BinaryQuadraticModel):
            raise ParameterError(f"CalderaSampler.sample: bqm must be a dimod.BinaryQuadraticModel, got {type(bqm)}")
        reads = 8 if num_reads is None else num_reads
        if isinstance(reads, bool) or not isinstance(reads, (int, np.integer)) or reads < 1:
            raise ParameterError(f"CalderaSampler.sample: num_reads must be an integer >= 1, got {num_reads!r}")
        reads = int(reads)
        if kwargs.get("seed") is None:
            kwargs["seed"] = int(np.random.default_rng().integers(2**31))
        if bqm.num_variables == 0:  # nothing to anneal: reads of the empty sample
            return dimod.SampleSet.from_samples_bqm((np.zeros((reads, 0), np.int8), []), bqm)
        for name in self._SOLVER_KEYS:
            if name in kwargs and kwargs[name] is None:
                del kwargs[name]
        kwargs.setdefault("tag", "floating_pt")
        coefs = np.concatenate(
            [np.asarray(list(bqm.linear.values()), float), np.asarray(list(bqm.quadratic.values()), float)]
        )
        if coefs.size and not np.all(np.isfinite(coefs)) or not np.isfinite(bqm.offset):
            raise ParameterError("CalderaSampler.sample: the BQM has NaN or infinite biases")
        problem, labels = from_bqm(bqm)
        spin = bqm.vartype is dimod.SPIN
        init = None
        if initial_states is not None:
            init = self._initial_states(initial_states, labels, reads, spin)
        res = solve_qubo(problem, replicas=reads, init_state=init, **kwargs)
        states = res.replica_states.astype(np.int8)
        if spin:
            states = 2 * states - 1
        info = dict(steps=res.steps, wall_time_s=res.wall_time_s, stop_reason=res.stop_reason, params=res.params)
        return dimod.SampleSet.from_samples_bqm((states, labels), bqm, info=info)

    @staticmethod
    def _initial_states(initial: ty.Any, labels: list, reads: int, spin: bool) -> np.ndarray:
        """``initial_states`` (array-like in ``labels`` order, a dimod sample-like, or a SampleSet) as 0/1 rows."""
        try:
            arr, order = dimod.as_samples(initial)
        except Exception as exc:  # noqa: BLE001 - reported with the parameter's name
            raise ParameterError(f"CalderaSampler.sample: initial_states is not sample-like ({exc})") from None
        if arr.shape[0] == 0:
            raise ParameterError("CalderaSampler.sample: initial_states is empty")
        order = list(order)
        if len(order) != len(labels) or set(order) != set(labels):
            if order != list(range(len(labels))):
                raise ParameterError("CalderaSampler.sample: initial_states must give a value for every variable")
            order = labels  # a plain array: in the BQM's variable order
        pos = {v: i for i, v in enumerate(order)}
        arr = arr[:, [pos[v] for v in labels]]
        allowed = (-1, 1) if spin else (0, 1)
        if not np.all(np.isin(arr, allowed)):
            raise ParameterError(f"CalderaSampler.sample: initial_states must hold the values {allowed} of the BQM")
        if arr.shape[0] not in (1, reads):
            raise ParameterError(
                f"CalderaSampler.sample: initial_states has {arr.shape[0]} states; give 1 or num_reads={reads}"
            )
        x = (arr > 0).astype(np.int8) if spin else arr.astype(np.int8)
        return np.broadcast_to(x, (reads, len(labels))).copy()
