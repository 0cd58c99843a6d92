"""The CSP network: every reported solution satisfies every constraint, cross-checked against exhaustive search."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from caldera.errors import ParameterError
from caldera_optim.csp import CSP, Allowed, Forbidden, graph_coloring, n_queens, sudoku
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.filterwarnings("ignore:The recursion limit will not be reset")


@st.composite
def small_csps(draw):
    n = draw(st.integers(1, 5))
    doms = {v: list(range(draw(st.integers(0 if v == 0 and draw(st.booleans()) else 1, 3)))) for v in range(n)}
    cons = []
    for a, b in itertools.combinations(range(n), 2):
        if not draw(st.booleans()):
            continue
        kind = draw(st.sampled_from(["allowed", "forbidden", "predicate", "matrix"]))
        pairs = [(x, y) for x in doms[a] for y in doms[b]]
        chosen = draw(st.lists(st.sampled_from(pairs), unique=True)) if pairs else []
        if kind == "allowed":
            cons.append((a, b, Allowed(chosen)))
        elif kind == "forbidden":
            cons.append((a, b, Forbidden(chosen)))
        elif kind == "predicate":
            k = draw(st.integers(0, 2))
            cons.append((a, b, lambda x, y, k=k: (x + y) % 3 != k))
        else:
            m = np.zeros((len(doms[a]), len(doms[b])), bool)
            for x, y in chosen:
                m[x, y] = True
            cons.append((a, b, m))
    return CSP(range(n), doms, cons)


def _independent_check(csp: CSP, sol: dict) -> bool:
    """A check that does not use CSP.violations: evaluate every relation again from its own definition."""
    for i, j, _, rel in csp._cons:
        x, y = sol[csp.variables[i]], sol[csp.variables[j]]
        if isinstance(rel, Allowed) and (x, y) not in rel.pairs:
            return False
        if isinstance(rel, Forbidden) and (x, y) in rel.pairs:
            return False
        if callable(rel) and not rel(x, y):
            return False
        if isinstance(rel, np.ndarray) and not rel[csp.domains[i].index(x), csp.domains[j].index(y)]:
            return False
    return all(sol[v] in d for v, d in zip(csp.variables, csp.domains))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(csp=small_csps(), seed=st.integers(0, 100))
def test_reported_solutions_hold_and_agree_with_exhaustive_search(csp, seed):
    all_solutions = csp.exhaustive() if all(csp.domains) else []
    res = csp.solve(time_limit=5.0, seed=seed, replicas=4)
    if res.status == "solved":
        assert _independent_check(csp, res.solution)
        assert res.solution in all_solutions
    elif res.status == "infeasible":
        assert all_solutions == []  # the proof must be right
        assert res.reason
    if all_solutions:
        assert res.status == "solved"  # small and satisfiable: found well within the limit
    else:
        assert res.status in ("infeasible", "not_found")


def test_empty_domain_and_arc_consistency_prove_infeasibility():
    res = CSP(["x", "y"], {"x": [], "y": [1]}).solve(time_limit=1)
    assert res.status == "infeasible" and "'x'" in res.reason and "empty domain" in res.reason
    res = CSP(["x", "y"], {"x": [1], "y": [1]}, [("x", "y", lambda a, b: a != b)]).solve(time_limit=1)
    assert res.status == "infeasible" and "arc consistency" in res.reason


def test_unsatisfiable_beyond_arc_consistency_is_not_found_not_infeasible():
    # three mutually different variables with two values: arc consistent, yet no solution (pigeonhole)
    csp = graph_coloring([(0, 1), (1, 2), (0, 2)], 2)
    assert csp.exhaustive() == []
    res = csp.solve(time_limit=0.5)
    assert res.status == "not_found" and res.solution is None and "proves nothing" in res.reason


@pytest.mark.parametrize("n", [1, 4, 8, 12])
def test_n_queens(n):
    res = n_queens(n).solve(time_limit=30, seed=1)
    assert res.status == "solved"
    cols = [res.solution[r] for r in range(n)]
    for (r1, c1), (r2, c2) in itertools.combinations(enumerate(cols), 2):
        assert c1 != c2 and abs(c1 - c2) != r2 - r1
    assert n_queens(3).solve(time_limit=0.5).status != "solved"  # 3 queens have no solution


def test_graph_coloring_of_a_planar_graph_with_four_colours():
    from caldera_optim.generators import planar_graph

    w = planar_graph(60, seed=2)
    res = graph_coloring(w, 4).solve(time_limit=30, seed=0)
    assert res.status == "solved"
    r, c = w.nonzero()
    assert all(res.solution[int(i)] != res.solution[int(j)] for i, j in zip(r, c))
    assert set(res.solution.values()) <= {0, 1, 2, 3}


def test_sudoku_keeps_the_givens_and_fills_a_valid_grid():
    puzzle = "8..........36......7..9.2...5...7.......457.....1...3...1....68..85...1..9....4.."
    res = sudoku(puzzle).solve(time_limit=60, seed=0)
    assert res.status == "solved"
    g = np.array([[res.solution[(r, c)] for c in range(9)] for r in range(9)])
    for k, ch in enumerate(puzzle):
        if ch != ".":
            assert g[k // 9, k % 9] == int(ch)
    digits = set(range(1, 10))
    assert all(set(g[r]) == digits for r in range(9)) and all(set(g[:, c]) == digits for c in range(9))
    assert all(set(g[r : r + 3, c : c + 3].ravel()) == digits for r in (0, 3, 6) for c in (0, 3, 6))


def test_fixed_point_network_solves_too():
    res = n_queens(6).solve(time_limit=30, seed=0, tag="fixed_pt")
    assert res.status == "solved" and n_queens(6).is_solution(res.solution)


@pytest.mark.parametrize(
    "make, msg",
    [
        (lambda: CSP([], []), "variables is empty"),
        (lambda: CSP([1, 1], [0, 1]), "unique"),
        (lambda: CSP([1], {2: [0]}), "no entry"),
        (lambda: CSP([1], {1: [0, 0]}), "repeated"),
        (lambda: CSP([1, 2], [0, 1], [(1, 3, Allowed([]))]), "unknown variable 3"),
        (lambda: CSP([1, 2], [0, 1], [(1, 1, Allowed([]))]), "two different"),
        (lambda: CSP([1, 2], [0, 1], [(1, 2, np.ones((3, 3), bool))]), "bool matrix"),
        (lambda: CSP([1, 2], [0, 1], [(1, 2)]), r"\(variable_a, variable_b, relation\)"),
        (lambda: graph_coloring([(0, 0)], 3), "self-loop"),
        (lambda: graph_coloring([(0, 1)], 0), "num_colors"),
        (lambda: n_queens(0), "n must"),
        (lambda: sudoku("123"), "81 digits"),
        (lambda: CSP([1], [0]).solve(sweeps_per_cycle=0), "sweeps_per_cycle"),
    ],
)
def test_bad_input_is_named(make, msg):
    with pytest.raises(ParameterError, match=msg):
        make()
