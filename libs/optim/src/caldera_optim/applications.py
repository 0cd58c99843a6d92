"""Applications on the solvers: maximum independent set (a QUBO) and request scheduling with time windows (a CSP).

Maximum independent set
-----------------------
``mis_qubo(graph, penalty=2.0)`` is the QUBO ``minimize -sum_i w_i x_i + P sum_{(i,j) in E} x_i x_j``
(``w_i = 1`` unless node weights are given). The penalty must exceed the largest
node weight: then from any state that has both ends of an edge chosen, dropping
one end lowers the cost by at least ``P - w_i > 0``, so every local minimum of the
QUBO (and so every state the annealer ends in, after its zero-temperature
descent) is an independent set, and the QUBO's minimum is a maximum (weight)
independent set. ``P = 2`` (twice the unit weight) is the default: large enough
for that, small enough to keep the energy landscape smooth. ``solve_mis``
verifies the set it returns and, should a state not be independent (possible
only when a run is stopped before its final descent), makes it so by dropping
the lower-weight end of each violated edge.

Scheduling
----------
``schedule_csp(requests, resources)`` assigns each request a resource and a start
slot inside its time window: a request ``{"name", "duration", "release",
"deadline", "resources" (optional: the resources it may use)}`` must run for
``duration`` slots starting at or after ``release`` and ending by ``deadline``;
two requests on the same resource must not overlap. Variables are the requests,
values the ``(resource, start)`` pairs, and every pair of requests that could
meet on a resource gets a no-overlap constraint; ``solve_schedule`` runs the
CSP network (and reports ``infeasible`` when a window is too short for its
duration or arc consistency proves it, ``not_found`` when the time limit passes).
"""

from __future__ import annotations

import typing as ty
from dataclasses import dataclass

import numpy as np
from caldera.errors import ParameterError
from caldera.lazy import lazy_module

sp = lazy_module("scipy.sparse")  # imported on first use (see caldera.lazy)

DEFAULT_MIS_PENALTY = 2.0


def _adjacency(graph: ty.Any, fn: str) -> sp.csr_matrix:
    """A symmetric 0/1 adjacency (no self-loops) from a matrix, a networkx graph or an edge list."""
    if hasattr(graph, "nodes") and hasattr(graph, "edges"):  # networkx
        nodes = list(graph.nodes)
        if nodes != list(range(len(nodes))):
            raise ParameterError(f"{fn}: a networkx graph must have the nodes 0..n-1")
        e = np.array(list(graph.edges), np.int64).reshape(-1, 2)
        a = sp.coo_matrix((np.ones(len(e)), (e[:, 0], e[:, 1])), shape=(len(nodes), len(nodes)))
    elif sp.issparse(graph) or (isinstance(graph, np.ndarray) and graph.ndim == 2):
        a = sp.coo_matrix(graph)
        if a.shape[0] != a.shape[1]:
            raise ParameterError(f"{fn}: the adjacency matrix must be square, got {a.shape}")
    else:
        raise ParameterError(f"{fn}: graph must be an adjacency matrix (dense or scipy sparse) or a networkx graph")
    if a.shape[0] == 0:
        raise ParameterError(f"{fn}: the graph has no nodes")
    if np.any(a.row == a.col):
        raise ParameterError(f"{fn}: the graph has self-loops; a node joined to itself is in no independent set")
    m = sp.coo_matrix((np.ones(a.nnz), (a.row, a.col)), shape=a.shape).tocsr()
    m = ((m + m.T) > 0).astype(np.float64).tocsr()
    return m


def mis_qubo(graph: ty.Any, penalty: float = DEFAULT_MIS_PENALTY, weights: ty.Any = None) -> ty.Any:
    """The maximum (weight) independent set QUBO of ``graph`` (see the module docstring); cost = -set weight."""
    from caldera_optim.problems import QUBO

    adj = _adjacency(graph, "mis_qubo")
    n = adj.shape[0]
    w = np.ones(n) if weights is None else np.asarray(weights, np.float64).reshape(-1)
    if w.size != n or not np.all(np.isfinite(w)) or np.any(w <= 0):
        raise ParameterError(f"mis_qubo: weights must be {n} finite positive numbers")
    try:
        penalty = float(penalty)
    except (TypeError, ValueError):
        raise ParameterError(f"mis_qubo: penalty must be a number, got {penalty!r}") from None
    if not (np.isfinite(penalty) and penalty > w.max()):
        raise ParameterError(
            f"mis_qubo: penalty must exceed the largest node weight ({w.max():g}) so that every local minimum is "
            f"an independent set, got {penalty!r}"
        )
    q = penalty * sp.triu(adj, 1) - sp.diags(w)
    return QUBO(q, name="mis")


@dataclass
class MISResult:
    """``nodes``: the independent set found (sorted, 0-based), verified; ``weight``: its total weight."""

    nodes: np.ndarray
    weight: float
    repaired: int
    wall_time_s: float
    steps: int


def is_independent(graph: ty.Any, nodes: ty.Iterable[int]) -> bool:
    """Whether no two of ``nodes`` are joined by an edge of ``graph``."""
    adj = _adjacency(graph, "is_independent")
    x = np.zeros(adj.shape[0])
    x[list(nodes)] = 1
    return float(x @ (adj @ x)) == 0.0


def solve_mis(
    graph: ty.Any, *, penalty: float = DEFAULT_MIS_PENALTY, weights: ty.Any = None, **solver: ty.Any
) -> MISResult:
    """A maximum independent set of ``graph`` with ``solve_qubo`` (``solver``: its keyword arguments)."""
    from caldera_optim.qubo_solver import solve_qubo

    adj = _adjacency(graph, "solve_mis")
    n = adj.shape[0]
    w = np.ones(n) if weights is None else np.asarray(weights, np.float64).reshape(-1)
    res = solve_qubo(mis_qubo(adj, penalty, w), **solver)
    x = res.best_state.astype(bool).copy()
    repaired = 0
    coo = sp.triu(adj, 1).tocoo()
    for i, j in zip(coo.row, coo.col):
        if x[i] and x[j]:
            x[i if w[i] <= w[j] else j] = False
            repaired += 1
    nodes = np.flatnonzero(x)
    if not is_independent(adj, nodes):  # cannot happen after the repair; checked all the same
        raise RuntimeError("solve_mis: the reported set is not independent (internal error)")
    return MISResult(nodes, float(w[nodes].sum()), repaired, res.wall_time_s, res.steps)


# -- scheduling ----------------------------------------------------------------------------
_REQUEST_KEYS = {"name", "duration", "release", "deadline", "resources"}


def _requests(requests: ty.Any, resources: ty.Sequence) -> list[dict]:
    if not isinstance(requests, (list, tuple)) or not requests:
        raise ParameterError("schedule: requests must be a non-empty list of dicts")
    if not resources:
        raise ParameterError("schedule: resources is empty; give at least one resource")
    out, names = [], set()
    for k, r in enumerate(requests):
        if not isinstance(r, dict):
            raise ParameterError(f"schedule: request {k} must be a dict, got {type(r).__name__}")
        unknown = set(r) - _REQUEST_KEYS
        if unknown:
            raise ParameterError(
                f"schedule: request {k} has unknown keys {sorted(unknown)}; allowed {sorted(_REQUEST_KEYS)}"
            )
        name = r.get("name", k)
        if name in names:
            raise ParameterError(f"schedule: request name {name!r} is used twice")
        names.add(name)
        vals = {}
        for key in ("duration", "release", "deadline"):
            v = r.get(key)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                raise ParameterError(f"schedule: request {name!r}: {key} must be an integer, got {v!r}")
            vals[key] = int(v)
        if vals["duration"] < 1 or vals["release"] < 0:
            raise ParameterError(f"schedule: request {name!r}: duration must be >= 1 and release >= 0")
        allowed = list(r.get("resources", resources))
        bad = [x for x in allowed if x not in resources]
        if bad:
            raise ParameterError(f"schedule: request {name!r} names unknown resources {bad}")
        out.append(dict(name=name, resources=allowed, **vals))
    return out


def schedule_csp(requests: ty.Any, resources: ty.Sequence) -> ty.Any:
    """The scheduling CSP: one variable per request, values ``(resource, start)`` (see the module docstring)."""
    from caldera_optim.csp import CSP

    reqs = _requests(requests, list(resources))
    domains = {}
    for r in reqs:
        starts = range(r["release"], r["deadline"] - r["duration"] + 1)
        domains[r["name"]] = [(res, s) for res in r["resources"] for s in starts]
    cons = []
    for a in range(len(reqs)):
        for b in range(a + 1, len(reqs)):
            ra, rb = reqs[a], reqs[b]
            if not set(ra["resources"]) & set(rb["resources"]):
                continue
            if ra["release"] >= rb["deadline"] or rb["release"] >= ra["deadline"]:
                continue  # their windows never meet
            da, db = domains[ra["name"]], domains[rb["name"]]
            if not da or not db:
                continue
            res_a = np.array([v[0] for v in da], dtype=object)
            res_b = np.array([v[0] for v in db], dtype=object)
            sa = np.array([v[1] for v in da])
            sb = np.array([v[1] for v in db])
            same = res_a[:, None] == res_b[None, :]
            overlap = (sa[:, None] < sb[None, :] + rb["duration"]) & (sb[None, :] < sa[:, None] + ra["duration"])
            cons.append((ra["name"], rb["name"], ~(same & overlap)))
    return CSP([r["name"] for r in reqs], domains, cons)


def solve_schedule(requests: ty.Any, resources: ty.Sequence, **solve: ty.Any) -> ty.Any:
    """Solve the scheduling CSP (``solve``: keyword arguments of ``CSP.solve``); a ``CSPResult`` whose
    ``solution`` maps each request name to ``(resource, start)``. A request whose window is shorter than its
    duration makes the problem ``infeasible`` (its domain is empty), named in ``reason``."""
    from caldera_optim.csp import CSPResult

    for r in _requests(requests, list(resources)):
        if r["deadline"] - r["release"] < r["duration"]:
            return CSPResult(
                "infeasible",
                None,
                0.0,
                reason=(
                    f"request {r['name']!r}: its window {r['release']}..{r['deadline']} is shorter than its duration "
                    f"{r['duration']}"
                ),
            )
    return schedule_csp(requests, resources).solve(**solve)


__all__ = [
    "DEFAULT_MIS_PENALTY",
    "mis_qubo",
    "solve_mis",
    "is_independent",
    "MISResult",
    "schedule_csp",
    "solve_schedule",
]
