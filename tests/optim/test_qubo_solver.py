"""The QUBO solver on caldera processes: optimality on small problems, exact costs, stopping, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from caldera.errors import ParameterError
from caldera_optim import QUBO, read_gset, solve_qubo
from caldera_optim.coloring import greedy_coloring
from caldera_optim.models.qubo import NEG_LOG_TABLE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import sparse as sp

pytestmark = pytest.mark.filterwarnings("ignore:The recursion limit will not be reset")

QUBOS = st.integers(2, 16).flatmap(lambda n: hnp.arrays(np.int64, (n, n), elements=st.integers(-20, 20)))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(q=QUBOS, seed=st.integers(0, 2**16))
def test_finds_the_exhaustive_optimum(q, seed):
    prob = QUBO(q)
    _, best = prob.brute_force()
    res = solve_qubo(prob, num_steps=2500, replicas=8, seed=seed)
    assert res.best_cost == pytest.approx(best)
    assert prob.evaluate(res.best_state) == pytest.approx(best)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    q=st.integers(1, 30).flatmap(lambda n: hnp.arrays(np.float64, (n, n), elements=st.floats(-5, 5, width=32))),
    seed=st.integers(0, 1000),
    update=st.sampled_from(["colors", "parallel"]),
    steps=st.integers(1, 200),
    replicas=st.integers(1, 5),
)
def test_reported_costs_are_xqx_of_reported_states(q, seed, update, steps, replicas):
    prob = QUBO(q, offset=0.5)
    res = solve_qubo(prob, num_steps=steps, replicas=replicas, seed=seed, update=update)
    assert res.steps == steps
    assert res.best_cost == prob.evaluate(res.best_state)
    np.testing.assert_array_equal(res.replica_costs, prob.evaluate(res.replica_states))
    assert res.best_cost == pytest.approx(res.replica_costs.min(), rel=1e-12, abs=1e-12)
    assert res.replica_states.shape == (replicas, prob.num_variables)
    assert set(np.unique(res.replica_states)) <= {0, 1}
    # the trajectory is the best cost so far after every step: non-increasing, ending at the best
    assert res.trajectory.shape == (steps,)
    assert np.all(np.diff(res.trajectory) <= 1e-9)
    assert res.trajectory[-1] == pytest.approx(res.best_cost)
    assert 1 <= res.best_step <= steps


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    q=st.integers(2, 12).flatmap(lambda n: hnp.arrays(np.int64, (n, n), elements=st.integers(-8, 8))),
    seed=st.integers(0, 1000),
)
def test_fixed_point_models_find_the_optimum_with_integer_arithmetic(q, seed):
    prob = QUBO(q)
    _, best = prob.brute_force()
    res = solve_qubo(prob, num_steps=2000, replicas=6, seed=seed, tag="fixed_pt")
    assert res.best_cost == pytest.approx(best)
    assert res.params["tag"] == "fixed_pt"
    assert float(res.params["t_hot"]).is_integer()


def test_fixed_point_needs_integer_coefficients():
    with pytest.raises(ParameterError, match="integer coefficients"):
        solve_qubo(QUBO(np.array([[0.5, 1.0], [0.0, -1.0]])), num_steps=10, tag="fixed_pt")


def test_target_cost_stops_early():
    rng = np.random.default_rng(5)
    prob = QUBO(rng.integers(-10, 10, (10, 10)))
    _, best = prob.brute_force()
    res = solve_qubo(prob, num_steps=100_000, target_cost=best, replicas=4, seed=1)
    assert res.stop_reason == "target"
    assert res.best_cost == best
    assert res.steps < 100_000


def test_time_limit_stops_and_reports_times():
    prob = QUBO.maxcut(sp.triu(sp.random(200, 200, density=0.05, random_state=1, data_rvs=np.ones), 1))
    res = solve_qubo(prob, time_limit=0.3, replicas=4, seed=0)
    assert res.stop_reason == "time_limit"
    assert 0 < res.time_to_best_s <= res.wall_time_s
    assert res.cut == -res.best_cost
    assert res.cut == prob.cut_value(res.best_state)


def test_maxcut_g43_reaches_a_good_cut(data_dir):
    prob = read_gset(data_dir / "G43.txt")
    res = solve_qubo(prob, num_steps=1500, replicas=4, seed=0)
    assert res.cut >= 0.97 * 6660  # best known 6660; a short anneal gets within a few percent
    assert res.cut == prob.cut_value(res.best_state)


def test_same_seed_same_result_different_seed_differs():
    rng = np.random.default_rng(0)
    prob = QUBO(rng.normal(size=(40, 40)))
    a = solve_qubo(prob, num_steps=50, replicas=3, seed=7)
    b = solve_qubo(prob, num_steps=50, replicas=3, seed=7)
    c = solve_qubo(prob, num_steps=50, replicas=3, seed=8)
    np.testing.assert_array_equal(a.replica_states, b.replica_states)
    assert not np.array_equal(a.trajectory, c.trajectory) or not np.array_equal(a.replica_states, c.replica_states)


def test_init_state_is_respected_and_diagonal_only_problem():
    prob = QUBO(np.diag([1.0, -1.0, 2.0, -3.0]))  # no couplings: each variable on its own
    res = solve_qubo(prob, num_steps=200, replicas=2, seed=0, init_state=[1, 0, 1, 0])
    np.testing.assert_array_equal(res.best_state, [0, 1, 0, 1])
    assert res.best_cost == -4.0


@pytest.mark.parametrize(
    "kwargs, msg",
    [
        (dict(time_limit=0), "time_limit"),
        (dict(time_limit=-1), "time_limit"),
        (dict(num_steps=0), "num_steps"),
        (dict(replicas=0), "replicas"),
        (dict(refract=-1), "refract"),
        (dict(tag="float"), "tag"),
        (dict(update="random"), "update"),
        (dict(target_cost=float("nan")), "target_cost"),
        (dict(seed=-1), "seed"),
        (dict(seed="a"), "seed"),
        (dict(seed=1.5), "seed"),
        (dict(seed=True), "seed"),
    ],
)
def test_bad_solver_arguments(kwargs, msg):
    kwargs.setdefault("num_steps", 5)
    with pytest.raises(ParameterError, match=msg):
        solve_qubo(QUBO(np.eye(3)), **kwargs)


def test_coloring_is_proper_and_log_table_is_monotone():
    adj = sp.random(60, 60, density=0.2, random_state=2)
    adj = (adj + adj.T).tocsr()
    adj.setdiag(0)
    adj.eliminate_zeros()
    colors = greedy_coloring(adj)
    assert sorted(np.concatenate(colors).tolist()) == list(range(60))
    label = np.empty(60, int)
    for c, idx in enumerate(colors):
        label[idx] = c
    r, c = adj.nonzero()
    assert np.all(label[r] != label[c])
    assert np.all(np.diff(NEG_LOG_TABLE) <= 0) and NEG_LOG_TABLE[-1] == 1


def test_the_optim_models_are_host_python_models_run_by_each_backends_executor():
    """The QUBO models are plain CPU Python models: a backend that runs CPU models runs these very classes
    (there is no compiled QUBO model; on the loihi emulator solve_qubo pins subclasses of the fixed_pt models
    that the emulator maps and counts, with the same arithmetic), so what a backend changes is only its
    executor. Each installed backend must run them to the same run as cpu's; the loihi emulator, a fixed-point
    machine, refuses the floating_pt models with a message that says so."""
    from caldera import plugins
    from caldera.errors import CalderaError
    from caldera_optim.models import MODELS

    assert all(any(r.__name__ == "CPU" for r in m.required_resources) for m in MODELS)
    rng = np.random.default_rng(1)
    prob = QUBO(rng.integers(-5, 6, (10, 10)))
    _, best = prob.brute_force()
    ref = solve_qubo(prob, num_steps=600, replicas=4, seed=2, backend="cpu", tag="fixed_pt")
    assert ref.best_cost == best
    ran = []
    for backend in sorted(set(plugins.backends()) - {"cpu"}):
        if backend not in ("cython", "loihi"):
            continue
        res = solve_qubo(prob, num_steps=600, replicas=4, seed=2, backend=backend, tag="fixed_pt")
        np.testing.assert_array_equal(res.trajectory, ref.trajectory)
        np.testing.assert_array_equal(res.replica_states, ref.replica_states)
        ran.append(backend)
        if backend == "loihi":
            with pytest.raises(CalderaError, match="floating_pt|fixed_pt"):
                solve_qubo(prob, num_steps=10, replicas=2, backend="loihi")
    if not ran:
        pytest.skip("neither caldera-cython nor caldera-loihi is installed")


@pytest.mark.parametrize("tag", ["floating_pt", "fixed_pt"])
def test_public_sparse_product_gives_the_same_run_as_scipys_kernel(tag, monkeypatch):
    """The coupling's in-place product uses a private SciPy kernel when it checks out; the public
    ``W @ x`` path it falls back to must give the very same run (same seed, same states)."""
    from caldera_optim.models import _scipy_kernel

    rng = np.random.default_rng(5)
    upper = np.triu(rng.random((120, 120)) < 0.3, 1).astype(float)
    problem = QUBO.maxcut(sp.csr_matrix(upper))
    # hot start: many flips per step, so the whole-block product runs (not only the event-driven update)
    kwargs = dict(num_steps=300, replicas=16, seed=3, tag=tag, backend="cpu", t_hot=50.0)
    fast = solve_qubo(problem, **kwargs)
    assert _scipy_kernel.csr_matvecs() is not None
    monkeypatch.setattr(_scipy_kernel, "csr_matvecs", lambda: None)
    slow = solve_qubo(problem, **kwargs)
    np.testing.assert_array_equal(fast.replica_states, slow.replica_states)
    np.testing.assert_array_equal(fast.replica_costs, slow.replica_costs)


def test_a_run_stopped_by_the_clock_ends_in_local_minima():
    """When the time limit cuts the cycle before its zero-temperature end (here: a cycle far longer than the
    run, so the replicas are hot when the clock stops), the solver finishes with a greedy descent from each
    replica's best state so far: no single flip improves any replica's reported state. (Descending from the
    current states instead left a better state seen earlier, the one reported, outside a local minimum in
    about 1 replica of 100 here.)"""
    from caldera_optim.generators import toroidal_grid

    prob = QUBO.maxcut(toroidal_grid(12, 12, seed=1))
    res = solve_qubo(prob, time_limit=0.3, replicas=32, seed=0, anneal_steps=10**7)
    assert res.stop_reason == "time_limit"
    assert res.params["final_descent_steps"] > 0
    for x in res.replica_states:
        c = prob.evaluate(x)
        flips = np.array([prob.evaluate(np.where(np.arange(x.size) == i, 1 - x, x)) for i in range(x.size)])
        assert np.all(flips >= c)
    quick = solve_qubo(prob, num_steps=50, replicas=2, seed=0)  # a step budget plans its own descent
    assert quick.params["final_descent_steps"] == 0


def test_cold_end_is_set_by_the_smallest_flip_costs():
    """t_cold accepts the smallest flip cost (the 1st percentile of the nonzero |dE| of random states) with
    probability 1/10000 (2 on a +-1 torus of degree 4: flip costs 0, 2, 4; 1 on a unit planar graph with
    nodes of odd degree), unless the smallest coefficient accepted with probability 1/100 is colder."""
    import math

    from caldera_optim import default_temperatures
    from caldera_optim.generators import planar_graph, toroidal_grid

    _, tc = default_temperatures(QUBO.maxcut(toroidal_grid(20, 20, weights="pm1", seed=3)))
    assert tc == pytest.approx(2.0 / math.log(1e4), rel=1e-12)
    _, tc = default_temperatures(QUBO.maxcut(planar_graph(300, weights="unit", seed=3)))
    assert tc == pytest.approx(1.0 / math.log(1e4), rel=1e-12)
    # a CSP network: random states have only large flip costs; the smallest coefficient (0.5, the symmetrised
    # inhibition) accepted with probability 1/100 is the colder bound
    from caldera_optim import n_queens

    csp = n_queens(12)
    problem, _ = csp.to_qubo(csp.arc_consistency()[0])
    assert np.abs(problem.q.data).min() == 0.5
    _, tc = default_temperatures(problem)
    assert tc == pytest.approx(0.5 / math.log(100.0), rel=1e-12)


def test_restart_points_and_count():
    from caldera_optim.qubo_solver import _next_restart, _restart_points

    # 12 restarts spread evenly from 40 % to 90 % of a 1100-step cycle
    np.testing.assert_array_equal(_restart_points(1100, 12), np.rint(np.linspace(440, 990, 12)).astype(int))
    np.testing.assert_array_equal(_restart_points(1000, 1), [650])
    assert _restart_points(1000, 0).size == 0
    assert _next_restart(0, 1000, 1) == 650 and _next_restart(650, 1000, 1) == 1650  # the next cycle's
    prob = QUBO.maxcut(sp.csr_matrix(np.triu(np.random.default_rng(0).random((30, 30)) < 0.2, 1).astype(float)))
    res = solve_qubo(prob, num_steps=1100, replicas=8, seed=1, restarts=12)
    assert res.params["restarts"] == 12 and res.params["restart_replicas"] == 2
    res = solve_qubo(prob, num_steps=1100, replicas=8, seed=1, restarts=3, restart_share=0.5)
    assert res.params["restarts"] == 3 and res.params["restart_replicas"] == 4
    res = solve_qubo(prob, num_steps=200, replicas=1, seed=1)  # one replica: nothing to restart from
    assert res.params["restarts"] == 0 and res.params["restart_replicas"] == 0


def test_restart_from_best_copies_the_best_replicas_state_cost_and_fields():
    """After restart_from_best the k worst replicas hold the k best ones' states (i-th worst <- i-th best),
    their costs are x^T Q x of those states and the coupling's fields are W x again; the run continues with
    exact tracked costs."""
    from caldera.run_conditions import RunSteps
    from caldera_optim.processes import AnnealingBinaryNeurons, CostTracker, ReplicaCoupling
    from caldera_optim.qubo_solver import restart_from_best

    rng = np.random.default_rng(4)
    q = rng.integers(-4, 5, (12, 12)).astype(float)
    prob = QUBO(q)
    s = prob.q
    diag = s.diagonal()
    w = (2.0 * (s - sp.diags(diag))).tocsr()
    x0 = rng.integers(0, 2, (6, 12)).astype(np.int8)
    neurons = AnnealingBinaryNeurons(diag=diag, couplings=w, replicas=6, t_hot=3.0, t_cold=0.5, seed=2, init_state=x0)
    coupling = ReplicaCoupling(weights=w, replicas=6, init_state=x0)
    tracker = CostTracker(replicas=6, target=-np.inf, trace_len=64)
    neurons.s_out.connect(coupling.s_in)
    coupling.a_out.connect(neurons.a_in)
    neurons.cost_out.connect(tracker.cost_in)
    try:
        tracker.run(condition=RunSteps(num_steps=7))
        before = neurons.state.get().copy()
        cost = neurons.cost.get().copy()
        np.testing.assert_allclose(cost, prob.evaluate(before) - prob.offset)
        order = np.argsort(cost, kind="stable")
        moved = restart_from_best(neurons, coupling, 2)
        np.testing.assert_array_equal(moved, np.sort(order[::-1][:2]))
        after = neurons.state.get()
        for i in range(2):
            np.testing.assert_array_equal(after[order[::-1][i]], before[order[i]])
        keep = np.setdiff1d(np.arange(6), moved)
        np.testing.assert_array_equal(after[keep], before[keep])
        np.testing.assert_allclose(neurons.cost.get(), prob.evaluate(after) - prob.offset)
        np.testing.assert_allclose(coupling.field.get(), (w @ after.T.astype(float)))
        tracker.run(condition=RunSteps(num_steps=9))
        np.testing.assert_allclose(neurons.cost.get(), prob.evaluate(neurons.state.get()) - prob.offset)
        # lines of descent: with a cap of 1 replica per line nothing can move; with room, lineage follows the copies
        lineage = np.arange(6)
        held = neurons.state.get().copy()
        assert restart_from_best(neurons, coupling, 2, lineage, 1).size == 0
        np.testing.assert_array_equal(neurons.state.get(), held)
        order = np.argsort(neurons.cost.get(), kind="stable")
        moved = restart_from_best(neurons, coupling, 2, lineage, 2)
        np.testing.assert_array_equal(moved, np.sort(order[::-1][:2]))
        np.testing.assert_array_equal(lineage[order[::-1][:2]], order[:2])
        with pytest.raises(ParameterError, match="one entry per replica"):
            restart_from_best(neurons, coupling, 1, np.zeros(3, np.int64), 2)
    finally:
        tracker.stop()


def test_restart_sources_rank_and_line_cap():
    """The i-th worst replica takes the i-th best one's state; with a cap on the lines of descent a source whose
    line is full is skipped (unless the target is of that line), and no source is worse than its target."""
    from caldera_optim.qubo_solver import restart_sources

    cost = np.array([5.0, 1.0, 9.0, 2.0, 7.0, 3.0, 8.0, 4.0])  # best first: 1, 3, 5, 7, 0, 4, 6, 2
    np.testing.assert_array_equal(restart_sources(cost, 2), [0, 1, 1, 3, 4, 5, 3, 7])  # 2 <- 1, 6 <- 3
    np.testing.assert_array_equal(restart_sources(cost, 4), [7, 1, 1, 3, 5, 5, 3, 7])  # and 4 <- 5, 0 <- 7
    np.testing.assert_array_equal(restart_sources(cost, 9), restart_sources(cost, 4))  # at most half restart
    # lines: replicas 1 and 3 are both of line 1, which already has 2 members; cap 2 -> line 1 cannot grow
    lineage = np.array([0, 1, 2, 1, 4, 5, 6, 7])
    np.testing.assert_array_equal(restart_sources(cost, 2, lineage, 2), [0, 1, 5, 3, 4, 5, 7, 7])
    # a target of the full line itself may take a source of that line
    lineage = np.array([0, 1, 2, 1, 4, 5, 1, 7])
    np.testing.assert_array_equal(restart_sources(cost, 2, lineage, 3), [0, 1, 5, 3, 4, 5, 1, 7])  # 6 <- 1
    # ties broken by replica index; nothing to do for k < 1 or one replica
    np.testing.assert_array_equal(restart_sources(np.zeros(4), 1), [0, 1, 2, 0])
    np.testing.assert_array_equal(restart_sources(np.zeros(1), 1), [0])


@pytest.mark.parametrize("tag", ["floating_pt", "fixed_pt"])
def test_kick_replicas_flips_exactly_that_many_variables_and_keeps_costs_exact(tag):
    """kick_replicas flips `flips` distinct variables of each chosen replica (the others stay); fields are W x and
    costs x^T Q x of the new states, exactly (integers on fixed_pt), and the run goes on with exact costs."""
    from caldera.run_conditions import RunSteps
    from caldera.run_config import RunConfig
    from caldera_optim.processes import AnnealingBinaryNeurons, CostTracker, ReplicaCoupling
    from caldera_optim.qubo_solver import kick_replicas

    rng = np.random.default_rng(6)
    q = rng.integers(-4, 5, (16, 16)).astype(float)
    prob = QUBO(q)
    s = prob.q
    diag = s.diagonal()
    w = (2.0 * (s - sp.diags(diag))).tocsr()
    x0 = rng.integers(0, 2, (6, 16)).astype(np.int8)
    neurons = AnnealingBinaryNeurons(diag=diag, couplings=w, replicas=6, t_hot=3.0, t_cold=1.0, seed=2, init_state=x0)
    coupling = ReplicaCoupling(weights=w, replicas=6, init_state=x0)
    tracker = CostTracker(replicas=6, target=-np.inf, trace_len=64)
    neurons.s_out.connect(coupling.s_in)
    coupling.a_out.connect(neurons.a_in)
    neurons.cost_out.connect(tracker.cost_in)
    cfg = RunConfig(tag=tag)
    try:
        tracker.run(condition=RunSteps(num_steps=4), run_cfg=cfg)
        before = neurons.state.get().copy()
        kick_replicas(neurons, coupling, np.array([1, 4]), 5, w, diag, np.random.default_rng(0))
        after = neurons.state.get()
        np.testing.assert_array_equal((after != before).sum(axis=1), [0, 5, 0, 0, 5, 0])
        np.testing.assert_allclose(neurons.cost.get(), prob.evaluate(after) - prob.offset)
        np.testing.assert_allclose(coupling.field.get(), w @ after.T.astype(float))
        if tag == "fixed_pt":
            assert neurons.cost.get().dtype == np.int64 and coupling.field.get().dtype == np.int64
        tracker.run(condition=RunSteps(num_steps=6), run_cfg=cfg)
        np.testing.assert_allclose(neurons.cost.get(), prob.evaluate(neurons.state.get()) - prob.offset)
    finally:
        tracker.stop()


@pytest.mark.parametrize("tag", ["floating_pt", "fixed_pt"])
def test_return_to_best_moves_exactly_the_replicas_that_have_left_a_better_state(tag):
    """return_to_best: a replica whose best state so far costs less than its current state continues from it
    (state, cost, fields exact); the others stay; the best states and costs are kept; the run goes on exactly."""
    from caldera.run_conditions import RunSteps
    from caldera.run_config import RunConfig
    from caldera_optim.processes import AnnealingBinaryNeurons, CostTracker, ReplicaCoupling
    from caldera_optim.qubo_solver import return_to_best

    rng = np.random.default_rng(11)
    q = rng.integers(-4, 5, (20, 20)).astype(float)
    prob = QUBO(q)
    s = prob.q
    diag = s.diagonal()
    w = (2.0 * (s - sp.diags(diag))).tocsr()
    x0 = rng.integers(0, 2, (8, 20)).astype(np.int8)
    # warm: the replicas wander, some of them away from the best state they have seen
    neurons = AnnealingBinaryNeurons(diag=diag, couplings=w, replicas=8, t_hot=4.0, t_cold=4.0, seed=3, init_state=x0)
    coupling = ReplicaCoupling(weights=w, replicas=8, init_state=x0)
    tracker = CostTracker(replicas=8, target=-np.inf, trace_len=64)
    neurons.s_out.connect(coupling.s_in)
    coupling.a_out.connect(neurons.a_in)
    neurons.cost_out.connect(tracker.cost_in)
    cfg = RunConfig(tag=tag)
    try:
        tracker.run(condition=RunSteps(num_steps=30), run_cfg=cfg)
        state, cost = neurons.state.get().copy(), neurons.cost.get().copy()
        best, best_cost = neurons.best_state.get().copy(), neurons.best_cost.get().copy()
        away = np.flatnonzero(best_cost < cost)
        assert 0 < away.size < 8  # (the scenario the test is about: some replicas have left their best)
        moved = return_to_best(neurons, coupling, w, diag)
        np.testing.assert_array_equal(moved, away)
        stay = np.setdiff1d(np.arange(8), away)
        now = neurons.state.get()
        np.testing.assert_array_equal(now[away], best[away])
        np.testing.assert_array_equal(now[stay], state[stay])
        np.testing.assert_allclose(neurons.cost.get(), prob.evaluate(now) - prob.offset)
        np.testing.assert_allclose(neurons.cost.get()[away], best_cost[away])
        np.testing.assert_allclose(coupling.field.get(), w @ now.T.astype(float))
        np.testing.assert_array_equal(neurons.best_state.get(), best)
        np.testing.assert_array_equal(neurons.best_cost.get(), best_cost)
        assert return_to_best(neurons, coupling, w, diag).size == 0  # nothing left to move
        tracker.run(condition=RunSteps(num_steps=6), run_cfg=cfg)
        np.testing.assert_allclose(neurons.cost.get(), prob.evaluate(neurons.state.get()) - prob.offset)
    finally:
        tracker.stop()


def test_restart_lines_in_solve_qubo():
    """restart_lines=L keeps at least L lines of descent (each replica descends from one initial state)."""
    from caldera_optim.generators import planar_graph

    prob = QUBO.maxcut(planar_graph(200, weights="pm1", seed=9))
    for lines in (1, 4, 8):
        res = solve_qubo(prob, num_steps=1100, replicas=16, seed=1, restart_lines=lines)
        assert res.params["restart_lines"] == lines and res.params["restart_replicas"] == 4
        assert res.params["lines_left"] >= lines
    assert solve_qubo(prob, num_steps=1100, replicas=16, seed=1, restart_lines=16).params["lines_left"] == 16
    res = solve_qubo(prob, num_steps=500, replicas=8, seed=1, restart_lines=2, restarts=0)
    assert res.params["restart_lines"] == 0 and res.params["lines_left"] == 8
    a = solve_qubo(prob, num_steps=900, replicas=8, seed=3, restart_lines=2, restart_kick=0.05)
    b = solve_qubo(prob, num_steps=900, replicas=8, seed=3, restart_lines=2, restart_kick=0.05)
    np.testing.assert_array_equal(a.replica_states, b.replica_states)
    assert a.params["restart_kick"] == 10  # 5 % of 200 variables per restarted replica
    c = solve_qubo(prob, num_steps=900, replicas=8, seed=3, restart_lines=2)
    assert c.params["restart_kick"] == 0 and not np.array_equal(a.replica_states, c.replica_states)
    # the defaults: no limit on the lines (RESTART_LINES = 1), no kick: the run of restart_lines=1
    d = solve_qubo(prob, num_steps=900, replicas=8, seed=3)
    e = solve_qubo(prob, num_steps=900, replicas=8, seed=3, restart_lines=1, restart_kick=0.0)
    np.testing.assert_array_equal(d.replica_states, e.replica_states)


def test_restarts_give_the_same_run_whatever_the_chunking():
    """Restarts fall after fixed step counts, so a step budget gives the same run for the same seed."""
    from caldera_optim.generators import planar_graph

    prob = QUBO.maxcut(planar_graph(200, weights="pm1", seed=9))
    a = solve_qubo(prob, num_steps=900, replicas=8, seed=3)
    b = solve_qubo(prob, num_steps=900, replicas=8, seed=3)
    assert a.params["restarts"] == 12
    np.testing.assert_array_equal(a.replica_states, b.replica_states)
    np.testing.assert_array_equal(a.trajectory, b.trajectory)


@pytest.mark.parametrize(
    "kwargs, msg",
    [
        (dict(restarts=-1), "restarts must be an integer >= 0"),
        (dict(restarts=1.5), "restarts must be an integer >= 0"),
        (dict(restart_share=0.0), r"restart_share must be in \(0, 0.5\]"),
        (dict(restart_share=0.75), r"restart_share must be in \(0, 0.5\]"),
        (dict(restart_share="x"), "restart_share must be a number"),
        (dict(restart_lines=0), "restart_lines must be an integer >= 1"),
        (dict(restart_kick=1.0), r"restart_kick must be a number in \[0, 1\)"),
        (dict(restart_kick=-0.1), r"restart_kick must be a number in \[0, 1\)"),
        (dict(restart_kick="x"), r"restart_kick must be a number in \[0, 1\)"),
        (dict(restart_lines=2.0), "restart_lines must be an integer >= 1"),
        (dict(restart_lines=True), "restart_lines must be an integer >= 1"),
    ],
)
def test_bad_restart_arguments(kwargs, msg):
    with pytest.raises(ParameterError, match=msg):
        solve_qubo(QUBO(np.eye(3)), num_steps=5, **kwargs)


def test_loihi_backend_maps_the_network_and_reports_its_activity():
    """On the emulator the QUBO network is a neuron process (one neuron per variable and replica) and a synapse
    process (W once per replica); the run is bit for bit cpu's fixed_pt run, and the counts follow from it: on a
    4-regular torus every flip (spike) costs 4 synaptic operations, and each step updates one colour class
    (half the neurons: the 10x10 torus is bipartite) in every replica."""
    pytest.importorskip("caldera_loihi")
    from caldera_optim.generators import toroidal_grid

    prob = QUBO.maxcut(toroidal_grid(10, 10, weights="pm1", seed=11))
    kw = dict(num_steps=200, replicas=4, seed=2, tag="fixed_pt")
    emu = solve_qubo(prob, backend="loihi", **kw)
    ref = solve_qubo(prob, backend="cpu", **kw)
    np.testing.assert_array_equal(emu.replica_states, ref.replica_states)
    np.testing.assert_array_equal(emu.trajectory, ref.trajectory)
    lo = emu.loihi
    assert ref.loihi is None and emu.params["colours"] == 2
    assert (lo["neurons"], lo["synapses"], lo["cores"], lo["chips"], lo["steps"]) == (400, 4 * 400, 1, 1, 200)
    assert lo["spikes"] > 0 and lo["synaptic_ops"] == 4 * lo["spikes"]
    tot = emu.loihi_report.totals()
    assert tot["neuron_updates_active"] == 200 * 4 * 50
    per_step = emu.loihi_report.energy_pj_per_step
    assert lo["energy_to_best_uj"] == pytest.approx(per_step[: emu.best_step].sum() / 1e6)
    assert lo["energy_uj"] == pytest.approx(per_step.sum() / 1e6)
    assert lo["energy_per_replica_uj"] == pytest.approx(lo["energy_uj"] / 4)


def test_loihi_backend_needs_fixed_pt_and_weights_that_fit():
    pytest.importorskip("caldera_loihi")
    from caldera_loihi import MappingError

    with pytest.raises(ParameterError, match="tag='fixed_pt'"):
        solve_qubo(QUBO(np.eye(3)), num_steps=5, backend="loihi")
    big = QUBO.maxcut(sp.csr_matrix(np.array([[0, 600], [0, 0]])))  # W = +-1200 needs 11 bits; Loihi 2 has 8
    with pytest.raises(MappingError, match="qubo_couplings.*exceeds"):
        solve_qubo(big, num_steps=5, backend="loihi", tag="fixed_pt")
