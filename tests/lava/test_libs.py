"""The Lava libraries caldera has, through their Lava import paths: lava-dnf (``lava.lib.dnf``, caldera-dnf),
lava-optimization (``lava.lib.optimization``, caldera-optim) and lava-dl's netx (``lava.lib.dl.netx``, caldera-dl).
Each part is skipped, with the reason, when its caldera distribution is not installed."""

from __future__ import annotations

import importlib.util
import itertools
import json
import pathlib

import numpy as np
import pytest

HAVE = {d: importlib.util.find_spec(d) is not None for d in ("caldera_dnf", "caldera_optim", "caldera_dl", "h5py")}
DNF_DATA = pathlib.Path(__file__).resolve().parent.parent / "dnf" / "data"
needs_dnf = pytest.mark.skipif(not HAVE["caldera_dnf"], reason="caldera-dnf is not installed")
needs_optim = pytest.mark.skipif(not HAVE["caldera_optim"], reason="caldera-optim is not installed")
needs_dl = pytest.mark.skipif(not (HAVE["caldera_dl"] and HAVE["h5py"]), reason="caldera-dl is not installed")


# -- lava.lib.dnf ----------------------------------------------------------------------------------------------
def _dnf_ops(spec: dict) -> list:
    from lava.lib.dnf.kernels.kernels import Kernel, MultiPeakKernel, SelectiveKernel
    from lava.lib.dnf.operations import operations as ops

    kernels = {"SelectiveKernel": SelectiveKernel, "MultiPeakKernel": MultiPeakKernel}

    def value(v):
        if isinstance(v, dict) and "array" in v:
            return Kernel(np.array(v["array"]), padding_value=v.get("padding_value", 0))
        if isinstance(v, dict) and "kernel" in v:
            return kernels[v["kernel"]](**{k: value(x) for k, x in v["params"].items()})
        if isinstance(v, list) and v and all(isinstance(x, int) for x in v):
            return tuple(v)
        return v

    return [getattr(ops, o["op"])(**{k: value(v) for k, v in o.get("params", {}).items()}) for o in spec["ops"]]


@needs_dnf
@pytest.mark.filterwarnings("ignore:.*even size")
@pytest.mark.parametrize("name", sorted(p.stem for p in DNF_DATA.glob("*.json")))
def test_dnf_connect_gives_lava_dnf_weights(name: str) -> None:
    """Every operation chain recorded from lava-dnf 0.3, built through lava.lib.dnf names: the same weights."""
    from lava.lib.dnf.connect.connect import connect
    from lava.proc.dense.process import Dense
    from lava.proc.lif.process import LIF

    spec = json.loads((DNF_DATA / f"{name}.json").read_text())
    want = np.load(DNF_DATA / f"{name}.npz")["weights"]
    src, dst = LIF(shape=tuple(spec["src_shape"])), LIF(shape=tuple(spec["dst_shape"]))
    conn = connect(src.s_out, dst.a_in, ops=_dnf_ops(spec), connection_class=Dense)
    np.testing.assert_allclose(conn.weights.get(), want, rtol=1e-9, atol=1e-12)


@needs_dnf
def test_dnf_field_with_gauss_input_forms_a_peak() -> None:
    """A selective 1-D field driven by a GaussPattern (lava-dnf's tutorial set-up) keeps one peak at the input."""
    from lava.lib.dnf.connect.connect import connect
    from lava.lib.dnf.inputs.gauss_pattern.process import GaussPattern
    from lava.lib.dnf.inputs.rate_code_spike_gen.process import RateCodeSpikeGen
    from lava.lib.dnf.kernels.kernels import SelectiveKernel
    from lava.lib.dnf.operations.operations import Convolution, Weights
    from lava.magma.core.run_conditions import RunSteps
    from lava.magma.core.run_configs import Loihi1SimCfg
    from lava.proc.lif.process import LIF
    from lava.proc.monitor.process import Monitor

    shape = (30,)
    gauss = GaussPattern(shape=shape, amplitude=2500, mean=18, stddev=2.0)
    spikes = RateCodeSpikeGen(shape=shape, seed=1)
    field = LIF(shape=shape, du=409, dv=2047, vth=200)
    gauss.a_out.connect(spikes.a_in)
    connect(spikes.s_out, field.a_in, ops=[Weights(25)])
    connect(field.s_out, field.a_in, ops=[Convolution(SelectiveKernel(amp_exc=18, width_exc=3, global_inh=-15))])
    mon = Monitor()
    mon.probe(field.s_out, 200)
    field.run(condition=RunSteps(num_steps=200), run_cfg=Loihi1SimCfg(select_tag="fixed_pt"))
    s = mon.get_data()[field.name]["s_out"]
    field.stop()
    rates = s[100:].sum(axis=0)
    assert rates.sum() > 0
    assert abs(int(np.argmax(rates)) - 18) <= 2
    assert rates[:8].sum() == 0 and rates[-3:].sum() == 0  # one peak, far from the edges


@needs_dnf
def test_dnf_plotting_points_to_caldera_dnf() -> None:
    with pytest.raises(ImportError, match=r"lava\.lib\.dnf\.utils\.plotting\.raster_plot.*caldera_dnf\.plot"):
        from lava.lib.dnf.utils.plotting import raster_plot  # noqa: F401


# -- lava.lib.optimization ---------------------------------------------------------------------------------------
def _brute_force(q: np.ndarray) -> int:
    return min(int(np.array(x) @ q @ np.array(x)) for x in itertools.product((0, 1), repeat=q.shape[0]))


@needs_optim
@pytest.mark.parametrize("backend", ["CPU", "Loihi2"])
def test_optimization_solver_finds_the_qubo_optimum(backend: str) -> None:
    from caldera import plugins
    from lava.lib.optimization.problems.problems import QUBO
    from lava.lib.optimization.solvers.generic.solver import OptimizationSolver, SolverConfig

    if backend == "Loihi2" and "loihi" not in plugins.backends():
        pytest.skip("caldera-loihi is not installed")
    rng = np.random.default_rng(4)
    a = rng.integers(-6, 7, (10, 10))
    q = (a + a.T) // 2
    qubo = QUBO(q=q)
    best = _brute_force(q)
    report = OptimizationSolver(qubo).solve(
        config=SolverConfig(timeout=3000, target_cost=best, backend=backend, hyperparameters={"seed": 2})
    )
    assert report.best_cost == best
    assert qubo.evaluate_cost(report.best_state) == best
    assert report.best_state.shape == (10,) and set(np.unique(report.best_state)) <= {0, 1}


@needs_optim
def test_optimization_solver_config_and_errors() -> None:
    from lava.lib.optimization.problems.problems import QUBO
    from lava.lib.optimization.solvers.generic.solver import OptimizationSolver, SolverConfig, solve

    q = np.array([[-1, 2], [2, -1]])
    assert SolverConfig().timeout == 1000 and SolverConfig().target_cost == 0
    state = solve(QUBO(q), SolverConfig(timeout=200, target_cost=-1))
    assert QUBO(q).evaluate_cost(state) == -1
    with pytest.raises(NotImplementedError, match=r"hyperparameters\['temperature'\]"):
        OptimizationSolver(QUBO(q)).solve(SolverConfig(hyperparameters={"temperature": 8}))
    with pytest.raises(ValueError, match="'GPU' was requested as backend"):
        OptimizationSolver(QUBO(q)).solve(SolverConfig(backend="GPU"))
    with pytest.raises(NotImplementedError, match=r"probe_state=True.*probe_cost=True"):
        OptimizationSolver(QUBO(q)).solve(SolverConfig(probe_state=True))
    report = OptimizationSolver(QUBO(q)).solve(SolverConfig(timeout=50, target_cost=-1, probe_cost=True))
    assert report.cost_timeseries is not None and report.cost_timeseries.min() == -1
    with pytest.raises(ImportError, match=r"problems\.CSP .*caldera_optim\.CSP"):
        from lava.lib.optimization.problems.problems import CSP  # noqa: F401


@needs_optim
def test_mis_problem_as_in_lava_optimization_and_its_qubo_is_solved() -> None:
    from lava.lib.optimization.solvers.generic.solver import OptimizationSolver, SolverConfig
    from lava.lib.optimization.utils.generators.mis import MISProblem

    # a 5-cycle: its maximum independent sets have 2 vertices
    ring = np.zeros((5, 5), int)
    for i in range(5):
        ring[i, (i + 1) % 5] = ring[(i + 1) % 5, i] = 1
    mis = MISProblem(adjacency_matrix=ring)
    assert mis.num_vertices == 5 and mis.num_edges == 10  # nonzero entries, as lava-optimization counts
    q = mis.get_qubo_matrix(w_diag=1, w_off=4)
    np.testing.assert_array_equal(q, 2 * ring - np.eye(5, dtype=int))
    np.testing.assert_array_equal(mis.get_complement_graph_matrix(), 1 - ring - np.eye(5, dtype=int))
    report = OptimizationSolver(mis.get_as_qubo(w_diag=1, w_off=4)).solve(SolverConfig(timeout=500, target_cost=-2))
    x = report.best_state
    assert report.best_cost == -2 and x.sum() == 2 and x @ ring @ x == 0
    with pytest.raises(ValueError, match="off-diagonal weights must be > 2 x diagonal"):
        mis.get_qubo_matrix(w_diag=2, w_off=4)
    with pytest.raises(ValueError, match="square"):
        MISProblem(np.zeros((2, 3)))
    if importlib.util.find_spec("networkx") is None:
        with pytest.raises(ImportError, match="pip install networkx"):
            MISProblem.from_random_uniform(num_vertices=10, density=0.5, seed=1)
        return
    import networkx as nx

    assert mis.find_maximum_independent_set().sum() == 2
    assert mis.get_graph().number_of_edges() == 5
    # the same graph as networkx's generator with lava-optimization's edge count and seed
    rnd = MISProblem.from_random_uniform(num_vertices=15, density=0.9, seed=0)
    want = nx.adjacency_matrix(nx.gnm_random_graph(15, int(0.5 * 0.9 * 15**2), seed=0)).toarray()
    np.testing.assert_array_equal(rnd.adjacency_matrix, want)
    best = rnd.find_maximum_independent_set()
    qubo = rnd.get_as_qubo(w_diag=1, w_off=8)
    cost = qubo.evaluate_cost(best)
    assert cost == -int(best.sum())
    report = OptimizationSolver(qubo).solve(SolverConfig(timeout=2000, target_cost=cost))
    assert report.best_cost == cost
    ws = MISProblem.from_watts_strogatz(num_vertices=12, num_neighbors=4, connection_prob=0.2, seed=3)
    np.testing.assert_array_equal(
        ws.adjacency_matrix, nx.adjacency_matrix(nx.watts_strogatz_graph(12, 4, 0.2, seed=3)).toarray()
    )


@needs_optim
def test_qp_solver_solves_an_equality_constrained_qp() -> None:
    from lava.lib.optimization.problems.problems import QP
    from lava.lib.optimization.solvers.generic.qp.solver import QPSolver

    # minimise 1/2 x'Qx + p'x  s.t.  x0 + x1 + x2 = 1,  x >= 0 written as -x <= 0
    Q = np.diag([2.0, 4.0, 6.0])
    p = np.array([-1.0, 0.0, 1.0])
    qp = QP(
        hessian=Q,
        linear_offset=p,
        inequality_constraints_weights=-np.eye(3),
        inequality_constraints_biases=np.zeros(3),
        equality_constraints_weights=np.ones((1, 3)),
        equality_constraints_biases=np.ones(1),
    )
    with pytest.warns(UserWarning, match="ignores them"):
        solver = QPSolver(alpha=np.ones(3), beta=np.ones(3), alpha_decay_schedule=100, beta_growth_schedule=100)
    x = solver.solve(qp, iterations=5000)
    assert x.shape == (3, 1)
    # KKT by hand: x2 = 0, 2 x0 - 1 = 4 x1 = -lambda, x0 + x1 = 1  ->  x0 = 5/6, x1 = 1/6
    np.testing.assert_allclose(x[:, 0], [5 / 6, 1 / 6, 0.0], atol=1e-3)
    np.testing.assert_allclose(qp.evaluate_constraint_violations(x[:, 0]), [0.0], atol=1e-3)


# -- lava.lib.dl.netx ------------------------------------------------------------------------------------------
def test_netx_without_caldera_dl_names_it() -> None:
    if HAVE["caldera_dl"]:
        pytest.skip("caldera-dl is installed")
    with pytest.raises(ImportError, match="pip install caldera-dl"):
        from lava.lib.dl import netx  # noqa: F401


@needs_dl
def test_netx_tiny_network_gives_lava_dl_spikes() -> None:
    """lava-dl's tiny.net through lava.lib.dl.netx, Resets and sinks from lava.proc.io: lava-dl's output spikes."""
    from lava.lib.dl import netx
    from lava.magma.core.run_conditions import RunSteps
    from lava.magma.core.run_configs import Loihi2SimCfg
    from lava.proc.io.reset import Reset
    from lava.proc.io.sink import RingBuffer as Sink

    from ..dl.conftest import _fetch

    fixtures = _fetch()
    if isinstance(fixtures, str):
        pytest.skip(fixtures)
    steps_per_sample = 17
    net = netx.hdf5.Network(net_config=str(fixtures / "tiny.net"))
    assert len(net) == 3 and net.in_layer is net.layers[0]
    num_steps = steps_per_sample + len(net)
    sink = Sink(shape=net.out.shape, buffer=num_steps)
    net.out.connect(sink.a_in)
    for i, layer in enumerate(net.layers):
        for var in (layer.neuron.u, layer.neuron.v):
            Reset(interval=steps_per_sample, offset=(i - 1) % steps_per_sample).connect_var(var)
    net.in_layer.neuron.bias_mant.set(np.load(fixtures / "gts/tinynet/input_bias.npy"))
    net.run(condition=RunSteps(num_steps=num_steps), run_cfg=Loihi2SimCfg(select_tag="fixed_pt"))
    out = sink.data.get()
    net.stop()
    gt = np.load(fixtures / "gts/tinynet/output.npy")[0].transpose([2, 1, 0, 3])[..., 1:]
    assert gt.sum() > 50
    np.testing.assert_array_equal(out[..., 2:17], gt)
