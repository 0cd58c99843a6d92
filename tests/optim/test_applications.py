"""MIS and scheduling: independent sets always, optimal on small graphs, schedules that respect every window."""

from __future__ import annotations

import itertools
import json

import networkx as nx
import numpy as np
import pytest
from caldera import cli
from caldera.errors import ParameterError
from caldera_optim.applications import is_independent, mis_qubo, schedule_csp, solve_mis, solve_schedule
from caldera_optim.generators import random_graph
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.filterwarnings("ignore:The recursion limit will not be reset")


def exact_mis_size(adj) -> int:
    """Maximum independent set size by exhaustive search (small graphs)."""
    a = adj.toarray() > 0
    n = a.shape[0]
    for k in range(n, 0, -1):
        for s in itertools.combinations(range(n), k):
            if not a[np.ix_(s, s)].any():
                return k
    return 0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(2, 12), p=st.floats(0.1, 0.8), seed=st.integers(0, 1000))
def test_mis_is_independent_and_maximum_on_small_graphs(n, p, seed):
    w = random_graph(n, p, seed=seed)
    adj = (w + w.T).tocsr()
    res = solve_mis(adj, num_steps=1500, replicas=4, seed=seed)
    assert is_independent(adj, res.nodes)
    assert res.nodes.size == exact_mis_size(adj)
    assert res.repaired == 0  # the penalty makes the annealer's final states independent by themselves


@settings(max_examples=30, deadline=None)
@given(n=st.integers(2, 8), p=st.floats(0.0, 1.0), seed=st.integers(0, 1000), penalty=st.floats(1.01, 10))
def test_every_local_minimum_of_the_penalised_qubo_is_independent(n, p, seed, penalty):
    """The documented penalty rule: with P > max weight, no state with a violated edge is a local minimum."""
    w = random_graph(n, p, seed=seed)
    adj = (w + w.T).tocsr()
    q = mis_qubo(adj, penalty)
    for bits in itertools.product((0, 1), repeat=n):
        x = np.array(bits)
        if is_independent(adj, np.flatnonzero(x)):
            continue
        c = q.evaluate(x)
        assert any(q.evaluate(np.where(np.arange(n) == i, 1 - x, x)) < c for i in range(n))


def test_mis_beats_or_matches_networkx_approximation_on_a_random_graph():
    from networkx.algorithms.approximation import maximum_independent_set

    w = random_graph(150, 0.05, seed=11)
    adj = (w + w.T).tocsr()
    res = solve_mis(adj, time_limit=2.0, seed=0)
    approx = maximum_independent_set(nx.from_scipy_sparse_array(adj))
    assert is_independent(adj, res.nodes)
    assert res.nodes.size >= len(approx)


def test_weighted_mis_and_penalty_validation():
    adj = np.array([[0, 1], [1, 0]])
    res = solve_mis(adj, weights=[1.0, 3.0], penalty=4.0, num_steps=200)
    assert list(res.nodes) == [1] and res.weight == 3.0
    with pytest.raises(ParameterError, match="penalty must exceed the largest node weight"):
        mis_qubo(adj, penalty=1.0)
    with pytest.raises(ParameterError, match="self-loops"):
        mis_qubo(np.eye(2))
    with pytest.raises(ParameterError, match="no nodes"):
        mis_qubo(np.zeros((0, 0)))


def _check_schedule(requests, resources, sol):
    by = {r["name"]: r for r in requests}
    for name, (res, start) in sol.items():
        r = by[name]
        assert res in r.get("resources", resources)
        assert r["release"] <= start and start + r["duration"] <= r["deadline"]
    for a, b in itertools.combinations(sol, 2):
        (ra, sa), (rb, sb) = sol[a], sol[b]
        if ra == rb:
            assert sa + by[a]["duration"] <= sb or sb + by[b]["duration"] <= sa


@st.composite
def schedules(draw):
    resources = ["A", "B", "C"][: draw(st.integers(1, 3))]
    reqs = []
    for k in range(draw(st.integers(1, 5))):
        release = draw(st.integers(0, 4))
        duration = draw(st.integers(1, 3))
        deadline = release + duration + draw(st.integers(0, 3))
        r = dict(name=f"r{k}", duration=duration, release=release, deadline=deadline)
        if draw(st.booleans()):
            r["resources"] = draw(st.lists(st.sampled_from(resources), min_size=1, unique=True))
        reqs.append(r)
    return reqs, resources


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=schedules())
def test_schedules_respect_windows_and_resources_and_agree_with_exhaustive_search(spec):
    reqs, resources = spec
    exact = schedule_csp(reqs, resources).exhaustive(limit=1)
    res = solve_schedule(reqs, resources, time_limit=5.0, replicas=4)
    if res.status == "solved":
        _check_schedule(reqs, resources, res.solution)
    assert (res.status == "solved") == bool(exact)


def test_infeasible_window_is_named():
    res = solve_schedule([dict(name="x", duration=5, release=0, deadline=3)], ["A"])
    assert res.status == "infeasible" and "'x'" in res.reason and "shorter than its duration" in res.reason


@pytest.mark.parametrize(
    "reqs, resources, msg",
    [
        ([], ["A"], "non-empty"),
        ([dict(name="x", duration=1, release=0, deadline=3)], [], "resources is empty"),
        ([dict(name="x", duration=1, release=0, deadline=3, colour=1)], ["A"], "unknown keys"),
        ([dict(name="x", duration=1.5, release=0, deadline=3)], ["A"], "duration must be an integer"),
        ([dict(name="x", duration=1, release=0, deadline=3, resources=["Z"])], ["A"], "unknown resources"),
        ([dict(name="x", duration=1, release=0, deadline=3)] * 2, ["A"], "used twice"),
    ],
)
def test_bad_schedules(reqs, resources, msg):
    with pytest.raises(ParameterError, match=msg):
        solve_schedule(reqs, resources)


def test_cli_mis_and_schedule(tmp_path, capsys):
    (tmp_path / "g.txt").write_text("5 5\n1 2\n2 3\n3 4\n4 5\n5 1\n")
    assert cli.main(["qubo", "mis", str(tmp_path / "g.txt"), "--time-limit", "0.3", "--json", "--compare"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["size"] == 2 == out["networkx_approximation_size"]
    nodes = out["nodes"]
    assert all(1 <= v <= 5 for v in nodes) and abs(nodes[0] - nodes[1]) not in (1, 4)
    spec = {"resources": ["A"], "requests": [dict(name="a", duration=2, release=0, deadline=4)] * 1}
    spec["requests"].append(dict(name="b", duration=2, release=0, deadline=4))
    (tmp_path / "s.json").write_text(json.dumps(spec))
    assert cli.main(["qubo", "schedule", str(tmp_path / "s.json"), "--json", "--time-limit", "5"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "solved" and {v["start"] for v in out["assignment"].values()} == {0, 2}


@pytest.mark.parametrize(
    "args, content, msg",
    [
        (["mis"], "3 1\n1 4\n", "vertex out of range"),
        (["mis"], None, "No such file"),
        (["mis", "--time-limit", "0"], "2 1\n1 2\n", "--time-limit"),
        (["schedule"], "{bad", "not valid JSON"),
        (["schedule"], '{"requests": [], "resources": ["A"]}', "non-empty"),
        (["schedule"], '{"jobs": []}', "expected an object"),
    ],
)
def test_cli_errors_are_one_line_without_traceback(tmp_path, capsys, args, content, msg):
    f = tmp_path / "in.txt"
    if content is not None:
        f.write_text(content)
    rc = cli.main(["qubo", args[0], str(f), *args[1:]])
    err = capsys.readouterr().err
    assert rc != 0
    assert msg in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
