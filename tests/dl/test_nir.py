"""NIR import/export: snnTorch networks run in caldera with snnTorch's spikes; caldera-dl and caldera networks
go through NIR and come back unchanged."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
nir = pytest.importorskip("nir")
torch.set_num_threads(1)

import caldera  # noqa: E402
from caldera.procs import Monitor, RingBuffer  # noqa: E402
from caldera_dl import block as B  # noqa: E402
from caldera_dl import deploy  # noqa: E402
from caldera_dl.nir_io import NIRError, from_nir, to_nir  # noqa: E402


def _val(proc, name: str) -> float:
    return float(np.asarray(getattr(proc, name).init).reshape(-1)[0])


def _run(net, x: np.ndarray, extra: int) -> np.ndarray:
    """Output spikes of a caldera network for input (features, T), shifted back by ``extra`` steps."""
    T = x.shape[-1]
    src = RingBuffer(data=np.concatenate([x, np.zeros(x.shape[:-1] + (extra,))], -1))
    src.s_out.connect(net.inp)
    mon = Monitor()
    mon.probe(net.out, num_steps=T + extra)
    net.run(condition=caldera.RunSteps(num_steps=T + extra), run_cfg=caldera.RunConfig(backend="cpu"))
    out = mon.get_data()
    net.stop()
    raster = next(iter(out.values()))
    raster = next(iter(raster.values()))
    return np.asarray(raster)[extra:].T


def _snntorch_net(leaky_out: bool):
    snn = pytest.importorskip("snntorch")
    pytest.importorskip("nirtorch")
    torch.manual_seed(0)
    kw = dict(init_hidden=True, reset_mechanism="zero", reset_delay=False)
    last = (
        snn.Leaky(beta=torch.full((6,), 0.8), threshold=torch.full((6,), 0.7), output=True, **kw)
        if leaky_out
        else snn.Synaptic(
            alpha=torch.full((6,), 0.6), beta=torch.full((6,), 0.85), threshold=torch.full((6,), 0.7), output=True, **kw
        )
    )
    net = torch.nn.Sequential(
        torch.nn.Linear(10, 12, bias=False),
        snn.Synaptic(alpha=torch.full((12,), 0.7), beta=torch.full((12,), 0.9), threshold=torch.ones(12), **kw),
        torch.nn.Linear(12, 6, bias=False),
        last,
    )
    with torch.no_grad():
        net[0].weight.mul_(1.5)
        net[2].weight.mul_(2.0)
    return snn, net


@pytest.mark.parametrize("leaky_out", [False, True])
def test_snntorch_network_through_nir_gives_snntorchs_spikes(leaky_out):
    snn, net = _snntorch_net(leaky_out)
    from snntorch.export_nir import export_to_nir
    from snntorch.utils import reset

    graph = export_to_nir(net, torch.zeros(10))
    T = 60
    x = (torch.rand(T, 10, generator=torch.Generator().manual_seed(1)) < 0.3).float()
    reset(net)
    with torch.no_grad():
        want = torch.stack([net(x[t : t + 1])[0][0] for t in range(T)], -1).numpy()
    assert want.sum() > 20
    cnet = from_nir(graph)
    assert [type(b.neuron).__name__ for b in cnet.layers] == ["LIF", "LIF"]
    got = _run(cnet, x.numpy().T.astype(np.float64), extra=2)  # two Dense synapses, one step each
    np.testing.assert_array_equal(got, want)


def test_caldera_dl_model_round_trips_through_nir(tmp_path):
    torch.manual_seed(3)
    nrn = {"threshold": 1.0, "current_decay": 0.3, "voltage_decay": 0.1}
    m = B.Network(
        B.Conv(2, 3, 3, nrn, padding=1, weight_scale=4, bias=True, input_hw=(6, 6)),
        B.Pool(2, nrn, weight=0.7),
        B.Flatten(),
        B.Dense(27, 4, nrn, weight_scale=3),
        input_shape=(2, 6, 6),
    ).double()
    with torch.no_grad():
        m.blocks[0].neuron.bias.uniform_(0, 0.05)
    path = tmp_path / "model.nir"
    to_nir(m, path=path)
    graph = nir.read(path)
    assert {type(n).__name__ for n in graph.nodes.values()} >= {"Conv2d", "SumPool2d", "Flatten", "Linear", "CubaLIF"}
    x = (torch.rand(1, 2, 6, 6, 15, generator=torch.Generator().manual_seed(4)) < 0.3).double()
    with torch.no_grad():
        want = m(x).numpy()
    direct = deploy.to_processes(m, "floating_pt", reset_interval=15 + 5)
    via_nir = from_nir(graph)
    for a, b in zip(direct.layers, via_nir.layers):
        for name in ("du", "dv", "vth"):
            np.testing.assert_allclose(_val(a.neuron, name), _val(b.neuron, name), rtol=1e-12)
        wa = a.synapse.vars["weights" if "weights" in a.synapse.vars else "weight"].init
        wb = b.synapse.vars["weights" if "weights" in b.synapse.vars else "weight"].init
        np.testing.assert_allclose(np.asarray(wa, float), np.asarray(wb, float), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(
        np.asarray(direct.layers[0].neuron.bias_mant.init, float),
        np.asarray(via_nir.layers[0].neuron.bias_mant.init, float),
        rtol=1e-12,
        atol=1e-15,
    )
    got = deploy.run(m, x, tag="floating_pt", backend="cpu", network=from_nir(graph), gap=5)["output"]
    np.testing.assert_array_equal(got, want)
    # the deployed caldera processes (conv, pool, flatten ports, dense) export too, and come back the same
    procs_graph = to_nir(deploy.to_processes(m, "floating_pt"))
    kinds = {type(n).__name__ for n in procs_graph.nodes.values()}
    assert kinds >= {"Conv2d", "Flatten", "Linear", "CubaLIF"}, kinds
    got = deploy.run(m, x, tag="floating_pt", backend="cpu", network=from_nir(procs_graph), gap=5)["output"]
    np.testing.assert_array_equal(got, want)


def test_delays_and_recurrent_blocks_round_trip_through_nir(tmp_path):
    """Axonal delays export as NIR Delay nodes, a recurrent block as a cycle (neuron -> Linear -> neuron); read back,
    the network gives the torch forward pass's spikes."""
    torch.manual_seed(7)
    nrn = {"threshold": 0.8, "current_decay": 0.4, "voltage_decay": 0.1}
    m = B.Network(
        B.Dense(8, 10, nrn, delay=True, weight_scale=3),
        B.RecurrentDense(10, 4, nrn, weight_scale=3),
        input_shape=(8,),
    ).double()
    with torch.no_grad():
        m.blocks[0].delay.delay.uniform_(0, 5)
    to_nir(m, path=tmp_path / "rec.nir")
    graph = nir.read(tmp_path / "rec.nir")
    kinds = {type(n).__name__ for n in graph.nodes.values()}
    assert {"Delay", "Linear", "CubaLIF"} <= kinds and ("1", "1_rec") in graph.edges and ("1_rec", "1") in graph.edges
    x = (torch.rand(1, 8, 30, generator=torch.Generator().manual_seed(8)) < 0.4).double()
    with torch.no_grad():
        want = [y.numpy() for y in m(x, return_all=True)]
    assert want[0].sum() > 20 and want[1].sum() > 5
    net = from_nir(graph)
    assert [type(b.synapse).__name__ for b in net.layers] == ["DelayDense", "Dense"]
    got = deploy.run(m, x, tag="floating_pt", backend="cpu", network=net, probe_layers=True)["layers"]
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)
    # the deployed processes (DelayDense, a recurrent Dense) export the same way
    procs_graph = to_nir(deploy.to_processes(m, "floating_pt"))
    assert sum(type(n).__name__ == "Delay" for n in procs_graph.nodes.values()) == 1
    assert any((b, a) in procs_graph.edges for a, b in procs_graph.edges)
    got = deploy.run(m, x, tag="floating_pt", backend="cpu", network=from_nir(procs_graph), probe_layers=True)
    for g, w in zip(got["layers"], want):
        np.testing.assert_array_equal(g, w)


def test_caldera_network_round_trips_through_nir():
    torch.manual_seed(5)
    m = B.Network(
        B.Dense(5, 7, {"threshold": 0.8, "current_decay": 0.2, "voltage_decay": 0.05}, bias=True),
        B.Dense(7, 3, {"threshold": 1.2, "current_decay": 0.6, "voltage_decay": 0.3}),
        input_shape=(5,),
    )
    net = deploy.to_processes(m, "floating_pt")
    back = from_nir(to_nir(net))
    for a, b in zip(net.layers, back.layers):
        assert type(a.neuron) is type(b.neuron) and type(a.synapse) is type(b.synapse)
        for name in ("du", "dv", "vth"):
            np.testing.assert_allclose(_val(a.neuron, name), _val(b.neuron, name), rtol=1e-12)
        np.testing.assert_allclose(b.synapse.weights.init, a.synapse.weights.init, rtol=1e-12)

        def bias(p):
            return np.broadcast_to(np.asarray(p.bias_mant.init, float), p.shape)

        np.testing.assert_allclose(bias(b.neuron), bias(a.neuron), rtol=1e-12, atol=1e-15)


def test_unsupported_nodes_are_all_listed():
    n = 4
    graph = nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type={"input": np.array([n])}),
            "w": nir.Linear(weight=np.eye(n)),
            "w2": nir.Linear(weight=np.eye(n)),
            "li": nir.LI(tau=np.ones(n), r=np.ones(n), v_leak=np.zeros(n)),
            "thr": nir.Threshold(threshold=np.ones(n)),
            "scale": nir.Scale(scale=np.ones(n)),
            "half": nir.Delay(delay=np.full(n, 1.5e-4)),
            "output": nir.Output(output_type={"output": np.array([n])}),
        },
        edges=[
            ("input", "w"),
            ("w", "w2"),
            ("w2", "half"),
            ("half", "li"),
            ("li", "thr"),
            ("thr", "scale"),
            ("scale", "output"),
        ],
        type_check=False,
    )
    with pytest.raises(NIRError) as e:
        from_nir(graph)
    msg = str(e.value)
    for part in (
        "'scale' (Scale)",
        "'li' (LI feeding Threshold 'thr': an LI is a readout",
        "'thr' (Threshold fed by LI 'li'",
        "'w' (Linear feeding Linear 'w2'",
        "'half' (Delay of",
    ):
        assert part in msg, msg
    with pytest.raises(NIRError, match="expected a nir.NIRGraph"):
        from_nir(42)


def _lin(w):
    return nir.Linear(weight=np.asarray(w, dtype=np.float64))


def _graph(nodes: dict, chain: list, extra_edges=()):
    n_in = np.asarray(nodes[chain[1]].weight).shape[1]
    nodes = {"input": nir.Input(input_type={"input": np.array([n_in])}), **nodes}
    last = nodes[chain[-1]]
    n_out = np.asarray(getattr(last, "v_threshold", getattr(last, "threshold", getattr(last, "tau", None)))).size
    nodes["output"] = nir.Output(output_type={"output": np.array([n_out])})
    names = ["input", *chain[1:], "output"]
    edges = list(zip(names[:-1], names[1:])) + list(extra_edges)
    return nir.NIRGraph(nodes=nodes, edges=edges, type_check=False)


def _reference(x, layers):
    """Forward Euler of a chain of (weight, kind, params) layers with one step of delay per synapse (caldera's)."""
    T = x.shape[1]
    s = x
    for w, kind, p in layers:
        n = w.shape[0]
        v = np.zeros(n)
        out = np.zeros((n, T))
        delay = p.get("delay", 0)
        for t in range(T):
            src = t - 1 - delay
            inp = w @ s[:, src] if src >= 0 else np.zeros(n)
            if kind == "IF":
                v = v + DT * p["r"] * inp
            elif kind == "Threshold":
                v = inp
            else:  # LIF, LI
                v = v + DT / p["tau"] * (p.get("v_leak", 0.0) - v + p["r"] * inp)
            spk = (v > p["vth"]).astype(float)
            v = v * (1 - spk)
            out[:, t] = spk
            if kind == "LI":
                out[:, t] = v
        s = out
    return s


DT = 1e-4


def _run_layers(net, x: np.ndarray, probe_v=None) -> np.ndarray:
    src = RingBuffer(data=x)
    src.s_out.connect(net.inp)
    mon = Monitor()
    target = probe_v if probe_v is not None else net.out_layer.neuron
    var = target.v if probe_v is not None else target.s_out
    mon.probe(var, num_steps=x.shape[1])
    net.run(condition=caldera.RunSteps(num_steps=x.shape[1]), run_cfg=caldera.RunConfig(backend="cpu"))
    data = mon.get_data()[target.name]
    net.stop()
    return np.asarray(data["v" if probe_v is not None else "s_out"]).T


def test_if_threshold_delay_and_li_readout():
    """IF (v += dt r x), Threshold (a spike where the input exceeds it), a Delay of 3 steps before a Linear, and an
    LI readout (its v, probed) against forward Euler worked in NumPy with caldera's one step per synapse."""
    rng = np.random.default_rng(4)
    w1, w2, w3 = rng.normal(0.6, 1, (6, 5)), rng.normal(0.3, 1, (4, 6)), rng.normal(0.2, 1, (3, 4))
    x = (rng.random((5, 40)) < 0.4).astype(float)
    nodes = {
        "w1": _lin(w1),
        "if": nir.IF(r=np.full(6, 5000.0), v_threshold=np.full(6, 1.0), v_reset=np.zeros(6)),
        "d": nir.Delay(delay=np.full(6, 3 * DT)),
        "w2": _lin(w2),
        "thr": nir.Threshold(threshold=np.full(4, 0.5)),
        "w3": _lin(w3),
        "li": nir.LI(tau=np.full(3, 5 * DT), r=np.full(3, 2.0), v_leak=np.full(3, 0.1)),
    }
    graph = _graph(nodes, ["input", "w1", "if", "d", "w2", "thr", "w3", "li"])
    ref_if = _reference(x, [(w1, "IF", {"r": 5000.0, "vth": 1.0})])
    ref_thr = _reference(ref_if, [(w2, "Threshold", {"vth": 0.5, "delay": 3})])
    ref_li = _reference(ref_thr, [(w3, "LI", {"tau": 5 * DT, "r": 2.0, "v_leak": 0.1, "vth": np.inf})])
    assert ref_if.sum() > 20 and ref_thr.sum() > 10
    net = from_nir(graph)
    assert [b.type for b in net.layers] == ["IF", "Threshold", "LI"] and len(net.readout) == 1
    assert type(net.layers[1].synapse).__name__ == "DelayDense"
    np.testing.assert_allclose(_run_layers(net, x, probe_v=net.readout[0]), ref_li, rtol=1e-9, atol=1e-12)
    net = from_nir(graph)
    thr = net.layers[1].neuron
    net.out, net.out_layer = thr.s_out, net.layers[1]
    np.testing.assert_array_equal(_run_layers(net, x), ref_thr)
    # round trip: the caldera network exports to the same node types and runs the same
    back = to_nir(from_nir(graph))
    kinds = sorted(type(n).__name__ for n in back.nodes.values())
    assert kinds == ["Delay", "IF", "Input", "LI", "Linear", "Linear", "Linear", "Output", "Threshold"], kinds
    again = from_nir(back)
    assert [b.type for b in again.layers] == ["IF", "Threshold", "LI"]
    np.testing.assert_allclose(_run_layers(again, x, probe_v=again.readout[0]), ref_li, rtol=1e-9, atol=1e-12)


def test_recurrent_cycle_in_the_graph():
    """A LIF fed by an input Linear and by its own spikes through an Affine (a cycle in the graph): one step later."""
    rng = np.random.default_rng(5)
    w, r, b = rng.normal(0.5, 1, (5, 4)), rng.normal(0, 0.8, (5, 5)), np.full(5, 0.05)
    x = (rng.random((4, 50)) < 0.3).astype(float)
    nodes = {
        "w": _lin(w),
        "lif": nir.LIF(tau=np.full(5, 4 * DT), r=np.full(5, 4.0), v_leak=np.zeros(5), v_threshold=np.full(5, 1.0)),
        "rec": nir.Affine(weight=r, bias=b),
    }
    graph = _graph(nodes, ["input", "w", "lif"], extra_edges=[("lif", "rec"), ("rec", "lif")])
    T = x.shape[1]  # forward Euler, dt / tau = 1/4; the Affine's spikes and bias arrive with one step of delay
    v, prev, want = np.zeros(5), np.zeros(5), np.zeros((5, T))
    for t in range(T):
        inp = (w @ x[:, t - 1] if t >= 1 else 0) + r @ prev + b
        v = v + 0.25 * (-v + 4.0 * inp)
        want[:, t] = prev = (v > 1.0).astype(float)
        v = v * (1 - prev)
    assert want.sum() > 20
    net = from_nir(graph)
    got = _run_layers(net, x)
    np.testing.assert_array_equal(got, want)
    # the same layer as a nested subgraph (as snnTorch's converter builds recurrent layers) is inlined
    sub = nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type={"input": np.array([5])}),
            "lif": nodes["lif"],
            "rec": nodes["rec"],
            "output": nir.Output(output_type={"output": np.array([5])}),
        },
        edges=[("input", "lif"), ("lif", "rec"), ("rec", "lif"), ("lif", "output")],
        type_check=False,
    )
    nested = nir.NIRGraph(
        nodes={"input": graph.nodes["input"], "w": nodes["w"], "r1": sub, "output": graph.nodes["output"]},
        edges=[("input", "w"), ("w", "r1"), ("r1", "output")],
        type_check=False,
    )
    net = from_nir(nested)
    assert [b.neuron.name for b in net.layers] == ["nir_r1.lif"]
    np.testing.assert_array_equal(_run_layers(net, x), want)
    # round trip: the cycle comes back as a cycle (the Affine's bias now the LIF's v_leak)
    back = to_nir(from_nir(graph))
    rec = [(a, b) for a, b in back.edges if (b, a) in back.edges]
    assert rec and {type(back.nodes[a]).__name__ for a, _ in rec} == {"LIF", "Linear"}
    np.testing.assert_array_equal(_run_layers(from_nir(back), x), want)


def test_snntorch_recurrent_leaky_through_nir():
    """snnTorch's RLeaky (a recurrent subgraph: LIF <-> Linear) through NIR gives snnTorch's spikes.

    snnTorch 1.0's ``export_to_nir`` fails its own type inference on recurrent layers, so the graph is taken the
    way it builds it (nirtorch with snnTorch's module converter) without that last step."""
    snn = pytest.importorskip("snntorch")
    nirtorch = pytest.importorskip("nirtorch")
    from snntorch.export_nir import _extract_snntorch_module
    from snntorch.utils import reset

    torch.manual_seed(2)
    kw = dict(init_hidden=True, reset_mechanism="zero", reset_delay=False)
    net = torch.nn.Sequential(
        torch.nn.Linear(6, 8, bias=False),
        snn.RLeaky(beta=0.85, linear_features=8, threshold=1.0, **kw),
        torch.nn.Linear(8, 3, bias=False),
        snn.Leaky(beta=0.8, threshold=0.6, output=True, **kw),
    )
    with torch.no_grad():
        net[0].weight.mul_(2.0)
        net[1].recurrent.weight.mul_(1.5)
        net[1].recurrent.bias.zero_()  # a constant input would also act in the step before the first input arrives
        net[2].weight.mul_(2.0)
    graph = nirtorch.extract_nir_graph(
        net, _extract_snntorch_module, torch.zeros(6), ignore_submodules_of=[snn.RLeaky, snn.RSynaptic]
    )
    assert any(a == b2 and b == a2 for a, b in graph.edges for a2, b2 in graph.edges)  # a cycle
    T = 60
    x = (torch.rand(T, 6, generator=torch.Generator().manual_seed(3)) < 0.4).float()
    reset(net)
    with torch.no_grad():
        want = torch.stack([net(x[t : t + 1])[0][0] for t in range(T)], -1).numpy()
    assert want.sum() > 10
    cnet = from_nir(graph)
    got = _run(cnet, x.numpy().T.astype(np.float64), extra=2)
    np.testing.assert_array_equal(got, want)
