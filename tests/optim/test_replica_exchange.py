"""Replica exchange (parallel tempering) in the QUBO solver: the Metropolis swap rule, swaps that keep every
replica's state, cost and fields consistent, optimality, reproducibility and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from caldera.errors import ParameterError
from caldera.run_conditions import RunSteps
from caldera_optim import QUBO, solve_qubo
from caldera_optim.models.qubo import NEG_LOG_TABLE, exchange_pairs
from caldera_optim.processes import AnnealingBinaryNeurons, CostTracker, ReplicaCoupling
from caldera_optim.qubo_solver import ladder_factors
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import sparse as sp

pytestmark = pytest.mark.filterwarnings("ignore:The recursion limit will not be reset")


def test_swap_acceptance_is_the_metropolis_rule():
    """Worked by hand: T = 1, 2, 4, 8 (b = 1, 1/2, 1/4, 1/8), E = 4, 10, 3, 5.

    Pair (0, 1): (b_0 - b_1)(E_0 - E_1) = (1/2)(-6) = -3: swap with probability e^-3, i.e. where the exponential
    noise -ln U is >= 3; pair (2, 3): (1/8)(-2) = -1/4: where the noise is >= 1/4; pair (1, 2) (odd round):
    (1/4)(7) = 7/4 > 0: always. fixed_pt: 256 (T_j - T_i)(E_j - E_i) <= T_i T_j L[u] in integers, so pair (0, 1)
    swaps where L[u] >= 768: u <= 12, 13 of the 256 values (e^-3 * 256 = 12.7).
    """
    t = np.array([1.0, 2.0, 4.0, 8.0])
    e = np.array([4.0, 10.0, 3.0, 5.0])
    assert math.exp(-3.0) == pytest.approx(0.0497871, abs=1e-7)
    np.testing.assert_array_equal(exchange_pairs(t, e, np.array([3.0, 0.25]), 0), [0, 2])  # (the boundary: <=)
    np.testing.assert_array_equal(exchange_pairs(t, e, np.array([2.999, 0.25]), 0), [2])
    np.testing.assert_array_equal(exchange_pairs(t, e, np.array([3.0, 0.249]), 0), [0])
    np.testing.assert_array_equal(exchange_pairs(t, e, np.array([2.999, 0.249]), 0), [])
    np.testing.assert_array_equal(exchange_pairs(t, e, np.array([0.0]), 1), [1])  # downhill in b E: always
    # equal energies or equal temperatures always swap (argument 0); a replica at temperature 0 never swaps
    np.testing.assert_array_equal(exchange_pairs([1.0, 1.0], [3.0, 7.0], [0.0], 0), [0])
    np.testing.assert_array_equal(exchange_pairs([1.0, 2.0], [5.0, 5.0], [0.0], 0), [0])
    np.testing.assert_array_equal(exchange_pairs([0.0, 2.0], [9.0, 1.0], [100.0], 0), [])
    # with standard exponential noise the rate is the Metropolis probability
    noise = np.random.default_rng(0).standard_exponential(200_000)
    ti, ei = np.tile(t[:2], 100_000), np.tile(e[:2], 100_000)  # 100,000 copies of pair (0, 1), side by side
    rate = exchange_pairs(ti, ei, noise, 0).size / 100_000
    assert rate == pytest.approx(math.exp(-3.0), abs=0.003)
    # fixed_pt, integers: exactly the u <= 12
    ti, ei = np.tile([1, 2], 256), np.tile([4, 10], 256)
    acc = exchange_pairs(ti, ei, NEG_LOG_TABLE, 0, scale=256)
    np.testing.assert_array_equal(acc // 2, np.arange(13))
    assert NEG_LOG_TABLE[12] == 773 and NEG_LOG_TABLE[13] == 753


def test_ladder_factors_and_replica_temperatures():
    """The factors are geometric from 1 to the ratio; a replica's temperature is the schedule's times its factor
    raised to (1 - cycle fraction), so the ladder closes to t_cold at the cycle's end (fixed_pt: the floor)."""
    np.testing.assert_allclose(ladder_factors(3, 4.0), [1.0, 2.0, 4.0])
    np.testing.assert_allclose(ladder_factors(1, 4.0), [1.0])
    q = np.array([[-1.0, 2.0], [0.0, -1.0]])
    prob = QUBO(q)
    w = (2.0 * (prob.q - sp.diags(prob.q.diagonal()))).tocsr()
    for tag in ("floating_pt", "fixed_pt"):
        neurons = AnnealingBinaryNeurons(
            diag=prob.q.diagonal(),
            couplings=w,
            replicas=3,
            t_hot=100.0,
            t_cold=10.0,
            anneal_steps=11,
            seed=0,
            ladder=[1.0, 2.0, 4.0],
        )
        coupling = ReplicaCoupling(weights=w, replicas=3, init_state=0)
        neurons.s_out.connect(coupling.s_in)
        coupling.a_out.connect(neurons.a_in)
        from caldera.run_config import RunConfig

        try:
            neurons.run(condition=RunSteps(num_steps=1), run_cfg=RunConfig(tag=tag))
            np.testing.assert_array_equal(neurons.replica_temperature.get(), [100.0, 200.0, 400.0])
            neurons.run(condition=RunSteps(num_steps=5), run_cfg=RunConfig(tag=tag))  # step 6: halfway, T = 31.62
            expect = 100.0 * 0.1**0.5 * np.array([1.0, 2.0, 4.0]) ** 0.5
            got = neurons.replica_temperature.get()
            if tag == "fixed_pt":
                np.testing.assert_array_equal(got, np.floor(expect))  # 31, 44, 63
                assert neurons.temperature.get()[0] == 31
            else:
                np.testing.assert_allclose(got, expect)
            neurons.run(condition=RunSteps(num_steps=5), run_cfg=RunConfig(tag=tag))  # step 11: the end
            np.testing.assert_allclose(neurons.replica_temperature.get(), [10.0, 10.0, 10.0])
        finally:
            neurons.stop()


def _network(seed: int, every: int):
    rng = np.random.default_rng(seed)
    q = rng.integers(-4, 5, (14, 14)).astype(float)
    prob = QUBO(q)
    s = prob.q
    diag = s.diagonal()
    w = (2.0 * (s - sp.diags(diag))).tocsr()
    x0 = rng.integers(0, 2, (6, 14)).astype(np.int8)
    neurons = AnnealingBinaryNeurons(
        diag=diag,
        couplings=w,
        replicas=6,
        t_hot=60.0,
        t_cold=10.0,
        anneal_steps=400,
        seed=seed,
        init_state=x0,
        ladder=ladder_factors(6, 8.0),
        exchange_every=every,
    )
    coupling = ReplicaCoupling(weights=w, replicas=6, init_state=x0)
    tracker = CostTracker(replicas=6, target=-np.inf, trace_len=64)
    neurons.s_out.connect(coupling.s_in)
    coupling.a_out.connect(neurons.a_in)
    neurons.cost_out.connect(tracker.cost_in)
    return prob, neurons, tracker


@pytest.mark.parametrize("tag", ["floating_pt", "fixed_pt"])
def test_a_swap_exchanges_states_and_energies_between_temperatures_consistently(tag):
    """Every 4th step the replicas on neighbouring rungs swap temperatures by the Metropolis rule on that step's
    temperatures and costs, with the seed's draws (replayed here): the rungs of exactly the accepted pairs
    change places (so the state and energy at temperature k are those that were at k + 1, and vice versa),
    every cost is still x^T Q x of its state, and the next steps run each replica at its new rung's
    temperature."""
    from caldera.run_config import RunConfig

    cfg = RunConfig(tag=tag)
    fixed = tag == "fixed_pt"
    seed, every = 3, 4
    prob, neurons, tracker = _network(seed, every)
    draws = np.random.default_rng([seed, 4])
    ladder = ladder_factors(6, 8.0)
    swapped = 0
    try:
        tracker.run(condition=RunSteps(num_steps=every - 1), run_cfg=cfg)
        for rnd in range(12):
            rung = neurons.rung.get().astype(np.int64)
            tracker.run(condition=RunSteps(num_steps=1), run_cfg=cfg)  # step 4 (rnd + 1): flips, then the exchange
            state, cost = neurons.state.get().copy(), neurons.cost.get().copy()
            np.testing.assert_allclose(cost, prob.evaluate(state) - prob.offset)
            temps = neurons.replica_temperature.get().copy()  # the step's temperatures (before the swap)
            parity, n_pairs = rnd % 2, (6 - rnd % 2) // 2
            noise = NEG_LOG_TABLE[draws.integers(0, 256, n_pairs, dtype=np.uint8)] if fixed else None
            if not fixed:
                noise = draws.standard_exponential(n_pairs)
            inv = np.argsort(rung)  # inv[k]: the replica on rung k
            acc = exchange_pairs(temps[inv], cost[inv], noise, parity, 256 if fixed else 1)
            new_inv = inv.copy()
            new_inv[acc], new_inv[acc + 1] = inv[acc + 1], inv[acc]
            got = neurons.rung.get().astype(np.int64)
            np.testing.assert_array_equal(np.argsort(got), new_inv)
            np.testing.assert_array_equal(neurons.exchange_stats.get()[0], rnd + 1)
            swapped += acc.size
            tracker.run(condition=RunSteps(num_steps=every - 1), run_cfg=cfg)  # the next steps: new temperatures
            t = every * (rnd + 1) + every - 1
            base = 60.0 * (10.0 / 60.0) ** ((t - 1) / (392 - 1))
            expect = base * ladder[got] ** (1 - (t - 1) / (392 - 1))
            np.testing.assert_allclose(neurons.replica_temperature.get(), np.floor(expect) if fixed else expect)
        assert neurons.exchange_stats.get()[2] == swapped > 0
    finally:
        tracker.stop()


QUBOS = st.integers(2, 14).flatmap(lambda n: hnp.arrays(np.int64, (n, n), elements=st.integers(-20, 20)))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(q=QUBOS, seed=st.integers(0, 2**16), tag=st.sampled_from(["floating_pt", "fixed_pt"]))
def test_replica_exchange_finds_the_exhaustive_optimum(q, seed, tag):
    prob = QUBO(q)
    _, best = prob.brute_force()
    res = solve_qubo(prob, num_steps=1500, replicas=8, seed=seed, tag=tag, exchange_interval=1, exchange_ladder=4.0)
    assert res.best_cost == pytest.approx(best)
    assert prob.evaluate(res.best_state) == pytest.approx(best)
    np.testing.assert_array_equal(res.replica_costs, prob.evaluate(res.replica_states))
    assert res.params["exchange_rounds"] == 1500 // res.params["colours"]


def test_replica_exchange_is_reproducible_with_a_seed():
    """Exchanges fall after exact step counts and draw from the seed: the same seed gives the same run, whatever
    the chunking; another seed another run; on fixed_pt the loihi emulator's run is cpu's bit for bit."""
    from caldera_optim.generators import planar_graph

    prob = QUBO.maxcut(planar_graph(150, weights="pm1", seed=12))
    kw = dict(num_steps=700, replicas=8, exchange_interval=2, exchange_ladder=3.0)
    a = solve_qubo(prob, seed=5, **kw)
    b = solve_qubo(prob, seed=5, **kw)
    c = solve_qubo(prob, seed=6, **kw)
    assert a.params["exchange_rounds"] == 700 // (2 * a.params["colours"]) and 0 < a.params["exchange_rate"] < 1
    np.testing.assert_array_equal(a.replica_states, b.replica_states)
    np.testing.assert_array_equal(a.trajectory, b.trajectory)
    assert a.params["exchange_rate"] == b.params["exchange_rate"]
    assert not np.array_equal(a.replica_states, c.replica_states)
    pytest.importorskip("caldera_loihi")
    fx = dict(kw, tag="fixed_pt", seed=5)
    emu = solve_qubo(prob, backend="loihi", **fx)
    ref = solve_qubo(prob, backend="cpu", **fx)
    np.testing.assert_array_equal(emu.replica_states, ref.replica_states)
    np.testing.assert_array_equal(emu.trajectory, ref.trajectory)
    assert emu.params["exchange_rate"] == ref.params["exchange_rate"] > 0


def test_exchange_off_and_one_replica():
    from caldera_optim.generators import toroidal_grid

    prob = QUBO.maxcut(toroidal_grid(6, 6, weights="pm1", seed=1))
    off = solve_qubo(prob, num_steps=300, replicas=4, seed=2, exchange_interval=0)
    assert off.params["exchange_rounds"] == 0 and off.params["exchange_ladder"] == 1.0
    one = solve_qubo(prob, num_steps=300, replicas=1, seed=2, exchange_interval=1)  # nothing to exchange with
    assert one.params["exchange_rounds"] == 0 and one.params["exchange_interval"] == 0


@pytest.mark.parametrize(
    "kwargs, msg",
    [
        (dict(exchange_interval=-1), "exchange_interval must be an integer >= 0"),
        (dict(exchange_interval=1.5), "exchange_interval must be an integer >= 0"),
        (dict(exchange_interval=True), "exchange_interval must be an integer >= 0"),
        (dict(exchange_ladder=1.0), "exchange_ladder must be a finite number > 1"),
        (dict(exchange_ladder=0.5), "exchange_ladder must be a finite number > 1"),
        (dict(exchange_ladder=float("inf")), "exchange_ladder must be a finite number > 1"),
        (dict(exchange_ladder="2"), "exchange_ladder must be a finite number > 1"),
    ],
)
def test_bad_exchange_arguments(kwargs, msg):
    with pytest.raises(ParameterError, match=msg):
        solve_qubo(QUBO(np.eye(3)), num_steps=5, replicas=2, **kwargs)


def test_bad_ladder_for_the_neurons():
    w = sp.csr_matrix((2, 2))
    with pytest.raises(ParameterError, match="ladder must be 3 finite numbers >= 1"):
        AnnealingBinaryNeurons(diag=[1.0, 1.0], couplings=w, replicas=3, ladder=[1.0, 0.5, 2.0])
    with pytest.raises(ParameterError, match="ladder must be 3 finite numbers >= 1"):
        AnnealingBinaryNeurons(diag=[1.0, 1.0], couplings=w, replicas=3, ladder=[1.0, 2.0])
