"""tag='fixed_pt' on backend='loihi': Nengo models quantized as nengo-loihi does, run on caldera-loihi's emulator.

Accuracy is checked as nengo-loihi's own tests check theirs (``nengo_loihi/tests/test_basic.py``: decoded
values within ``atol=0.1, rtol=0.1`` of the reference after 0.1 s, filtered with ``Alpha(0.02)``), here against
``nengo.Simulator`` on the same network. The quantization is checked integer by integer.
"""

from __future__ import annotations

import pickle

import caldera_nengo
import nengo
import numpy as np
import pytest
from caldera.run_conditions import RunSteps
from caldera.run_config import RunConfig
from caldera_nengo.discretize import decays, discretize_block
from caldera_nengo.loihi_procs import NengoLIF
from nengo.exceptions import BuildError

FILTER = nengo.synapses.Alpha(0.02)


def _both(net, seconds):
    with nengo.Simulator(net, progress_bar=False) as ref:
        ref.run(seconds)
    with caldera_nengo.Simulator(net, backend="loihi", tag="fixed_pt", progress_bar=False) as sim:
        sim.run(seconds)
    return ref, sim


def _close(ref, sim, probe, atol, rtol, after=0.1):
    t = sim.trange()
    assert np.array_equal(t, ref.trange())
    a = FILTER.filtfilt(sim.data[probe])[t > after]
    b = FILTER.filtfilt(ref.data[probe])[t > after]
    np.testing.assert_allclose(a, b, atol=atol, rtol=rtol)


def test_communication_channel_and_squaring():
    with nengo.Network(seed=1) as net:
        u = nengo.Node(nengo.processes.WhiteSignal(1.0, high=1, rms=0.5, seed=1))
        a = nengo.Ensemble(100, 1)
        b = nengo.Ensemble(101, 1)
        c = nengo.Ensemble(102, 1)
        nengo.Connection(u, a)
        nengo.Connection(a, b)
        nengo.Connection(a, c, function=np.square, synapse=None)
        pu, pa, pb, pc = (nengo.Probe(x) for x in (u, a, b, c))
        spikes = nengo.Probe(a.neurons)
    ref, sim = _both(net, 1.0)
    for p in (pa, pb, pc):
        _close(ref, sim, p, atol=0.1, rtol=0.1)
    np.testing.assert_array_equal(sim.data[pu], ref.data[pu])  # host side: Nengo's numbers
    rate = sim.data[spikes].sum(axis=0) * sim.dt  # spikes per neuron in the one second
    ref_rate = ref.data[spikes].sum(axis=0) * ref.dt
    assert set(np.unique(sim.data[spikes])) <= {0.0, 1 / sim.dt}
    assert abs(rate.sum() - ref_rate.sum()) < 0.15 * ref_rate.sum()
    rep = sim.report  # the emulator's report: one core per ensemble here, a's spikes as probed
    assert rep.steps == 1000 and rep.cores_used == 3
    by_name = {p["name"]: p for p in rep.processes}
    assert by_name[str(a)]["cls"] == "NengoLIF" and by_name[str(a)]["neurons"] == 100
    assert by_name[str(a)]["spikes"] == int(round(rate.sum()))
    totals = rep.totals()
    assert totals["spikes"] == sum(by_name[str(e)]["spikes"] for e in (a, b, c))
    assert totals["host_inputs"] > 0 and totals["energy_pj"] > 0


def test_integrator():
    # the classic tau 0.1: the biases' 12 bits force a weight exponent of about -6, where the truncating current
    # decay costs the recurrent loop a few % of its gain (nengo-loihi's quantization has the same limit; README)
    tau = 0.1
    with nengo.Network(seed=2) as net:
        u = nengo.Node(nengo.processes.Piecewise({0: 0, 0.2: 1, 0.5: 0, 0.7: -0.5, 1.0: 0}))
        a = nengo.Ensemble(200, 1)
        nengo.Connection(u, a, transform=tau, synapse=tau)
        nengo.Connection(a, a, synapse=tau)
        p = nengo.Probe(a, synapse=0.05)
    ref, sim = _both(net, 1.2)
    t = sim.trange()
    _close(ref, sim, p, atol=0.1, rtol=0.15)
    # both synapses into a shift right; each got the rounding axon: weight half the last kept bit, last column
    for (_, w_float, _), (w, e) in zip(sim._plan.blocks[a].inputs, sim._plan.blocks[a].q.synapses):
        assert e <= -2 and w.shape[1] == w_float.shape[1] + 1 and np.all(w[:, -1] == 2 ** (-e - 1))
    # the ideal: 0.3 from 0.5 s to 0.7 s, then 0.15 after 1.0 s
    held = sim.data[p][(t > 0.6) & (t < 0.7)].mean()
    assert abs(held - 0.3) < 0.06
    assert sim.data[p][t > 1.1].mean() < held - 0.05


def test_product_network():
    with nengo.Network(seed=3) as net:
        a = nengo.Node(lambda t: np.sin(2 * np.pi * t))
        b = nengo.Node(lambda t: 0.8 * np.cos(2 * np.pi * t))
        prod = nengo.networks.Product(100, 1)
        nengo.Connection(a, prod.input_a)
        nengo.Connection(b, prod.input_b)
        p = nengo.Probe(prod.output, synapse=0.01)
    ref, sim = _both(net, 1.0)
    _close(ref, sim, p, atol=0.1, rtol=0.15)
    t = sim.trange()
    ideal = 0.8 * np.sin(2 * np.pi * t) * np.cos(2 * np.pi * t)

    def rmse(x):
        return np.sqrt(np.mean((FILTER.filtfilt(x)[t > 0.1, 0] - ideal[t > 0.1]) ** 2))

    assert rmse(sim.data[p]) < rmse(ref.data[p]) + 0.05


def test_passthrough_nodes_between_ensembles_fold_into_chip_synapses():
    with nengo.Network(seed=7) as net:
        u = nengo.Node(lambda t: [np.sin(3 * t), np.cos(3 * t)])
        ea = nengo.networks.EnsembleArray(80, 2)
        eb = nengo.networks.EnsembleArray(80, 2)
        c = nengo.Ensemble(100, 1)
        nengo.Connection(u, ea.input)
        nengo.Connection(ea.output, eb.input, transform=[[0, 1], [1, 0]])
        nengo.Connection(ea.output[0], c, synapse=None)
        p = nengo.Probe(eb.output, synapse=0.03)
        pc = nengo.Probe(c, synapse=0.03)
    ref, sim = _both(net, 1.0)
    _close(ref, sim, p, atol=0.1, rtol=0.1)
    _close(ref, sim, pc, atol=0.1, rtol=0.1)
    plan = sim._plan
    # ea.output and eb.input relay between ensembles: folded (ea.output -> eb.input has one synapse, Nengo's
    # default on ea.output -> eb.input; ea's ensembles -> ea.output have none); eb.output is probed: folded for
    # nothing on the chip, kept on the host. ea.input is fed by the host: not folded.
    assert set(plan.folded) == {ea.output, eb.input, eb.output} and plan.host_passthrough == {eb.output}
    assert len(plan.sends) == 2  # u -> ea.input -> ea's two ensembles; nothing else crosses to the chip
    assert {r.ens for r in plan.recvs} == {eb.ensembles[0], eb.ensembles[1], c}
    inputs = plan.blocks[eb.ensembles[0]].inputs
    assert [src for src, _, _ in inputs] == [ea.ensembles[1]] and inputs[0][2] == 0.005  # the transform swaps


def test_neuron_connections_and_reset():
    with nengo.Network(seed=4) as net:
        u = nengo.Node(0.5)
        a = nengo.Ensemble(50, 1, neuron_type=nengo.SpikingRectifiedLinear())
        b = nengo.Ensemble(50, 1)
        nengo.Connection(u, a)
        nengo.Connection(a, b)
        nengo.Connection(u, b.neurons, transform=-3 * np.ones((50, 1)))  # inhibits b completely
        out = nengo.Node(size_in=1)
        nengo.Connection(a, out, synapse=0.02)
        pa, pb, po = nengo.Probe(a, synapse=0.02), nengo.Probe(b.neurons), nengo.Probe(out)
    with caldera_nengo.Simulator(net, backend="loihi", tag="fixed_pt", progress_bar=False) as sim:
        sim.run(0.5)
        first = {p: sim.data[p].copy() for p in (pa, pb, po)}
        assert abs(first[pa][-100:].mean() - 0.5) < 0.1
        assert first[pb][200:].sum() == 0  # after the inhibition arrives, b is silent
        # the Node's input and the probe decode the same spikes (with their own solvers' decoders)
        np.testing.assert_allclose(first[po], first[pa], atol=0.03)
        sim.reset()
        assert sim.n_steps == 0 and len(sim.data[pa]) == 0
        sim.run(0.5)
        for p, x in first.items():  # the chip's state was reset too: the same run again
            np.testing.assert_array_equal(sim.data[p], x)


def test_voltage_probe_reads_the_chip_voltages():
    with nengo.Network(seed=6) as net:
        a = nengo.Ensemble(20, 1, neuron_type=nengo.LIF(tau_ref=0.004), max_rates=nengo.dists.Uniform(100, 200))
        pv = nengo.Probe(a.neurons, "voltage")
        ps = nengo.Probe(a.neurons)
        pv2 = nengo.Probe(a.neurons[:4], "voltage", sample_every=0.002)
    with caldera_nengo.Simulator(net, backend="loihi", tag="fixed_pt", progress_bar=False) as sim:
        sim.run_steps(300)
        lif = sim._plan.lifs[a]
        vth = int(lif.vth.get()[0]) << 6
        v, s = sim.data[pv], sim.data[ps] > 0
        # the probe is the chip's voltage over its threshold: the last row is the process's v exactly
        np.testing.assert_array_equal(np.round(v[-1] * vth), lif.v.get())
        assert v.min() >= 0 and v.max() <= 1  # the floor (min_voltage 0) and the threshold
        # a spike resets to 0, then the refractory delay round(0.004 / 0.001) + 1 = 5 holds 0 four more steps
        for t, i in zip(*np.nonzero(s[:-5])):
            assert np.all(v[t : t + 5, i] == 0)
        np.testing.assert_array_equal(sim.data[pv2], v[1::2, :4])


def test_quantization_integers_follow_nengo_loihi():
    # A LIF block (tau_rc 0.02, dt 0.001) with synapse tau 0.005, biases [2, -0.5, 10], two synapses.
    # du = round(4095 (1 - e^-0.2) - 1) = round(741.30) = 741; dv = round(4095 (1 - e^-0.05)) = round(199.72) = 200.
    # w_max = 0.8, w_scale = 255 / 0.8 = 318.75; the first exponent where threshold and biases fit is -2.
    # Synapse 1: mantissas round(w * 318.75): 0.8 -> 255, 0.4 -> 127.5 -> 128, 0.1 -> 31.875 -> 32,
    # 0.2 -> 63.75 -> 64, 0.3 -> 95.625 -> 96, exponent -2. Synapse 2 (w_max 0.05): dw = floor(log2(0.8/0.05)) = 4,
    # exponent max(-2 - 4, -6) = -6, mantissas round(w * 318.75 * 16): 255, 51, 102.
    # Threshold and biases (v_scale from the decays' impulse sums) as nengo-loihi's discretize_compartment gives
    # them for this block: vth = 576512 = 9008 << 6; biases 56304 = 3519 << 4, -14076 = -3519 << 2,
    # 281472 = 2199 << 7.
    decay_u, decay_v, scale_v = decays(0.005, 0.001, 0.02)
    w1 = np.array([[0.8, 0.4], [0.1, 0.2], [0.0, 0.3]])
    w2 = np.array([[0.05], [0.01], [0.02]])
    q = discretize_block("test", decay_u, decay_v, scale_v, 1.0, np.array([2.0, -0.5, 10.0]), [w1, w2])
    assert (q.du, q.dv, q.vth, q.w_exp) == (741, 200, 9008, -2)
    assert q.bias_mant.tolist() == [3519, -3519, 2199] and q.bias_exp.tolist() == [4, 2, 7]
    (m1, e1), (m2, e2) = q.synapses
    assert m1.tolist() == [[255, 128], [32, 64], [0, 96]] and e1 == -2
    assert m2.tolist() == [[255], [51], [102]] and e2 == -6
    # mixed signs: Loihi 2 keeps 8 bits including the sign, so mantissas are even (-0.4 -> -127.5 -> -128)
    q = discretize_block(
        "test", decay_u, decay_v, scale_v, 1.0, np.array([0.0, 0.0]), [np.array([[0.8, -0.4], [0.1, 0.3]])]
    )
    assert q.synapses[0][0].tolist() == [[254, -128], [32, 96]]
    # SpikingRectifiedLinear (no leak, threshold 1/dt) with synapse None: du = round(4095 - 1) = 4094, dv = 0,
    # w_max 2: mantissas round(w * 127.5): 255, 127.5 -> 128, 63.75 -> 64, 31.875 -> 32, 12.75 -> 13; exponent -3
    decay_u, decay_v, scale_v = decays(0.0, 0.001, None)
    q = discretize_block(
        "relu",
        decay_u,
        decay_v,
        scale_v,
        1000.0,
        np.array([0.0, 300.0]),
        [np.array([[2.0, 1.0, 0.5], [0.25, 0.1, 0.0]])],
    )
    assert (q.du, q.dv, q.vth, q.w_exp) == (4094, 0, 15941, -3)
    assert q.bias_mant.tolist() == [0, 2391] and q.bias_exp.tolist() == [0, 7]
    assert q.synapses[0][0].tolist() == [[255, 128, 64], [32, 13, 0]]


def test_chip_neurons_refractory_period_and_voltage_floor():
    # no leak, bias 100 << 6 = 6400 per step, threshold 100 << 6 = 6400: v = 6400 (not above), 12800 -> spike
    # at step 2; refractory_delay 3 holds v at 0 for steps 3 and 4; then 6400, 12800 -> spikes at 2, 6, 10, ...
    # The second neuron's negative bias stops at vmin = -7 (nengo-loihi's -(2**k) + 1 floors); the third at 0.
    lif = NengoLIF(shape=(1,), bias_mant=100, bias_exp=6, vth=100, dv=0, du=0, refractory_delay=3, vmin=0)
    neg = NengoLIF(shape=(2,), bias_mant=[-3, -3], bias_exp=0, vth=100, refractory_delay=1, vmin=-7)
    cfg = RunConfig(backend="loihi", tag="fixed_pt")
    spikes = []
    for _ in range(12):
        lif.run(RunSteps(num_steps=1), cfg)
        spikes.append(int(lif.v.get()[0] == 0 and lif.ref_count.get()[0] == 2))
    assert [i + 1 for i, s in enumerate(spikes) if s] == [2, 6, 10]
    neg.run(RunSteps(num_steps=5), cfg)
    assert neg.v.get().tolist() == [-7, -7]
    lif.stop()
    neg.stop()


def test_what_cannot_be_mapped_is_a_build_error_naming_it():
    def build(make):
        with nengo.Network() as net:
            obj = make()
        with pytest.raises(BuildError) as e:
            caldera_nengo.Simulator(net, backend="loihi", tag="fixed_pt", progress_bar=False)
        return str(e.value), obj

    msg, ens = build(lambda: nengo.Ensemble(10, 1, neuron_type=nengo.LIFRate(), label="rate"))
    assert "rate" in msg and "LIFRate" in msg and "LIF and SpikingRectifiedLinear" in msg

    # learning rules other than PES (nengo-loihi also learns with PES only); each error names the connection
    def learned(rule, **kw):
        def make():
            a, b = nengo.Ensemble(10, 1), nengo.Ensemble(10, 1)
            pre, post = (a.neurons, b.neurons) if rule.modifies == "weights" else (a, b)
            conn = nengo.Connection(pre, post, learning_rule_type=rule, label="learned", **kw)
            if rule.modifies == "decoders":
                nengo.Connection(b, conn.learning_rule)
            return conn

        return build(make)[0]

    for rule, why in (
        (nengo.BCM(), "neuron-to-neuron weights"),
        (nengo.Oja(), "neuron-to-neuron weights"),
        (nengo.Voja(), "encoders"),
        (nengo.RLS(), "PES only"),
    ):
        kw = {"transform": np.ones((10, 10))} if rule.modifies == "weights" else {}
        msg = learned(rule, **kw)
        assert f"<Connection learned>: learning rule {type(rule).__name__} cannot run" in msg, msg
        assert why in msg and "Supported with tag='fixed_pt': nengo.PES" in msg and "floating_pt" in msg, msg

    def pes_into_neurons():
        a, b = nengo.Ensemble(10, 1), nengo.Ensemble(10, 1)
        conn = nengo.Connection(a, b.neurons, transform=np.ones((10, 1)), learning_rule_type=nengo.PES())
        nengo.Connection(b, conn.learning_rule)
        return conn

    msg, conn = build(pes_into_neurons)
    assert str(conn) in msg and "PES into neurons (Ensemble.neurons as post" in msg
    assert "into an Ensemble or a Node" in msg

    def pes_weight_solver():
        a, b = nengo.Ensemble(10, 1), nengo.Ensemble(10, 1)
        solver = nengo.solvers.LstsqL2(weights=True)
        conn = nengo.Connection(a, b, solver=solver, learning_rule_type=nengo.PES())
        nengo.Connection(b, conn.learning_rule)
        return conn

    msg, conn = build(pes_weight_solver)
    assert str(conn) in msg and "PES into neurons (a weight solver" in msg

    def alpha():
        a, b = nengo.Ensemble(10, 1), nengo.Ensemble(10, 1)
        return nengo.Connection(a, b, synapse=nengo.Alpha(0.01), label="alpha")

    msg, _ = build(alpha)
    assert "alpha" in msg and "Lowpass" in msg

    def current():
        a = nengo.Ensemble(10, 1, label="current")
        return nengo.Probe(a.neurons, "input")

    msg, _ = build(current)
    assert "'input'" in msg and "current" in msg and "decoded_output" in msg
    with nengo.Network() as net:
        nengo.Ensemble(10, 1)
    with pytest.raises(BuildError, match="backend='loihi'.*got backend='cpu'"):
        caldera_nengo.Simulator(net, backend="cpu", tag="fixed_pt", progress_bar=False)
    with caldera_nengo.Simulator(net, backend="loihi", tag="fixed_pt", progress_bar=False) as sim:
        with pytest.raises(TypeError, match="fixed_pt.*cannot be pickled"):
            pickle.dumps(sim)
    with pytest.raises(BuildError, match="backend='loihi'.*tag='fixed_pt'"):
        caldera_nengo.Simulator(net, backend="loihi", progress_bar=False)
    with caldera_nengo.Simulator(net, backend="cpu", progress_bar=False) as sim:
        with pytest.raises(nengo.exceptions.ValidationError, match="fixed_pt"):
            sim.report  # noqa: B018


# -- learning: PES on the host, the pre ensemble on the chip ------------------------------------------
def _pes_network(dims, seed, learning_rate, period, tau=0.01):
    """nengo-loihi's ``pes_network`` (``nengo_loihi/tests/test_learning.py``): a channel into a Node whose
    decoders start at zero and learn the input through PES."""
    scale = np.linspace(1, 0, dims + 1)[:-1]
    with nengo.Network(seed=seed) as net:
        stim = nengo.Node(lambda t: np.sin(t * 2 * np.pi / period) * scale)
        pre = nengo.Ensemble(120 * dims, dims)
        post = nengo.Node(size_in=dims)
        nengo.Connection(stim, pre, synapse=None)
        conn = nengo.Connection(
            pre,
            post,
            function=lambda x: np.zeros(dims),
            synapse=tau,
            learning_rule_type=nengo.PES(learning_rate=learning_rate),
        )
        nengo.Connection(post, conn.learning_rule)
        nengo.Connection(stim, conn.learning_rule, transform=-1)
        probes = {k: nengo.Probe(o, synapse=0.02) for k, o in (("stim", stim), ("pre", pre), ("post", post))}
    return net, probes


@pytest.mark.parametrize("dims", [1, 3])
def test_pes_learns_a_channel_as_in_nengo_loihi(dims):
    # nengo-loihi's test_pes_comm_channel and its tolerances. Its learning rate 1e-2 makes nengo.Simulator
    # itself diverge with Nengo 4.1 (PES divides by the number of neurons), so 3e-3 here.
    simtime, tau = 1.5, 0.01
    net, p = _pes_network(dims, seed=3, learning_rate=3e-3, period=simtime / 2, tau=tau)
    ref, sim = _both(net, simtime)
    t = sim.trange()
    pre_t, post_t = t > 0.1, t > simtime / 2
    y = ref.data[p["stim"]]
    y_pre = nengo.Lowpass(caldera_nengo.loihi.DECODE_TAU).filt(y)  # the host's input reaches the chip filtered
    y_post = nengo.Lowpass(tau).filt(y_pre)
    np.testing.assert_allclose(sim.data[p["pre"]][pre_t], y_pre[pre_t], atol=0.1, rtol=0.05)
    np.testing.assert_allclose(sim.data[p["post"]][post_t], y_post[post_t], atol=0.1, rtol=0.05)
    np.testing.assert_allclose(sim.data[p["post"]], ref.data[p["post"]], atol=0.2, rtol=0.2)
    # after learning, the error is at Nengo's own level
    err = np.sqrt(np.mean((sim.data[p["post"]][post_t] - y_post[post_t]) ** 2))
    ref_err = np.sqrt(np.mean((ref.data[p["post"]][post_t] - nengo.Lowpass(tau).filt(y)[post_t]) ** 2))
    assert err < max(2 * ref_err, 0.05), (err, ref_err)


def test_pes_between_chip_ensembles_learns_as_nengos_test_pes():
    # Nengo's own _test_pes (test_pes_ens_ens): post and error ensembles on the chip, the learned decoders
    # on the host feed post through the host's spike encoding; the swapped function is unlearned in 0.4 s
    vin = np.array([0.5, -0.5])
    with nengo.Network(seed=1) as net:
        stim, target = nengo.Node(vin), nengo.Node(vin)
        pre, post, error = (nengo.Ensemble(200, 2, label=n) for n in ("pre", "post", "error"))
        nengo.Connection(stim, pre)
        conn = nengo.Connection(
            pre, post, function=lambda x: [x[1], x[0]], learning_rule_type=nengo.PES(1e-3), label="learned"
        )
        nengo.Connection(target, error, transform=-1)
        nengo.Connection(post, error)
        nengo.Connection(error, conn.learning_rule)
        post_p = nengo.Probe(post, synapse=0.03)
        error_p = nengo.Probe(error, synapse=0.03)
        weights_p = nengo.Probe(conn, "weights", sample_every=0.01)
    ref, sim = _both(net, 0.5)
    tend = sim.trange() > 0.4
    # Nengo's test asks atol=0.05 of nengo.Simulator; the chip's decoded values get nengo-loihi's 0.1
    np.testing.assert_allclose(ref.data[post_p][tend], np.tile(vin, (tend.sum(), 1)), atol=0.05)
    np.testing.assert_allclose(sim.data[post_p][tend], np.tile(vin, (tend.sum(), 1)), atol=0.1)
    np.testing.assert_allclose(sim.data[error_p][tend], 0, atol=0.1)
    w = sim.data[weights_p]
    assert w.shape == (50, 2, 200) and w.shape == ref.data[weights_p].shape
    assert np.abs(w[-1] - w[0]).max() > 1e-5  # learned
    # the learned path is on the host: no chip synapse leaves pre, post gets the host's spike-encoded values
    names = [q["name"] for q in sim.report.processes]
    assert not any(name.startswith(f"{pre} ->") for name in names)
    assert f"host (learned into {post}) -> {post}" in names


class _Replay(nengo.neurons.NeuronType):
    """A neuron type for nengo.Simulator that outputs recorded spikes, one row per step."""

    spiking = True
    state = {"count": nengo.dists.Choice([0])}

    def __init__(self, recorded):
        super().__init__()
        self.recorded = recorded

    def max_rates_intercepts(self, gain, bias):
        return np.zeros_like(gain), np.zeros_like(gain)

    def step(self, dt, J, output, count):
        output[...] = self.recorded[int(count[0])]
        count += 1


def test_pes_update_is_nengos_for_the_same_pre_spikes():
    # The chip's spikes of pre, replayed into nengo.Simulator: the learned weights, PES's delta, error and
    # filtered activities, and the decoded output, step by step, are nengo.Simulator's exactly.
    n = 40
    dec0 = np.random.RandomState(3).uniform(-1e-3, 1e-3, size=(n, 2))

    def network(**pre_kw):
        with nengo.Network(seed=7) as net:
            stim = nengo.Node(lambda t: [np.sin(6 * t), np.cos(5 * t)])
            pre = nengo.Ensemble(n, 2, **pre_kw)
            post = nengo.Node(size_in=2)
            nengo.Connection(stim, pre)
            rule = nengo.PES(learning_rate=1e-3, pre_synapse=nengo.Alpha(0.004))
            conn = nengo.Connection(
                pre, post, solver=nengo.solvers.NoSolver(dec0), synapse=0.01, learning_rule_type=rule
            )
            nengo.Connection(post, conn.learning_rule)
            nengo.Connection(stim, conn.learning_rule, transform=-1)
            probes = {
                "spikes": nengo.Probe(pre.neurons),
                "weights": nengo.Probe(conn, "weights"),
                "post": nengo.Probe(post),
                **{k: nengo.Probe(conn.learning_rule, k) for k in ("delta", "error", "activities")},
            }
        return net, probes

    net, p = network()
    with caldera_nengo.Simulator(net, backend="loihi", tag="fixed_pt", progress_bar=False) as sim:
        sim.run(0.3)
        spikes = sim.data[p["spikes"]]
        assert spikes.sum() > 0
        net_r, p_r = network(neuron_type=_Replay(spikes), gain=np.ones(n), bias=np.zeros(n))
        with nengo.Simulator(net_r, progress_bar=False) as ref:
            ref.run(0.3)
        for k in p:
            np.testing.assert_array_equal(sim.data[p[k]], ref.data[p_r[k]], err_msg=k)
        assert np.abs(np.diff(sim.data[p["weights"]], axis=0)).max() > 0  # it did learn
        first = {k: sim.data[v].copy() for k, v in p.items()}
        sim.reset()  # the chip and the learned weights start over
        sim.run(0.3)
        for k in p:
            np.testing.assert_array_equal(sim.data[p[k]], first[k], err_msg=k)
