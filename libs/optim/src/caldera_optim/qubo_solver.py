"""``solve_qubo``: parallel simulated annealing on a network of caldera processes.

The network is three processes (see ``caldera_optim.processes``): a
population of stochastic binary neurons with one row per replica, the
coupling synapse, and a cost tracker. The solver runs it in chunks of steps
and stops on a target cost, a time limit or a step budget, whichever comes
first; between chunks it reads the tracker (progress, stopping) and at the end
the neurons' best states. Reported costs are recomputed as ``x^T Q x`` of the
reported states.
"""

from __future__ import annotations

import math
import time
import typing as ty
from dataclasses import dataclass, field

import numpy as np
from caldera.errors import ParameterError
from caldera.lazy import lazy_module
from caldera.run_conditions import RunSteps
from caldera.run_config import RunConfig

from caldera_optim.models.qubo import exchange_pairs
from caldera_optim.problems import QUBO
from caldera_optim.processes import AnnealingBinaryNeurons, CostTracker, ReplicaCoupling

sp = lazy_module("scipy.sparse")  # imported on first use (see caldera.lazy)

_TRACE_LEN = 4096
#: at t_cold, the smallest flip costs are accepted with probability 1 / COLD_ODDS (see default_temperatures)
COLD_ODDS = 10_000.0
#: default number of restarts from the population's best per cooling cycle, and where in the cycle they fall
RESTARTS = 12
RESTART_SPAN = (0.4, 0.9)
#: default share of the replicas that restart (from the same number of best replicas)
RESTART_SHARE = 0.25
#: default number of lines of descent the restarts keep at least (no line grows beyond replicas / RESTART_LINES;
#: 1: no limit) and share of the variables flipped at random in each restarted replica after its copy (0: none).
#: Both off: on the tuning instances (our own, never the benchmark's; libs/optim/README.md) neither was better.
RESTART_LINES = 1
RESTART_KICK = 0.0
#: default replica exchange: an exchange round every EXCHANGE_INTERVAL sweeps (0: none), between replicas whose
#: temperatures span a factor EXCHANGE_LADDER (see solve_qubo)
EXCHANGE_INTERVAL = 0
EXCHANGE_LADDER = 2.0
#: most sweeps of the greedy descent that ends a run stopped by its time limit (see solve_qubo)
FINAL_DESCENT_SWEEPS = 50


@dataclass
class QuboResult:
    """What a QUBO solve found. Times are seconds since the solve started (including network build)."""

    best_state: np.ndarray
    best_cost: float
    best_step: int
    time_to_best_s: float
    steps: int
    wall_time_s: float
    stop_reason: str
    trajectory: np.ndarray
    replica_states: np.ndarray
    replica_costs: np.ndarray
    replica_steps: np.ndarray
    replica_times_s: np.ndarray
    cut: float | None = None
    params: dict = field(default_factory=dict)
    #: ``backend="loihi"`` only: the emulator's ``caldera_loihi.LoihiReport`` of the run, and its summary
    loihi_report: ty.Any = None
    loihi: dict | None = None

    def to_dict(self) -> dict:
        """A JSON-serialisable summary (without the per-step trajectory)."""
        out = {
            "best_state": [int(v) for v in self.best_state],
            "best_cost": float(self.best_cost),
            "best_step": int(self.best_step),
            "time_to_best_s": float(self.time_to_best_s),
            "steps": int(self.steps),
            "wall_time_s": float(self.wall_time_s),
            "stop_reason": self.stop_reason,
            "replica_costs": [float(c) for c in self.replica_costs],
            "params": {k: (float(v) if isinstance(v, (float, np.floating)) else v) for k, v in self.params.items()},
        }
        if self.cut is not None:
            out["cut"] = float(self.cut)
        if self.loihi is not None:
            out["loihi"] = dict(self.loihi)
        return out


def default_temperatures(problem: QUBO) -> tuple[float, float]:
    """(t_hot, t_cold) from the flip costs of the problem.

    At ``t_hot`` a typical uphill flip of a random state (the median of the
    nonzero ``|dE|`` over the variables of a few random states) is accepted
    with probability 1/2, so that about two thirds of the first sweeps'
    proposals are accepted: hot enough to forget the initial state, without
    the long fully random phase that a bound on the largest ``|dE|`` gives
    (dwave-samplers' simulated annealer starts there: on G1 and G43 at about
    13 and 12 times this ``t_hot``). Until 2026-11 the 75th percentile was
    used (a ``t_hot`` about 1.6 times as high, where more than 70 % of the
    first proposals are accepted); at equal sweeps the median started
    colder gave better cuts on G1, G43 and a random graph alike.

    ``t_cold`` is the colder of two bounds: the smallest flip costs (the 1st
    percentile of the nonzero ``|dE|`` of those random states) accepted with
    probability ``1/COLD_ODDS`` (1/10000), and the smallest coefficient
    (``|Q_ij|`` of the symmetrised matrix) accepted with probability 1/100;
    the cycle then ends with a zero-temperature descent (see
    ``temperature_at``).

    History and tuning, always on instances generated for the tuning only,
    never the benchmark's. In 2026-11 the cycle ended where the smallest
    coefficient was accepted with probability 1/10; on sparse graphs (2-D
    ±1 tori, planar graphs) flip costs come in a few small multiples of the
    weights and domain walls still move at little cost near the end, and
    1/100 raised the mean cut on a 50x50 ±1 torus from 1702.7 to 1744.5 at
    equal steps (800-node Delaunay graphs: +10 and +6.5; random graphs:
    noise). The coefficient bound alone still ended too hot where flip costs
    are as small as one coefficient (unit-weight planar graphs, whose nodes
    of odd degree have ``|dE| = 1``, where a ±1 torus has ``|dE| >= 2``):
    on a 2000-node unit Delaunay graph (seed 201), 32 replicas, 900 sweeps, 3
    seeds, the mean cut was 3983.25 against dwave-samplers' 3985.04 at the
    same sweeps; the flip-cost bound (1/10000) brought it to 3985.09 (SA's
    own range ends colder still, at about 0.08 in these units). The
    coefficient bound stays for problems whose random states have only
    large flip costs (CSP networks: there the flip-cost bound alone ended 16
    times hotter on 12-queens).
    """
    s = problem.q
    diag = s.diagonal()
    off = (s - sp.diags(diag)).tocsr()
    w2 = 2.0 * off
    pos = np.asarray(w2.maximum(0).sum(axis=1)).ravel()
    neg = np.asarray(w2.minimum(0).sum(axis=1)).ravel()
    max_de = float(np.max(np.maximum(np.abs(diag + pos), np.abs(diag + neg))))
    coefs = np.abs(np.concatenate([off.data, diag]))
    coefs = coefs[coefs > 0]
    if max_de == 0 or coefs.size == 0:
        return 1.0, 0.0
    xs = np.random.default_rng(0).integers(0, 2, (4, problem.num_variables)).astype(np.float64)
    de = np.abs(diag + (w2 @ xs.T).T).ravel()
    de = de[de > 0]
    typical = float(np.median(de)) if de.size else max_de
    t_hot = min(max_de, max(typical, float(coefs.min()))) / math.log(2.0)
    small = float(np.percentile(de, 1)) if de.size else float(coefs.min())
    t_cold = min(small / math.log(COLD_ODDS), float(coefs.min()) / math.log(100.0), t_hot)
    return t_hot, t_cold


def _check_positive(name: str, v: ty.Any, integer: bool = False) -> ty.Any:
    if v is None:
        return None
    if integer:
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ParameterError(f"solve_qubo: {name} must be an integer >= 1, got {v!r}")
        return int(v)
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise ParameterError(f"solve_qubo: {name} must be a number, got {v!r}") from None
    if not np.isfinite(f) or f <= 0:
        raise ParameterError(f"solve_qubo: {name} must be > 0, got {v!r}")
    return f


def _restart_points(cycle: int, restarts: int) -> np.ndarray:
    """Positions in a cooling cycle of ``cycle`` steps after which the population restarts (see ``solve_qubo``)."""
    if restarts == 0:
        return np.zeros(0, np.int64)
    lo, hi = RESTART_SPAN
    fr = np.linspace(lo, hi, restarts) if restarts > 1 else np.array([(lo + hi) / 2])
    pts = np.unique(np.rint(fr * cycle).astype(np.int64))
    return pts[(pts > 0) & (pts < cycle)]


def _next_restart(steps: int, cycle: int, restarts: int) -> int | None:
    """The step count after which the next restart falls (None: no restarts)."""
    pts = _restart_points(cycle, restarts)
    if pts.size == 0:
        return None
    c, pos = divmod(steps, cycle)
    later = pts[pts > pos]
    return int(c * cycle + later[0]) if later.size else int((c + 1) * cycle + pts[0])


def move_replicas(neurons: AnnealingBinaryNeurons, coupling: ReplicaCoupling, src: np.ndarray) -> None:
    """Replica ``i`` continues from replica ``src[i]``'s configuration: state, cost, refractory counters, fields.

    Each replica keeps its own best state so far (and its temperature).
    """
    src = np.asarray(src, np.int64)
    for var, axis in ((neurons.state, 0), (neurons.cost, 0), (neurons.refractory, 0), (coupling.field, 1)):
        v = var.get()
        var.set(np.ascontiguousarray(v[src] if axis == 0 else v[:, src]))


def ladder_factors(replicas: int, ratio: float) -> np.ndarray:
    """The temperature ladder's factors for replica exchange: geometric from 1 (rung 0, the coldest) to ``ratio``."""
    if replicas < 2:
        return np.ones(replicas)
    return float(ratio) ** (np.arange(replicas) / (replicas - 1))


def set_replica_states(
    neurons: AnnealingBinaryNeurons,
    coupling: ReplicaCoupling,
    rows: np.ndarray,
    states: np.ndarray,
    w: ty.Any,
    diag: np.ndarray,
) -> None:
    """Replicas ``rows`` continue from ``states`` (one row each); their fields and costs follow exactly.

    ``w`` (``2 offdiag(Q)``) and ``diag`` in the network's variable order.
    Each replica's best state so far is kept.
    """
    rows = np.asarray(rows, np.int64)
    if rows.size == 0:
        return
    x = neurons.state.get().copy()
    x[rows] = states
    fields = coupling.field.get().copy()
    xr = x[rows].astype(fields.dtype)
    h = np.asarray(w @ xr.T, dtype=fields.dtype)  # (n, len(rows))
    fields[:, rows] = h
    cost = neurons.cost.get().copy()
    new = xr @ np.asarray(diag, dtype=fields.dtype) + np.einsum("ij,ji->i", xr, h) / 2
    cost[rows] = np.rint(new) if np.issubdtype(cost.dtype, np.integer) else new
    neurons.state.set(x)
    neurons.cost.set(cost)
    coupling.field.set(fields)


def kick_replicas(
    neurons: AnnealingBinaryNeurons,
    coupling: ReplicaCoupling,
    rows: np.ndarray,
    flips: int,
    w: ty.Any,
    diag: np.ndarray,
    rng: np.random.Generator,
) -> None:
    """Flip ``flips`` variables, drawn at random, of each replica in ``rows``; fields and costs follow exactly.

    ``w`` (``2 offdiag(Q)``) and ``diag`` in the network's variable order.
    Each replica's best state so far is kept.
    """
    rows = np.asarray(rows, np.int64)
    if rows.size == 0 or flips < 1:
        return
    x = neurons.state.get()[rows].copy()
    n = x.shape[1]
    flips = min(int(flips), n)
    for j in range(rows.size):
        x[j, rng.choice(n, flips, replace=False)] ^= 1
    set_replica_states(neurons, coupling, rows, x, w, diag)


def return_to_best(
    neurons: AnnealingBinaryNeurons, coupling: ReplicaCoupling, w: ty.Any, diag: np.ndarray
) -> np.ndarray:
    """Every replica whose best state so far costs less than its current state continues from that best state.

    Used before the greedy descent that ends a run stopped by its time limit:
    descending from the current states would leave a better state seen earlier
    (the one reported) outside any local minimum. Returns the replicas moved.
    """
    cost = neurons.cost.get()
    best = neurons.best_cost.get()
    rows = np.flatnonzero(np.isfinite(best) & (best < cost))
    set_replica_states(neurons, coupling, rows, neurons.best_state.get()[rows], w, diag)
    return rows


def restart_sources(cost: np.ndarray, k: int, lineage: np.ndarray | None = None, cap: int | None = None) -> np.ndarray:
    """Which replica each replica continues from at a restart from the population's best (``restart_from_best``).

    The ``k`` replicas with the highest cost take, worst first, the states of
    the lowest-cost ones, best first, each source used once and always a
    replica of lower rank (ties broken by replica index). With ``lineage``
    (each replica's line of descent: the replica it descends from) and
    ``cap``, a line never grows beyond ``cap`` replicas: a source whose line
    is full is skipped unless the target is of the same line. Returns ``src``
    (``src[i] == i`` for a replica that continues from its own state).
    """
    cost = np.asarray(cost)
    r = cost.size
    order = np.argsort(cost, kind="stable")
    rank = np.empty(r, np.int64)
    rank[order] = np.arange(r)
    src = np.arange(r)
    k = min(int(k), r // 2)
    if k < 1:
        return src
    counts = None if lineage is None or cap is None else np.bincount(lineage, minlength=r)
    used = np.zeros(r, bool)
    targets = order[::-1][:k]
    is_target = np.zeros(r, bool)
    is_target[targets] = True
    for t in targets:
        for s_ in order[: rank[t]]:
            if used[s_] or is_target[s_]:
                continue
            if counts is not None and lineage[s_] != lineage[t] and counts[lineage[s_]] >= cap:
                continue
            used[s_] = True
            src[t] = s_
            if counts is not None:
                counts[lineage[t]] -= 1
                counts[lineage[s_]] += 1
            break
    return src


def restart_from_best(
    neurons: AnnealingBinaryNeurons,
    coupling: ReplicaCoupling,
    k: int,
    lineage: np.ndarray | None = None,
    cap: int | None = None,
) -> np.ndarray:
    """The ``k`` replicas with the highest current cost continue from the states of the ``k`` with the lowest.

    The i-th worst replica takes the i-th best one's state, cost, fields and
    refractory counters (ties broken by replica index); with ``lineage`` and
    ``cap`` no line of descent grows beyond ``cap`` replicas
    (``restart_sources``; ``lineage`` is updated in place). Each replica's
    best state so far is kept. Returns the replicas that restarted.
    """
    cost = neurons.cost.get()
    if lineage is not None and np.shape(lineage) != cost.shape:
        raise ParameterError(f"restart_from_best: lineage must have one entry per replica ({cost.size})")
    src = restart_sources(cost, k, lineage, cap)
    moved = np.flatnonzero(src != np.arange(cost.size))
    if moved.size == 0:
        return moved
    move_replicas(neurons, coupling, src)
    if lineage is not None:
        lineage[:] = lineage[src]
    return moved


def solve_qubo(
    problem: QUBO | ty.Any,
    *,
    time_limit: float | None = None,
    num_steps: int | None = None,
    target_cost: float | None = None,
    replicas: int = 8,
    seed: int = 0,
    backend: str | None = None,
    tag: str = "floating_pt",
    t_hot: float | None = None,
    t_cold: float | None = None,
    anneal_steps: int | None = None,
    refract: int = 0,
    update: str = "colors",
    init_state: ty.Any = None,
    restarts: int | None = None,
    restart_share: float = RESTART_SHARE,
    restart_lines: int | None = None,
    restart_kick: float | None = None,
    exchange_interval: int | None = None,
    exchange_ladder: float | None = None,
    progress: ty.Callable[[int, float, float], None] | None = None,
) -> QuboResult:
    """Minimise ``x^T Q x`` with parallel simulated annealing on caldera processes.

    Stops at the first of: a cost ``<= target_cost``, ``time_limit`` seconds,
    ``num_steps`` steps (without either limit, 2000 steps). ``replicas`` runs
    independent chains at once (rows of one population). ``anneal_steps`` is
    the length of one cooling cycle (default: the step budget, or the number
    of steps the time limit allows, measured after a short calibration).
    ``progress(step, best_cost, elapsed_s)`` is called between chunks.
    A run stopped by ``time_limit`` before its cycle reached zero temperature
    (the step rate moves with the machine's load, so the plan can miss it)
    ends with a greedy descent at zero temperature from each replica's best
    state so far (``return_to_best``), one sweep at a time until no replica
    changes (at most ``FINAL_DESCENT_SWEEPS``), so every replica's reported
    state is a local minimum; this can take it a little past ``time_limit``
    (``wall_time_s`` says by how much, ``params["final_descent_steps"]`` how
    many steps it took).
    ``restarts`` times per cooling cycle (default ``RESTARTS``, spread evenly
    over the part of the cycle given by ``RESTART_SPAN``) the population
    restarts from its best: the ``restart_share`` of the replicas with the
    highest current cost continue from the current states of as many replicas
    with the lowest (``restart_from_best``); ``restarts=0`` runs independent
    chains. Restarts need at least 2 replicas. Two options keep the
    population diverse, both off by default (``RESTART_LINES``,
    ``RESTART_KICK``; tuned on instances of our own, never the benchmark's:
    see the package README): ``restart_lines=L`` keeps at least ``L`` lines
    of descent (no line, the replicas descended from one initial state,
    grows beyond ``ceil(replicas / L)``: ``restart_sources``), and
    ``restart_kick=f`` flips a random share ``f`` of the variables of each
    restarted replica right after its copy (``kick_replicas``; draws of its
    own from the seed).
    Replica exchange (parallel tempering): with ``exchange_interval`` > 0
    (sweeps; default ``EXCHANGE_INTERVAL``) the replicas anneal on the rungs
    of a temperature ladder, the schedule's temperature times a factor from 1
    up to ``exchange_ladder`` (> 1, default ``EXCHANGE_LADDER``; geometric,
    ``ladder_factors``; the ladder closes to ``t_cold`` as the cycle cools),
    and every ``exchange_interval`` sweeps the replicas on neighbouring rungs
    swap temperatures with the Metropolis probability
    ``min(1, exp((b_i - b_j)(E_i - E_j)))`` (``models.qubo.exchange_pairs``;
    even and odd pairs in turn; draws from the seed). The neurons do the
    exchanges themselves, after exact step counts, so a run does not depend
    on the chunking; ``exchange_interval=0`` turns them off.
    ``tag="fixed_pt"`` runs the integer models (the QUBO must have integer coefficients).
    """
    t_start = time.perf_counter()
    if not isinstance(problem, QUBO):
        problem = QUBO(problem)
    time_limit = _check_positive("time_limit", time_limit)
    num_steps = _check_positive("num_steps", num_steps, integer=True)
    replicas = _check_positive("replicas", replicas, integer=True)
    anneal_steps = _check_positive("anneal_steps", anneal_steps, integer=True)
    if isinstance(refract, bool) or not isinstance(refract, (int, np.integer)) or refract < 0:
        raise ParameterError(f"solve_qubo: refract must be an integer >= 0, got {refract!r}")
    if restarts is None:
        restarts = RESTARTS
    if isinstance(restarts, bool) or not isinstance(restarts, (int, np.integer)) or restarts < 0:
        raise ParameterError(f"solve_qubo: restarts must be an integer >= 0, got {restarts!r}")
    if isinstance(restart_share, bool) or not isinstance(restart_share, (int, float, np.number)):
        raise ParameterError(f"solve_qubo: restart_share must be a number in (0, 0.5], got {restart_share!r}")
    if not 0 < float(restart_share) <= 0.5:
        raise ParameterError(f"solve_qubo: restart_share must be in (0, 0.5], got {restart_share!r}")
    if restart_lines is None:
        restart_lines = RESTART_LINES
    if isinstance(restart_lines, bool) or not isinstance(restart_lines, (int, np.integer)) or restart_lines < 1:
        raise ParameterError(f"solve_qubo: restart_lines must be an integer >= 1, got {restart_lines!r}")
    restart_lines = min(int(restart_lines), replicas)
    line_cap = -(-replicas // restart_lines)  # no line of descent grows beyond this many replicas
    if restart_kick is None:
        restart_kick = RESTART_KICK
    if (
        isinstance(restart_kick, bool)
        or not isinstance(restart_kick, (int, float, np.number))
        or not 0 <= float(restart_kick) < 1
    ):
        raise ParameterError(f"solve_qubo: restart_kick must be a number in [0, 1), got {restart_kick!r}")
    lineage = np.arange(replicas)  # each replica's line: the replica whose initial state it descends from
    n_restart = max(1, int(round(float(restart_share) * replicas))) if replicas >= 2 else 0
    if n_restart == 0:
        restarts = 0
    if exchange_interval is None:
        exchange_interval = EXCHANGE_INTERVAL
    if (
        isinstance(exchange_interval, bool)
        or not isinstance(exchange_interval, (int, np.integer))
        or exchange_interval < 0
    ):
        raise ParameterError(
            f"solve_qubo: exchange_interval must be an integer >= 0 (sweeps between replica exchanges; 0: none), "
            f"got {exchange_interval!r}"
        )
    if exchange_ladder is None:
        exchange_ladder = EXCHANGE_LADDER
    if (
        isinstance(exchange_ladder, bool)
        or not isinstance(exchange_ladder, (int, float, np.number))
        or not np.isfinite(exchange_ladder)
        or exchange_ladder <= 1
    ):
        raise ParameterError(
            f"solve_qubo: exchange_ladder must be a finite number > 1 (hottest over coldest replica temperature), "
            f"got {exchange_ladder!r}"
        )
    exchange_interval = int(exchange_interval) if replicas >= 2 else 0
    if target_cost is not None and (not isinstance(target_cost, (int, float, np.number)) or np.isnan(target_cost)):
        raise ParameterError(f"solve_qubo: target_cost must be a number, got {target_cost!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParameterError(f"solve_qubo: seed must be an integer >= 0, got {seed!r}")
    if update not in ("colors", "parallel"):
        raise ParameterError(f"solve_qubo: update must be 'colors' or 'parallel', got {update!r}")
    if tag not in ("floating_pt", "fixed_pt"):
        raise ParameterError(f"solve_qubo: tag must be 'floating_pt' or 'fixed_pt', got {tag!r}")
    if backend == "loihi" and tag != "fixed_pt":
        raise ParameterError(
            "solve_qubo: backend 'loihi' (the Loihi emulator) runs integer models only: pass tag='fixed_pt' "
            "(the QUBO must have integer coefficients)"
        )
    if time_limit is None and num_steps is None:
        num_steps = 2000
    s = problem.q
    diag = s.diagonal()
    w = (2.0 * (s - sp.diags(diag))).tocsr()
    w.eliminate_zeros()
    th, tc = default_temperatures(problem)
    t_hot = th if t_hot is None else float(t_hot)
    t_cold = tc if t_cold is None else float(t_cold)
    if tag == "fixed_pt":
        vals = np.concatenate([w.data, diag])
        if not np.all(vals == np.round(vals)):
            raise ParameterError("solve_qubo: tag='fixed_pt' needs a QUBO with integer coefficients")
        t_hot, t_cold = float(max(1, round(t_hot))), float(max(0, round(t_cold)))
        t_cold = min(t_cold, t_hot)
    planned = anneal_steps or num_steps or 1000
    kick_flips = int(round(float(restart_kick) * problem.num_variables)) if restart_kick else 0
    kick_flips = max(kick_flips, 1) if restart_kick else 0
    kick_rng = np.random.default_rng([int(seed), 2])
    n = problem.num_variables
    perm = np.arange(n)
    blocks = np.array([0, n])
    if update == "colors" and w.nnz:  # order the variables by colour: each class is a contiguous block
        from caldera_optim.coloring import greedy_coloring

        classes = greedy_coloring(abs(w).tocsr())
        perm = np.concatenate(classes)
        blocks = np.concatenate([[0], np.cumsum([c.size for c in classes])])

        w = w[perm][:, perm].tocsr()
        diag = diag[perm]
    if init_state is None:
        x0 = np.random.default_rng([int(seed), 1]).integers(0, 2, size=(replicas, n)).astype(np.int8)
    else:
        try:
            x0 = np.broadcast_to(np.asarray(init_state), (replicas, n))[:, perm]
        except ValueError:
            raise ParameterError(f"solve_qubo: init_state must have {n} entries (or shape (replicas, {n}))") from None
    neurons = AnnealingBinaryNeurons(
        diag=diag,
        couplings=w,
        replicas=replicas,
        t_hot=t_hot,
        t_cold=t_cold,
        anneal_steps=planned,
        refract=int(refract),
        seed=int(seed),
        init_state=x0,
        blocks=blocks,
        ladder=ladder_factors(replicas, float(exchange_ladder)) if exchange_interval else None,
        exchange_every=exchange_interval * (len(blocks) - 1),
        name="qubo_neurons",
    )
    coupling = ReplicaCoupling(weights=w, replicas=replicas, blocks=blocks, init_state=x0, name="qubo_couplings")
    target = -np.inf if target_cost is None else float(target_cost) - problem.offset
    tracker = CostTracker(replicas=replicas, target=target, trace_len=_TRACE_LEN, name="qubo_cost")
    neurons.s_out.connect(coupling.s_in)
    coupling.a_out.connect(neurons.a_in)
    neurons.cost_out.connect(tracker.cost_in)
    pins = {}
    if backend == "loihi":  # the neuro-core flavour of the fixed_pt models, mapped and counted by the emulator
        from caldera_optim.models.loihi import pinned_models

        pins = pinned_models()
    cfg = RunConfig(backend=backend, tag=tag, exception_proc_model_map=pins)

    steps = 0
    trace: list[np.ndarray] = []
    stop_reason = "step_budget"
    chunk = 20
    calibrated = anneal_steps is not None or time_limit is None
    t_first = None
    avg_rate: float | None = None
    restart_count = 0
    try:
        while True:
            elapsed = time.perf_counter() - t_start
            if time_limit is not None and elapsed >= time_limit and steps > 0:
                stop_reason = "time_limit"
                break
            if num_steps is not None and steps >= num_steps:
                stop_reason = "step_budget"
                break
            k = want = chunk if num_steps is None else min(chunk, num_steps - steps)
            nxt = _next_restart(steps, planned, int(restarts))
            if nxt is not None and time_limit is None:
                # a step budget: restarts fall after exact step counts, so the run does not depend on the chunking
                # (with a time limit they fall at the first chunk's end past their point: no extra short chunks)
                k = max(1, min(k, nxt - steps))
            t0 = time.perf_counter()
            tracker.run(condition=RunSteps(num_steps=k), run_cfg=cfg)
            if t_first is None:
                t_first = t0
            dt = time.perf_counter() - t0
            idx = (np.arange(steps, steps + k)) % _TRACE_LEN
            trace.append(tracker.trace.get()[idx])
            steps += k
            if nxt is not None and steps >= nxt:
                moved = restart_from_best(neurons, coupling, n_restart, lineage, line_cap)
                if kick_flips:
                    kick_replicas(neurons, coupling, moved, kick_flips, w, diag, kick_rng)
                restart_count += 1
            rate: float | None = k / max(dt, 1e-9)
            if k < want // 2 and t_first != t0:  # a chunk cut short by a restart: its rate is mostly overhead
                rate = None
            if time_limit is not None:
                remaining = time_limit - (time.perf_counter() - t_start)
                if not calibrated and t_first != t0 and (rate is not None or avg_rate is not None):
                    # (the first run includes compiling the network) fit the cooling cycle into the time that is
                    # left, re-planned after every chunk as the measured step rate changes (a shorter plan only
                    # moves the schedule ahead, a bit colder)
                    if rate is not None:
                        avg_rate = rate if avg_rate is None else 0.7 * avg_rate + 0.3 * rate
                    planned = max(steps + 1, int(steps + 0.97 * avg_rate * max(remaining, 0.0)))
                    if num_steps is not None:
                        planned = min(planned, num_steps)
                    neurons.anneal_steps.set(np.array([planned]))
                if t_first == t0:
                    chunk = 20  # the first run compiled the network: its rate says nothing yet
                elif rate is not None:
                    chunk = int(np.clip(rate * min(0.05, max(remaining, 0.0)), 1, _TRACE_LEN))
            elif rate is not None:
                chunk = int(np.clip(rate * 0.1, 10, _TRACE_LEN))
            if progress is not None:
                progress(steps, float(trace[-1][-1]) + problem.offset, time.perf_counter() - t_start)
            if tracker.reached.get()[0]:
                stop_reason = "target"
                break
        descent = 0
        if stop_reason == "time_limit" and float(neurons.temperature.get()[0]) > 0:
            # the clock ran out before the cycle's zero-temperature end (the step rate changes with the machine's
            # load, so the plan can miss it): finish with a greedy descent, one sweep at a time, until no replica
            # changes (every replica in a local minimum), at most FINAL_DESCENT_SWEEPS sweeps
            neurons.quench.set(np.array([1], np.int8))
            return_to_best(neurons, coupling, w, diag)
            sweep = len(blocks) - 1
            last = neurons.cost.get().copy()
            for _ in range(FINAL_DESCENT_SWEEPS):
                tracker.run(condition=RunSteps(num_steps=sweep), run_cfg=cfg)
                trace.append(tracker.trace.get()[np.arange(steps, steps + sweep) % _TRACE_LEN])
                steps += sweep
                descent += sweep
                now = neurons.cost.get()
                if np.array_equal(now, last):
                    break
                last = now.copy()
        exchange_rounds, exchange_tried, exchange_swapped = (int(v) for v in neurons.exchange_stats.get())
        rep_costs_tracked = tracker.best_cost.get()
        rep_steps = tracker.best_step.get()
        rep_times = tracker.best_time.get()
        rep_states = np.empty((replicas, n), np.int8)
        rep_states[:, perm] = neurons.best_state.get()
        loihi_report = None
        if backend == "loihi":
            import importlib

            loihi_report = importlib.import_module("caldera_loihi").report(neurons)  # (the optional extra 'loihi')
    finally:
        tracker.stop()
    wall = time.perf_counter() - t_start
    rep_costs = np.atleast_1d(problem.evaluate(rep_states))
    if not np.allclose(
        rep_costs, rep_costs_tracked + problem.offset, rtol=1e-9, atol=1e-6 * (1 + abs(rep_costs).max())
    ):
        raise RuntimeError("solve_qubo: tracked costs disagree with x^T Q x of the states (internal error)")
    best = int(np.argmin(rep_costs))
    offset_s = (t_first - t_start) if t_first is not None else 0.0
    rep_times_total = rep_times + offset_s
    traj = (np.concatenate(trace) if trace else np.zeros(0)) + problem.offset
    res = QuboResult(
        best_state=rep_states[best].copy(),
        best_cost=float(problem.evaluate(rep_states[best])),
        best_step=int(rep_steps[best]),
        time_to_best_s=float(rep_times_total[best]),
        steps=steps,
        wall_time_s=wall,
        stop_reason=stop_reason,
        trajectory=traj,
        replica_states=rep_states,
        replica_costs=rep_costs,
        replica_steps=rep_steps,
        replica_times_s=rep_times_total,
        params=dict(
            replicas=replicas,
            seed=int(seed),
            t_hot=t_hot,
            t_cold=t_cold,
            anneal_steps=int(planned),
            refract=int(refract),
            update=update,
            colours=len(blocks) - 1,
            final_descent_steps=descent,
            restarts=restart_count,
            restart_replicas=n_restart if restarts else 0,
            restart_lines=restart_lines if restarts else 0,
            lines_left=int(np.unique(lineage).size),
            restart_kick=kick_flips,
            exchange_interval=exchange_interval,
            exchange_ladder=float(exchange_ladder) if exchange_interval else 1.0,
            exchange_rounds=exchange_rounds,
            exchange_rate=exchange_swapped / exchange_tried if exchange_tried else 0.0,
            tag=tag,
            backend=backend,
        ),
    )
    if problem.is_maxcut:
        res.cut = problem.cut_value(res.best_state)
    if loihi_report is not None:
        res.loihi_report = loihi_report
        res.loihi = loihi_summary(loihi_report, res.best_step, replicas)
    return res


def loihi_summary(report: ty.Any, best_step: int, replicas: int) -> dict:
    """The figures of a Loihi emulator report that matter for a solve.

    ``energy_to_best_uj`` is the estimated energy of the steps up to the one
    that found the best state (from the per-step figures when they were
    recorded that far, else the mean per step times the steps);
    ``energy_per_replica_uj`` is the run's energy over the replicas (each
    replica is one annealed solution).
    """
    tot = report.totals()
    per_step = report.energy_pj_per_step
    if report.recorded_steps >= best_step:
        to_best = float(per_step[:best_step].sum())
    else:
        to_best = tot["energy_pj_per_step_mean"] * best_step
    neurons = sum(int(p["neurons"]) for p in report.processes)
    synapses = sum(int(p["synapses"]) for p in report.processes)
    return {
        "system": report.limits["name"],
        "energy_table": report.energy_table["source"],
        "cores": int(report.cores_used),
        "chips": int(report.chips_used),
        "neurons": neurons,
        "synapses": synapses,
        "steps": int(tot["steps"]),
        "spikes": int(tot["spikes"]),
        "synaptic_ops": int(tot["synops"]),
        "energy_uj": tot["energy_pj"] / 1e6,
        "energy_to_best_uj": to_best / 1e6,
        "energy_per_replica_uj": tot["energy_pj"] / 1e6 / replicas,
        "time_per_step_us": tot["time_ns_per_step_mean"] / 1e3,
        "chip_time_ms": tot["time_ns_per_step_mean"] * tot["steps"] / 1e6,
    }


__all__ = [
    "solve_qubo",
    "QuboResult",
    "default_temperatures",
    "restart_from_best",
    "restart_sources",
    "kick_replicas",
    "set_replica_states",
    "return_to_best",
    "move_replicas",
    "ladder_factors",
    "exchange_pairs",
    "loihi_summary",
]
