"""CalderaSampler: dimod's own sampler tests, exact energies, and the optimum against dimod.ExactSolver."""

from __future__ import annotations

import unittest

import numpy as np
import pytest

dimod = pytest.importorskip("dimod")
pytest.importorskip("dimod.testing")
from caldera.errors import ParameterError  # noqa: E402
from caldera_optim import CalderaSampler  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:The recursion limit will not be reset")


def _fast_sampler():
    """A sampler whose default run is short (dimod's generated tests call sample(bqm) without options)."""

    class Quick(CalderaSampler):
        def sample(self, bqm, **kw):
            kw.setdefault("num_steps", 200)
            kw.setdefault("seed", 0)
            return super().sample(bqm, **kw)

    return Quick()


@dimod.testing.load_sampler_bqm_tests(_fast_sampler, max_num_variables=12)
class TestDimodSamplerSuite(unittest.TestCase):
    """dimod's generated tests: empty, linear-only, quadratic, SPIN and BINARY models, labels, energies."""


def test_sampler_api():
    dimod.testing.assert_sampler_api(CalderaSampler())
    s = CalderaSampler()
    assert "num_reads" in s.parameters and "time_limit" in s.parameters and "seed" in s.parameters
    assert s.properties["solver"] == "caldera_optim.solve_qubo"


def test_sample_ising_and_qubo_and_labels():
    s = CalderaSampler()
    ss = s.sample_ising({"a": 1.0, "b": -0.5}, {("a", "b"): -1.0, ("b", "c"): 2.0}, num_reads=5, num_steps=300, seed=1)
    assert ss.vartype is dimod.SPIN and len(ss) == 5 and set(ss.variables) == {"a", "b", "c"}
    dimod.testing.assert_sampleset_energies(
        ss, dimod.BQM.from_ising({"a": 1.0, "b": -0.5}, {("a", "b"): -1.0, ("b", "c"): 2.0})
    )
    ground = dimod.ExactSolver().sample_ising({"a": 1.0, "b": -0.5}, {("a", "b"): -1.0, ("b", "c"): 2.0}).first.energy
    assert ss.first.energy == pytest.approx(ground)
    qs = s.sample_qubo({(0, 0): -1.0, (1, 1): -1.0, (0, 1): 3.0}, num_reads=3, num_steps=200, seed=2)
    assert qs.vartype is dimod.BINARY and qs.first.energy == -1.0
    assert qs.info["steps"] == 200 and qs.info["stop_reason"] == "step_budget"


def test_same_seed_same_samples_and_time_limit():
    bqm = dimod.generators.ran_r(1, 30, seed=3)
    s = CalderaSampler()
    a = s.sample(bqm, num_reads=4, num_steps=100, seed=9)
    b = s.sample(bqm, num_reads=4, num_steps=100, seed=9)
    np.testing.assert_array_equal(a.record.sample, b.record.sample)
    t = s.sample(bqm, num_reads=4, time_limit=0.2, seed=1)
    assert t.info["stop_reason"] == "time_limit"


def test_initial_states_are_used():
    bqm = dimod.BQM({"x": 1.0, "y": 1.0}, {}, 0.0, dimod.BINARY)  # optimum x = y = 0
    s = CalderaSampler()
    # t_hot = t_cold = 0 would be an error; a single cold step from the given state keeps a local optimum
    ss = s.sample(bqm, num_reads=2, num_steps=1, seed=0, initial_states={"x": 0, "y": 0})
    assert ss.first.energy == 0.0
    with pytest.raises(ParameterError, match="initial_states"):
        s.sample(bqm, num_reads=2, num_steps=1, initial_states=[[0, 1, 1]])
    with pytest.raises(ParameterError, match="initial_states"):
        s.sample(bqm, num_reads=2, num_steps=1, initial_states=[[0, 2]])


@pytest.mark.parametrize(
    "kwargs, msg",
    [
        (dict(num_reads=0), "num_reads"),
        (dict(num_reads=1.5), "num_reads"),
        (dict(sweeps=10), "unknown"),
        (dict(seed=-3), "seed"),
    ],
)
def test_bad_parameters_are_named(kwargs, msg):
    bqm = dimod.BQM({"a": 1.0}, {}, 0.0, dimod.SPIN)
    with pytest.raises(ParameterError, match=msg):
        CalderaSampler().sample(bqm, num_steps=5, **kwargs)


def test_non_finite_biases_are_refused():
    bqm = dimod.BQM({"a": float("nan")}, {}, 0.0, dimod.SPIN)
    with pytest.raises(ParameterError, match="NaN or infinite"):
        CalderaSampler().sample(bqm, num_steps=5)


BQMS = st.integers(1, 9).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.lists(st.integers(-4, 4), min_size=n, max_size=n),
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.integers(-4, 4)), max_size=2 * n),
        st.sampled_from([dimod.SPIN, dimod.BINARY]),
        st.integers(-3, 3),
    )
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=BQMS, seed=st.integers(0, 1000))
def test_finds_the_exact_solvers_ground_state(spec, seed):
    n, lin, quad, vartype, offset = spec
    bqm = dimod.BQM({f"v{i}": float(h) for i, h in enumerate(lin)}, {}, float(offset), vartype)
    for i, j, w in quad:
        if i != j:
            bqm.add_interaction(f"v{i}", f"v{j}", float(w))
    exact = dimod.ExactSolver().sample(bqm)
    ss = CalderaSampler().sample(bqm, num_reads=6, num_steps=1500, seed=seed)
    dimod.testing.assert_sampleset_energies(ss, bqm)
    assert ss.first.energy == pytest.approx(exact.first.energy)
    assert len(ss) == 6 and ss.vartype is vartype


def test_restarts_parameter_reaches_the_solver():
    bqm = dimod.generators.ran_r(1, 20, seed=4)
    s = CalderaSampler()
    assert "restarts" in s.parameters
    ind = s.sample(bqm, num_reads=4, num_steps=1000, seed=5, restarts=0)
    pop = s.sample(bqm, num_reads=4, num_steps=1000, seed=5, restarts=3)
    assert ind.info["params"]["restarts"] == 0 and pop.info["params"]["restarts"] == 3
    assert pop.info["params"]["restart_replicas"] == 1
    assert "restart_lines" in s.parameters and "restart_kick" in s.parameters
    div = s.sample(bqm, num_reads=4, num_steps=1000, seed=5, restart_lines=2, restart_kick=0.1)
    assert div.info["params"]["restart_lines"] == 2 and div.info["params"]["restart_kick"] == 2  # 10 % of 20
    assert div.info["params"]["lines_left"] >= 2


def test_replica_exchange_parameters_reach_the_solver():
    bqm = dimod.generators.ran_r(1, 20, seed=4)
    s = CalderaSampler()
    assert "exchange_interval" in s.parameters and "exchange_ladder" in s.parameters
    ss = s.sample(bqm, num_reads=6, num_steps=600, seed=5, exchange_interval=3, exchange_ladder=4.0)
    dimod.testing.assert_sampleset_energies(ss, bqm)
    p = ss.info["params"]
    assert p["exchange_interval"] == 3 and p["exchange_ladder"] == 4.0 and p["exchange_rounds"] > 0
    with pytest.raises(ParameterError, match="exchange_ladder must be a finite number > 1"):
        s.sample(bqm, num_reads=2, num_steps=10, seed=5, exchange_ladder=1)
