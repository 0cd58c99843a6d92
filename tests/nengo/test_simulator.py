"""caldera_nengo.Simulator against nengo.Simulator: same parameters, same numbers, Nengo's errors."""

from __future__ import annotations

import importlib.metadata

import caldera_nengo
import nengo
import numpy as np
import pytest
from nengo.exceptions import BuildError, SimulationError, SimulatorClosed


def _run(Sim, net, steps, **kw):
    with Sim(net, progress_bar=False, **kw) as sim:
        sim.run_steps(steps)
        return sim, {p: sim.data[p].copy() for p in net.all_probes}


def _stim(t):
    return [np.sin(6 * t), np.cos(4 * t)]


def _product(x):
    return x[0] * x[1]


def _channel(seed=3, neuron_type=None):
    with nengo.Network(seed=seed) as net:
        if neuron_type is not None:
            net.config[nengo.Ensemble].neuron_type = neuron_type
        u = nengo.Node(_stim, label="stim")
        a = nengo.Ensemble(60, 2)
        b = nengo.Ensemble(50, 1)
        nengo.Connection(u, a, synapse=None)
        nengo.Connection(a, b, function=_product, synapse=0.01)
        nengo.Probe(b, synapse=0.02)
        nengo.Probe(a.neurons, "output", sample_every=0.003)
        nengo.Probe(b.neurons, "voltage") if isinstance(b.neuron_type, nengo.LIF) else None
    return net


@pytest.mark.parametrize(
    "neuron_type",
    [
        None,
        nengo.LIFRate(),
        nengo.RectifiedLinear(),
        nengo.SpikingRectifiedLinear(),
        nengo.AdaptiveLIF(),
        nengo.Izhikevich(),
        nengo.RegularSpiking(nengo.Tanh()),
        nengo.Sigmoid(),
    ],
)
def test_same_numbers_as_nengo(neuron_type):
    net = _channel(neuron_type=neuron_type)
    _, ref = _run(nengo.Simulator, net, 300)
    sim, got = _run(caldera_nengo.Simulator, net, 300, backend="cpu")
    for p in net.all_probes:
        assert got[p].shape == ref[p].shape
        np.testing.assert_allclose(got[p], ref[p], rtol=1e-9, atol=1e-12)  # Nengo itself differs by ulps between builds
    assert sim.n_steps == 300 and sim.time == pytest.approx(0.3)
    assert sim._program.own == len(sim._program.kernels) - 1  # everything but the Node function runs on our kernels


def test_learning_rules_same_numbers():
    with nengo.Network(seed=5) as net:
        u = nengo.Node(lambda t: np.sin(10 * t))
        a = nengo.Ensemble(40, 1)
        b = nengo.Ensemble(40, 1)
        err = nengo.Node(size_in=1)
        nengo.Connection(u, a)
        c = nengo.Connection(a, b, function=lambda x: 0, learning_rule_type=nengo.PES(learning_rate=1e-3))
        nengo.Connection(b, err)
        nengo.Connection(u, err, transform=-1)
        nengo.Connection(err, c.learning_rule)
        d = nengo.Connection(
            a.neurons, b.neurons, transform=np.zeros((40, 40)), learning_rule_type=[nengo.BCM(), nengo.Oja()]
        )
        e = nengo.Connection(u, b, learning_rule_type=nengo.Voja())
        nengo.Probe(b, synapse=0.01)
        nengo.Probe(d, "weights", sample_every=0.05)
        nengo.Probe(e.learning_rule, "scaled_encoders", sample_every=0.05)
    _, ref = _run(nengo.Simulator, net, 200)
    _, got = _run(caldera_nengo.Simulator, net, 200)
    for p in net.all_probes:
        np.testing.assert_allclose(got[p], ref[p], rtol=1e-9, atol=1e-12)  # Nengo itself differs by ulps between builds


def test_reset_repeats_the_run_and_seed_changes_noise():
    with nengo.Network(seed=1) as net:
        n = nengo.Node(nengo.processes.WhiteNoise(), size_out=1)
        p = nengo.Probe(n)
    with caldera_nengo.Simulator(net, progress_bar=False) as sim:
        sim.run(0.05)
        first = sim.data[p].copy()
        sim.reset()
        assert sim.n_steps == 0 and sim.time == 0.0 and len(sim.data[p]) == 0
        sim.run(0.05)
        np.testing.assert_array_equal(sim.data[p], first)
        sim.reset(seed=99)
        sim.run(0.05)
        assert not np.array_equal(sim.data[p], first)
        np.testing.assert_allclose(sim.trange(), np.arange(1, 51) * 0.001)


def test_built_parameters_are_nengos():
    net = _channel()
    with nengo.Simulator(net, progress_bar=False) as ref, caldera_nengo.Simulator(net, progress_bar=False) as sim:
        for ens in net.all_ensembles:
            for attr in ("encoders", "gain", "bias", "max_rates", "intercepts", "scaled_encoders"):
                np.testing.assert_array_equal(getattr(sim.data[ens], attr), getattr(ref.data[ens], attr))
        for conn in net.all_connections:
            np.testing.assert_array_equal(sim.data[conn].weights, ref.data[conn].weights)


def test_node_error_names_the_node():
    def bad(t):
        if t > 0.002:
            raise KeyError("boom")
        return 0.0

    with nengo.Network() as net:
        nengo.Node(bad, label="sensor")
    with caldera_nengo.Simulator(net, progress_bar=False) as sim:
        with pytest.raises(SimulationError, match="Node 'sensor'.*KeyError.*boom") as info:
            sim.run(0.01)
        assert isinstance(info.value.__cause__, KeyError)
        assert sim.n_steps == 2  # the steps before the failing one count


def test_bad_neuron_type_is_a_build_error_naming_the_ensemble():
    class NoStep(nengo.neurons.NeuronType):
        pass

    with nengo.Network() as net:
        ens = nengo.Ensemble(5, 1, neuron_type=NoStep(), label="weird")
    with pytest.raises(BuildError, match="weird.*NoStep.*supported"):
        caldera_nengo.Simulator(net, progress_bar=False)
    del ens


def test_bad_arguments():
    net = nengo.Network()
    with pytest.raises(nengo.exceptions.ValidationError, match="tag"):
        caldera_nengo.Simulator(net, tag="double")
    with pytest.raises(BuildError, match="fixed_pt.*runs on backend='loihi'.*got backend=None"):
        caldera_nengo.Simulator(net, tag="fixed_pt")
    with pytest.raises(BuildError, match="backend='nope'"):
        caldera_nengo.Simulator(net, backend="nope", progress_bar=False)
    sim = caldera_nengo.Simulator(net, progress_bar=False)
    sim.close()
    with pytest.raises(SimulatorClosed):
        sim.step()


def test_runs_as_a_caldera_process_on_the_chosen_backend():
    net = _channel()
    with caldera_nengo.Simulator(net, progress_bar=False, backend="cpu") as sim:
        sim.run_steps(5)
        assert sim.runtime.backend == "cpu"
        assert sim.runtime.time_step == 5


def test_registered_where_nengo_and_caldera_look():
    eps = {ep.name: ep for ep in importlib.metadata.entry_points(group="nengo.backends")}
    assert eps["caldera"].load() is caldera_nengo.Simulator
    from caldera import plugins
    from caldera_nengo.models import PyNengoNetworkFloat
    from caldera_nengo.process import NengoNetwork

    assert ("nengo", PyNengoNetworkFloat) in plugins.models_for(NengoNetwork, "cpu")


def test_cython_backend_same_numbers_with_compiled_kernels():
    pytest.importorskip("caldera_cython")
    from caldera_nengo.models import compiled_kernels

    if compiled_kernels() is None:
        pytest.skip("caldera-nengo was built without its compiled kernels")
    with nengo.Network(seed=7) as net:
        u = nengo.Node(lambda t: np.sin(9 * t))
        ens = [nengo.Ensemble(30, 1, neuron_type=nengo.LIF(tau_ref=0.0015, min_voltage=-0.5)) for _ in range(4)]
        nengo.Connection(u, ens[0])
        for a, b in zip(ens[:-1], ens[1:]):
            nengo.Connection(a, b)
        nengo.Probe(ens[-1], synapse=0.01)
        nengo.Probe(ens[1].neurons, "voltage")
    _, ref = _run(caldera_nengo.Simulator, net, 400, backend="cpu")
    sim, got = _run(caldera_nengo.Simulator, net, 400, backend="cython")
    ck = compiled_kernels()
    assert sim.runtime.backend == "cython" and sim._program.compiled is ck
    kinds = {type(k) for k in sim._program.kernels}
    assert ck.ScalarFilters in kinds  # the runs of one-element synapses are fused
    for p in net.all_probes:
        # the same operations element by element; libm's expm1/log1p and NumPy's vectorized ones may differ in
        # the last bit, so the numbers agree to rounding (as Nengo's own do between two builds)
        np.testing.assert_allclose(got[p], ref[p], rtol=1e-9, atol=1e-12)


def test_pickled_simulator_continues_where_it_stopped():
    import pickle

    net = _channel()
    probe = net.all_probes[0]
    with caldera_nengo.Simulator(net, progress_bar=False, backend="cpu") as whole:
        whole.run_steps(120)
        expected = whole.data[probe].copy()
    with caldera_nengo.Simulator(net, progress_bar=False, backend="cpu") as first:
        first.run_steps(60)
        index = first.model.probes.index(probe)
        blob = pickle.dumps(first)
    with pickle.loads(blob) as second:  # a copy of the model: its own Probe objects
        assert second.n_steps == 60 and second.backend == "cpu"
        second.run_steps(60)
        np.testing.assert_array_equal(second.data[second.model.probes[index]], expected)
