"""Constraint satisfaction as a stochastic spiking network: ``CSP(variables, domains, constraints).solve()``.

The network follows the neuromorphic CSP literature (winner-take-all circuits of
stochastic neurons, e.g. Jonke, Habenschuss & Maass 2016; Davies et al. 2021 on
Loihi): one neuron per (variable, value); the neurons of a variable form a
winner-take-all group (each is driven by a bias ``+A`` and inhibits the others of
its group by ``2A``), a forbidden pair of values of two constrained variables is
an inhibitory synapse of weight ``B``, and the neurons' stochastic firing (the
annealing network of ``solve_qubo``, restarted in cycles) is the noise that lets
the network escape local minima. The network's energy is::

    E(x) = A * sum_v (1 - sum_d x[v, d])**2 + B * sum_{forbidden (v,d),(w,e)} x[v, d] x[w, e]

which is 0 exactly when every variable has one value and no constraint is
violated, and at least ``min(A, B)`` otherwise; the run stops at the first state
of energy 0. A reported solution is always checked against every constraint
with the constraint's own relation (pairs or predicate), so the network's
encoding cannot report a wrong one.

Before the network is built, arc consistency (AC-3) removes values that have no
support in some constrained neighbour. This is also how a CSP is *proven*
unsatisfiable: a variable whose domain is empty from the start, or becomes empty
under arc consistency, has no value in any solution, and ``solve`` reports
``status="infeasible"`` naming it. Otherwise, a run that does not find a
solution within its limits reports ``status="not_found"``, which proves nothing.

Constraints are binary, ``(a, b, relation)``, where ``relation`` is
``Allowed(pairs)``, ``Forbidden(pairs)``, a predicate ``f(value_a, value_b) ->
bool`` (True: allowed), or a boolean matrix ``allowed[i, j]`` over the two
domains' values in order. Unary constraints are expressed by the domains.
"""

from __future__ import annotations

import itertools
import time
import typing as ty
from dataclasses import dataclass, field

import numpy as np
from caldera.errors import ParameterError
from caldera.lazy import lazy_module

sp = lazy_module("scipy.sparse")  # imported on first use (see caldera.lazy)

#: weights of the network's energy (see the module docstring); integers, so ``tag="fixed_pt"`` works too
WTA_WEIGHT = 1
CONFLICT_WEIGHT = 1
#: sweeps (passes over all neurons) per annealing cycle; each cycle reheats, a restart from the current state
SWEEPS_PER_CYCLE = 200


class Allowed:
    """The value pairs ``(value_a, value_b)`` a binary constraint allows (all others are forbidden)."""

    def __init__(self, pairs: ty.Iterable[tuple]) -> None:
        self.pairs = {tuple(p) for p in pairs}


class Forbidden:
    """The value pairs ``(value_a, value_b)`` a binary constraint forbids (all others are allowed)."""

    def __init__(self, pairs: ty.Iterable[tuple]) -> None:
        self.pairs = {tuple(p) for p in pairs}


@dataclass
class CSPResult:
    """``status``: ``"solved"`` (``solution`` maps every variable to a value, verified), ``"not_found"``
    (no solution within the limits; proves nothing) or ``"infeasible"`` (proven; ``reason`` says why)."""

    status: str
    solution: dict | None
    wall_time_s: float
    steps: int = 0
    reason: str = ""
    pruned_values: int = 0
    params: dict = field(default_factory=dict)


class CSP:
    """A binary constraint satisfaction problem over finite domains (see the module docstring)."""

    def __init__(self, variables: ty.Iterable, domains: ty.Any, constraints: ty.Iterable = ()) -> None:
        self.variables = list(variables)
        if not self.variables:
            raise ParameterError("CSP: variables is empty; a CSP needs at least one variable")
        if len(set(self.variables)) != len(self.variables):
            raise ParameterError("CSP: variables must be unique")
        self._index = {v: i for i, v in enumerate(self.variables)}
        if isinstance(domains, dict):
            missing = [v for v in self.variables if v not in domains]
            if missing:
                raise ParameterError(f"CSP: domains has no entry for variable(s) {missing[:5]}")
            extra = [v for v in domains if v not in self._index]
            if extra:
                raise ParameterError(f"CSP: domains names unknown variable(s) {extra[:5]}")
            doms = [list(domains[v]) for v in self.variables]
        else:
            try:
                common = list(domains)
            except TypeError:
                raise ParameterError(
                    "CSP: domains must be a dict {variable: values} or one iterable of values"
                ) from None
            doms = [list(common) for _ in self.variables]
        for v, d in zip(self.variables, doms):
            try:
                unique = len(set(d)) == len(d)
            except TypeError:
                raise ParameterError(f"CSP: the values of variable {v!r} must be hashable") from None
            if not unique:
                raise ParameterError(f"CSP: the domain of variable {v!r} has repeated values")
        self.domains = doms
        #: per constraint: (i, j, allowed bool matrix over domains[i] x domains[j], the relation as given)
        self._cons: list[tuple[int, int, np.ndarray, ty.Any]] = []
        for c in constraints:
            try:
                a, b, rel = c
            except (TypeError, ValueError):
                raise ParameterError(
                    f"CSP: a constraint must be (variable_a, variable_b, relation), got {c!r}"
                ) from None
            self.add_constraint(a, b, rel)

    @property
    def num_variables(self) -> int:
        return len(self.variables)

    def add_constraint(self, a: ty.Any, b: ty.Any, relation: ty.Any) -> None:
        """Add the binary constraint ``relation`` between variables ``a`` and ``b`` (see the module docstring)."""
        for v in (a, b):
            if v not in self._index:
                raise ParameterError(f"CSP: constraint names unknown variable {v!r}")
        if a == b:
            raise ParameterError(f"CSP: a binary constraint needs two different variables, got {a!r} twice")
        i, j = self._index[a], self._index[b]
        da, db = self.domains[i], self.domains[j]
        if isinstance(relation, (Allowed, Forbidden)):
            pos_a = {x: k for k, x in enumerate(da)}
            pos_b = {x: k for k, x in enumerate(db)}
            m = np.zeros((len(da), len(db)), bool)
            for p in relation.pairs:
                if len(p) != 2:
                    raise ParameterError(f"CSP: constraint ({a!r}, {b!r}): pairs must have two values, got {p!r}")
                if p[0] in pos_a and p[1] in pos_b:
                    m[pos_a[p[0]], pos_b[p[1]]] = True
            allowed = m if isinstance(relation, Allowed) else ~m
        elif callable(relation):
            allowed = np.array([[bool(relation(x, y)) for y in db] for x in da], bool).reshape(len(da), len(db))
        else:
            allowed = np.asarray(relation)
            if allowed.dtype != bool or allowed.shape != (len(da), len(db)):
                raise ParameterError(
                    f"CSP: constraint ({a!r}, {b!r}): relation must be Allowed(pairs), Forbidden(pairs), a predicate "
                    f"or a bool matrix of shape ({len(da)}, {len(db)}), got {type(relation).__name__}"
                )
        self._cons.append((i, j, allowed, relation))

    # -- checking ------------------------------------------------------------------------
    def violations(self, assignment: dict) -> list[tuple]:
        """The constraints ``(a, b)`` that ``assignment`` violates, checked with each relation as given."""
        bad = []
        for i, j, allowed, rel in self._cons:
            a, b = self.variables[i], self.variables[j]
            x, y = assignment[a], assignment[b]
            if isinstance(rel, Allowed):
                ok = (x, y) in rel.pairs
            elif isinstance(rel, Forbidden):
                ok = (x, y) not in rel.pairs
            elif callable(rel):
                ok = bool(rel(x, y))
            else:
                ok = bool(allowed[self.domains[i].index(x), self.domains[j].index(y)])
            if not ok:
                bad.append((a, b))
        return bad

    def is_solution(self, assignment: ty.Any) -> bool:
        """Whether ``assignment`` gives every variable a value of its domain and satisfies every constraint."""
        if not isinstance(assignment, dict) or set(assignment) != set(self.variables):
            return False
        for v, d in zip(self.variables, self.domains):
            if assignment[v] not in d:
                return False
        return not self.violations(assignment)

    def exhaustive(self, limit: int | None = None) -> list[dict]:
        """All solutions (up to ``limit``) by plain enumeration of the domains' product: for small CSPs and tests."""
        size = 1
        for d in self.domains:
            size *= len(d)
        if size > 5_000_000:
            raise ParameterError(f"CSP.exhaustive: {size} assignments is too many to enumerate (max 5,000,000)")
        out = []
        for values in itertools.product(*self.domains):
            a = dict(zip(self.variables, values))
            if not self.violations(a):
                out.append(a)
                if limit is not None and len(out) >= limit:
                    break
        return out

    # -- arc consistency -----------------------------------------------------------------
    def arc_consistency(self) -> tuple[list[np.ndarray], str | None]:
        """AC-3: per variable, the mask of values that survive; and the reason if some domain is emptied."""
        alive = [np.ones(len(d), bool) for d in self.domains]
        for v, d in zip(self.variables, self.domains):
            if not d:
                return alive, f"variable {v!r} has an empty domain"
        arcs: dict[int, list[tuple[int, np.ndarray]]] = {}
        for i, j, allowed, _ in self._cons:
            arcs.setdefault(i, []).append((j, allowed))
            arcs.setdefault(j, []).append((i, allowed.T))
        queue = list(range(self.num_variables))
        queued = set(queue)
        while queue:
            j = queue.pop()
            queued.discard(j)
            for i, m_ij_t in arcs.get(j, []):  # revise every i against j: i's values need a support in j
                m = m_ij_t.T  # allowed over domains[i] x domains[j]
                support = m[:, alive[j]].any(axis=1)
                new = alive[i] & support
                if new.sum() < alive[i].sum():
                    alive[i] = new
                    if not new.any():
                        v, w = self.variables[i], self.variables[j]
                        return alive, (
                            f"variable {v!r} has no value left: arc consistency with {w!r} removes every value"
                        )
                    if i not in queued:
                        queue.append(i)
                        queued.add(i)
        return alive, None

    # -- the network ---------------------------------------------------------------------
    def to_qubo(self, alive: list[np.ndarray] | None = None) -> tuple[ty.Any, list[tuple[int, ty.Any]]]:
        """The network's energy as a QUBO over the (surviving) values, and each neuron's ``(variable, value)``."""
        from caldera_optim.problems import QUBO

        if alive is None:
            alive = [np.ones(len(d), bool) for d in self.domains]
        start = np.zeros(self.num_variables + 1, np.int64)
        local = []  # per variable: map from domain index to neuron index
        neurons: list[tuple[int, ty.Any]] = []
        for v, (d, m) in enumerate(zip(self.domains, alive)):
            idx = np.flatnonzero(m)
            lut = np.full(len(d), -1, np.int64)
            lut[idx] = np.arange(idx.size) + len(neurons)
            local.append(lut)
            neurons += [(v, d[k]) for k in idx]
            start[v + 1] = len(neurons)
        rows, cols, vals = [], [], []
        for v in range(self.num_variables):  # winner-take-all: -A bias on each, +2A between the values of one variable
            ids = np.arange(start[v], start[v + 1])
            r, c = np.triu_indices(ids.size, 1)
            rows.append(ids[r])
            cols.append(ids[c])
            vals.append(np.full(r.size, 2.0 * WTA_WEIGHT))
        for i, j, allowed, _ in self._cons:  # conflicts: +B between forbidden pairs of surviving values
            fi, fj = np.nonzero(~allowed & alive[i][:, None] & alive[j][None, :])
            rows.append(local[i][fi])
            cols.append(local[j][fj])
            vals.append(np.full(fi.size, float(CONFLICT_WEIGHT)))
        n = len(neurons)
        r, c, w = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
        lo, hi = np.minimum(r, c), np.maximum(r, c)
        q = sp.coo_matrix((w, (lo, hi)), shape=(n, n)).tocsr()  # duplicates (two constraints on a pair) add up
        q = q + sp.diags(np.full(n, -float(WTA_WEIGHT)))
        return QUBO(q, offset=float(WTA_WEIGHT * self.num_variables), name="csp"), neurons

    def solve(
        self,
        *,
        time_limit: float = 10.0,
        seed: int = 0,
        replicas: int = 8,
        sweeps_per_cycle: int = SWEEPS_PER_CYCLE,
        backend: str | None = None,
        tag: str = "floating_pt",
    ) -> CSPResult:
        """Run the network until it reaches a solution (energy 0) or ``time_limit`` seconds pass."""
        from caldera_optim.qubo_solver import solve_qubo

        t0 = time.perf_counter()
        if isinstance(sweeps_per_cycle, bool) or not isinstance(sweeps_per_cycle, (int, np.integer)):
            raise ParameterError(f"CSP.solve: sweeps_per_cycle must be an integer >= 1, got {sweeps_per_cycle!r}")
        if sweeps_per_cycle < 1:
            raise ParameterError(f"CSP.solve: sweeps_per_cycle must be an integer >= 1, got {sweeps_per_cycle!r}")
        alive, reason = self.arc_consistency()
        pruned = int(sum((~m).sum() for m in alive))
        params = dict(time_limit=time_limit, seed=seed, replicas=replicas, sweeps_per_cycle=sweeps_per_cycle, tag=tag)
        if reason is not None:
            return CSPResult("infeasible", None, time.perf_counter() - t0, reason=reason, pruned_values=pruned)
        if all(m.sum() == 1 for m in alive):  # arc consistency alone decided every variable
            cand = {v: d[int(np.argmax(m))] for v, d, m in zip(self.variables, self.domains, alive)}
            if self.is_solution(cand):
                return CSPResult("solved", cand, time.perf_counter() - t0, pruned_values=pruned, params=params)
        problem, neurons = self.to_qubo(alive)
        from caldera_optim.coloring import greedy_coloring

        w = abs(problem.q).tocsr()
        w.setdiag(0)
        w.eliminate_zeros()
        colours = len(greedy_coloring(w)) if w.nnz else 1
        res = solve_qubo(
            problem,
            time_limit=time_limit,
            target_cost=0.0,
            replicas=replicas,
            seed=seed,
            anneal_steps=int(sweeps_per_cycle) * colours,
            restarts=0,  # (its short cycles restart from their own states; tuned without population restarts)
            backend=backend,
            tag=tag,
        )
        params["colours"] = colours
        owner = np.array([v for v, _ in neurons])
        for state in res.replica_states[np.argsort(res.replica_costs, kind="stable")]:
            on = np.flatnonzero(state)
            if on.size != self.num_variables or np.unique(owner[on]).size != self.num_variables:
                continue
            cand = {self.variables[owner[k]]: neurons[k][1] for k in on}
            if self.is_solution(cand):
                return CSPResult(
                    "solved", cand, time.perf_counter() - t0, steps=res.steps, pruned_values=pruned, params=params
                )
        if res.best_cost <= 0.0:
            raise RuntimeError("CSP.solve: a zero-energy state failed verification (internal error)")
        return CSPResult(
            "not_found",
            None,
            time.perf_counter() - t0,
            steps=res.steps,
            reason=f"no solution within {time_limit} s (best energy {res.best_cost:g}); this proves nothing",
            pruned_values=pruned,
            params=params,
        )


# -- helpers -------------------------------------------------------------------------------
def graph_coloring(edges: ty.Any, num_colors: int, num_nodes: int | None = None) -> CSP:
    """Colour the nodes ``0..n-1`` with ``num_colors`` colours, neighbours differently.

    ``edges``: pairs ``(i, j)`` or a (sparse or dense) adjacency matrix.
    """
    if isinstance(num_colors, bool) or not isinstance(num_colors, (int, np.integer)) or num_colors < 1:
        raise ParameterError(f"graph_coloring: num_colors must be an integer >= 1, got {num_colors!r}")
    if sp.issparse(edges) or (isinstance(edges, np.ndarray) and edges.ndim == 2 and edges.shape[0] == edges.shape[1]):
        a = sp.coo_matrix(edges)
        pairs = np.stack([a.row, a.col], 1)
        n = a.shape[0] if num_nodes is None else num_nodes
    else:
        pairs = np.asarray(list(edges), np.int64).reshape(-1, 2)
        n = int(pairs.max()) + 1 if num_nodes is None and pairs.size else (num_nodes or 0)
    if n < 1:
        raise ParameterError("graph_coloring: the graph has no nodes")
    if pairs.size and (pairs.min() < 0 or pairs.max() >= n):
        raise ParameterError(f"graph_coloring: edges name nodes outside 0..{n - 1}")
    if np.any(pairs[:, 0] == pairs[:, 1]):
        raise ParameterError("graph_coloring: a self-loop can never be coloured properly")
    pairs = np.unique(np.sort(pairs, 1), axis=0)
    differ = ~np.eye(num_colors, dtype=bool)
    return CSP(range(n), range(num_colors), [(int(i), int(j), differ) for i, j in pairs])


def n_queens(n: int) -> CSP:
    """``n`` queens on an ``n x n`` board, one per row (variable: row, value: column), none attacking another."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ParameterError(f"n_queens: n must be an integer >= 1, got {n!r}")
    cols = np.arange(n)
    cons = []
    for i in range(n):
        for j in range(i + 1, n):
            allowed = (cols[:, None] != cols[None, :]) & (np.abs(cols[:, None] - cols[None, :]) != j - i)
            cons.append((i, j, allowed))
    return CSP(range(n), range(n), cons)


def sudoku(grid: ty.Any) -> CSP:
    """A 9x9 Sudoku: ``grid`` is 9 rows of 9 digits, 0 (or ``.``) for an empty cell; variables are ``(row, col)``."""
    if isinstance(grid, str):
        cells = [c for c in grid if c in "0123456789."]
        g = np.array([0 if c == "." else int(c) for c in cells])
    else:
        g = np.asarray(grid)
    if g.size != 81 or g.dtype.kind not in "iu" or g.min() < 0 or g.max() > 9:
        raise ParameterError("sudoku: grid must be 81 digits 0-9 (9 rows of 9; 0 or '.' for an empty cell)")
    g = g.reshape(9, 9)
    cells = [(r, c) for r in range(9) for c in range(9)]
    domains = {(r, c): ([int(g[r, c])] if g[r, c] else list(range(1, 10))) for r, c in cells}
    cons = []
    for a, b in itertools.combinations(cells, 2):
        if a[0] == b[0] or a[1] == b[1] or (a[0] // 3, a[1] // 3) == (b[0] // 3, b[1] // 3):
            da, db = np.array(domains[a]), np.array(domains[b])
            cons.append((a, b, da[:, None] != db[None, :]))
    return CSP(cells, domains, cons)


__all__ = ["CSP", "CSPResult", "Allowed", "Forbidden", "graph_coloring", "n_queens", "sudoku"]
