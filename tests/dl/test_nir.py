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
            "delay": nir.Delay(delay=np.ones(n)),
            "li": nir.LI(tau=np.ones(n), r=np.ones(n), v_leak=np.zeros(n)),
            "thr": nir.Threshold(threshold=np.ones(n)),
            "output": nir.Output(output_type={"output": np.array([n])}),
        },
        edges=[("input", "w"), ("w", "delay"), ("delay", "li"), ("li", "thr"), ("thr", "output")],
        type_check=False,
    )
    with pytest.raises(NIRError) as e:
        from_nir(graph)
    msg = str(e.value)
    for part in ("'delay' (Delay)", "'li' (LI)", "'thr' (Threshold)", "'w' (Linear feeding Delay"):
        assert part in msg, msg
    with pytest.raises(NIRError, match="expected a nir.NIRGraph"):
        from_nir(42)
