"""lava-dl netx networks read by caldera-dl, run on caldera's backends, compared with lava-dl's ground truth."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("h5py")

import caldera  # noqa: E402
from caldera.procs import LIF, Dense, Monitor, Reset, RingBuffer, RingBufferSink, Sigma  # noqa: E402
from caldera_dl import netx  # noqa: E402
from caldera_dl.procs import Delta  # noqa: E402

BACKENDS = ["cpu", "cython", "loihi"]


def _cfg(backend: str) -> caldera.RunConfig:
    from caldera import plugins

    if backend not in plugins.backends():
        pytest.skip(f"backend {backend!r} is not installed")
    return caldera.RunConfig(backend=backend, tag="fixed_pt")


@pytest.mark.parametrize("backend", BACKENDS)
def test_tinynet_output_spikes(netx_fixtures, backend):
    """tiny.net (input LIF, two conv layers) driven by a known input bias, reset every 17 steps: lava-dl's spikes."""
    cfg = _cfg(backend)
    steps_per_sample = 17
    net = netx.read(netx_fixtures / "tiny.net")
    assert [b.type for b in net.layers] == ["input", "conv", "conv"]
    num_steps = steps_per_sample + len(net)
    sink = RingBufferSink(shape=net.out.shape, buffer=num_steps)
    net.out.connect(sink.a_in)
    for i, layer in enumerate(net.layers):
        for var in (layer.neuron.u, layer.neuron.v):
            Reset(interval=steps_per_sample, offset=(i - 1) % steps_per_sample).connect_var(var)
    net.in_layer.neuron.bias_mant.init = np.load(netx_fixtures / "gts/tinynet/input_bias.npy")
    net.run(condition=caldera.RunSteps(num_steps=num_steps), run_cfg=cfg)
    out = sink.data.get()
    net.stop()
    gt = np.load(netx_fixtures / "gts/tinynet/output.npy")[0].transpose([2, 1, 0, 3])[..., 1:]
    assert gt.sum() > 50  # the sample makes the output layer spike
    np.testing.assert_array_equal(out[..., 2:17], gt)


@pytest.mark.parametrize("backend", BACKENDS)
def test_pilotnet_sdnn_output(netx_fixtures, backend):
    """PilotNet SDNN (Delta input, 4 conv + 4 dense sigma-delta layers, Sigma readout): lava-dl's output exactly."""
    cfg = _cfg(backend)
    net = netx.read(netx_fixtures / "gts/pilotnet_sdnn/network.net")
    assert type(net.in_layer.neuron) is Delta and type(net.out_layer.neuron) is Sigma
    source = RingBuffer(data=np.load(netx_fixtures / "gts/pilotnet_sdnn/input.npy"))
    sink = RingBufferSink(shape=net.out_layer.shape, buffer=len(net))
    source.s_out.connect(net.in_layer.neuron.a_in)
    net.out.connect(sink.a_in)
    net.run(condition=caldera.RunSteps(num_steps=len(net)), run_cfg=cfg)
    out = sink.data.get()
    net.stop()
    gt = np.load(netx_fixtures / "gts/pilotnet_sdnn/output.npy")
    assert np.abs(gt).sum() > 0
    np.testing.assert_array_equal(out, gt)


def test_pilotnet_sdnn_sparse_fc_layers(netx_fixtures):
    """sparse_fc_layer=True builds the dense layers as Sparse synapses, with the same output."""
    from caldera.procs import Sparse

    net = netx.read(netx_fixtures / "gts/pilotnet_sdnn/network.net", sparse_fc_layer=True)
    assert all(isinstance(b.synapse, Sparse) for b in net.layers if b.type == "dense")
    source = RingBuffer(data=np.load(netx_fixtures / "gts/pilotnet_sdnn/input.npy"))
    sink = RingBufferSink(shape=net.out_layer.shape, buffer=len(net))
    source.s_out.connect(net.in_layer.neuron.a_in)
    net.out.connect(sink.a_in)
    net.run(condition=caldera.RunSteps(num_steps=len(net)), run_cfg=_cfg("cpu"))
    out = sink.data.get()
    net.stop()
    np.testing.assert_array_equal(out, np.load(netx_fixtures / "gts/pilotnet_sdnn/output.npy"))


def test_pilotnet_lif_layer_currents(netx_fixtures):
    """PilotNet LIF (input bias image, reset every 16 steps): every layer's current u equals the recorded one.

    The recording covers 24 steps; the first 16 (one sample) are compared for the
    input..fc-2 layers. (fc-3's recording disagrees with the layers that feed it at
    2 of 16 steps, and after step 17 the recording does not reset the input layer
    the way lava-dl's reset_interval does, so neither is a reference.)
    """
    net = netx.read(netx_fixtures / "gts/pilotnet_lif/network.net", reset_interval=16)
    assert len(net) == 10
    net.in_layer.neuron.bias_mant.init = np.load(netx_fixtures / "gts/pilotnet_lif/image.npy").astype(int)
    mon = Monitor()
    steps = 16
    for b in net.layers:
        mon.probe(b.neuron.u, num_steps=steps)
    mon.probe(net.in_layer.neuron.s_out, num_steps=steps)
    net.run(condition=caldera.RunSteps(num_steps=steps), run_cfg=_cfg("cpu"))
    data = mon.get_data()
    net.stop()
    names = [f"conv-{i}" for i in range(5)] + [f"fc-{i}" for i in range(3)]
    for block, name in zip(net.layers[1:], names):
        u = np.moveaxis(data[block.neuron.name]["u"], 0, -1)
        gt = np.load(netx_fixtures / f"gts/pilotnet_lif/{name}-u.npy")[..., :steps]
        assert np.abs(gt).sum() > 0, name
        np.testing.assert_array_equal(u, gt, err_msg=name)
    s_in = np.moveaxis(data[net.in_layer.neuron.name]["s_out"], 0, -1)
    np.testing.assert_array_equal(s_in, np.load(netx_fixtures / "gts/pilotnet_lif/input.npy")[..., :steps])


def _ntidigits(netx_fixtures, steps: int, backend: str):
    inp = np.load(netx_fixtures / "gts/ntidigits/input.npy")[:, :steps]
    gt = np.load(netx_fixtures / "gts/ntidigits/output.npy")
    net = netx.read(netx_fixtures / "gts/ntidigits/ntidigits.net", num_layers=5)
    source = RingBuffer(data=inp)
    sink = RingBufferSink(shape=net.out.shape, buffer=steps)
    source.s_out.connect(net.inp)
    net.out.connect(sink.a_in)
    net.run(condition=caldera.RunSteps(num_steps=steps), run_cfg=_cfg(backend))
    out = sink.data.get()
    net.stop()
    return net, out, gt


def test_ntidigits_axonal_delays(netx_fixtures):
    """NTIDIGITS (dense layers with axonal delays up to 62 steps): the output raster equals lava-dl's.

    lava-dl's recording starts one step earlier (its index t+1 is caldera's t).
    The default run covers the first 700 of 3000 steps; the slow test all of them.
    """
    from caldera.procs import DelayDense

    steps = 700
    net, out, gt = _ntidigits(netx_fixtures, steps, "cpu")
    assert [type(b.synapse) for b in net.layers][:2] == [DelayDense, DelayDense]
    assert gt[:, 1:steps].sum() > 100
    np.testing.assert_array_equal(out[:, : steps - 1], gt[:, 1:steps])


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_ntidigits_axonal_delays_full(netx_fixtures, backend):
    net, out, gt = _ntidigits(netx_fixtures, 3000, backend)
    np.testing.assert_array_equal(out[:, :-1], gt[:, 1:])


def test_dense_block_ground_truth(netx_fixtures):
    """lava-dl's dense LIF block fixture: 2000 steps of input spikes through 256x200 weights, spikes exactly."""
    w = np.load(netx_fixtures / "gts/dense/weight.npy")
    data = np.load(netx_fixtures / "gts/dense/in.npy")
    gt = np.load(netx_fixtures / "gts/dense/out.npy")
    syn = Dense(weights=w)
    neuron = LIF(shape=(w.shape[0],), vth=6, du=4095, dv=415, bias_exp=6)
    source, sink = RingBuffer(data=data), RingBufferSink(shape=(w.shape[0],), buffer=data.shape[1])
    source.s_out.connect(syn.s_in)
    syn.a_out.connect(neuron.a_in)
    neuron.s_out.connect(sink.a_in)
    neuron.run(condition=caldera.RunSteps(num_steps=data.shape[1]), run_cfg=_cfg("cpu"))
    out = sink.data.get()
    neuron.stop()
    assert gt.sum() > 1000
    np.testing.assert_array_equal(out, gt)


def test_sdnn_input_delta_ground_truth(netx_fixtures):
    """The Delta input neuron (vth 20, spike_exp 6, state_exp 6) on lava-dl's sine-modulated input: its messages."""
    steps = 15
    bias = np.load(netx_fixtures / "gts/tinynet_sdnn/input_bias.npy")
    data = np.repeat(bias[..., None], steps, axis=3) * np.sin(2 * np.pi * np.arange(steps) / steps)
    neuron = Delta(shape=(16, 16, 3), vth=20, spike_exp=6, state_exp=6)
    source, sink = RingBuffer(data=data.astype(int)), RingBufferSink(shape=(16, 16, 3), buffer=steps)
    source.s_out.connect(neuron.a_in)
    neuron.s_out.connect(sink.a_in)
    neuron.run(condition=caldera.RunSteps(num_steps=steps), run_cfg=_cfg("cpu"))
    out = sink.data.get()
    neuron.stop()
    gt = np.load(netx_fixtures / "gts/tinynet_sdnn/input.npy")
    assert np.abs(gt).sum() > 0
    np.testing.assert_array_equal(out, gt)


def test_mnist_layers(netx_fixtures):
    net = netx.read(netx_fixtures / "mnist.net")
    assert [b.type for b in net.layers] == ["input", "dense", "dense", "dense"]
    assert [b.shape for b in net.layers] == [(784,), (512,), (512,), (10,)]
    assert "dense" in repr(net)


def test_write_read_round_trip(netx_fixtures, tmp_path):
    """A network written back to .net reads into the same processes and gives the same output."""
    src = netx_fixtures / "gts/pilotnet_sdnn/network.net"
    first = netx.read(src)
    path = tmp_path / "copy.net"
    netx.write(path, first)
    a, b = netx.load_layers(src), netx.load_layers(path)
    assert len(a) == len(b)
    for la, lb in zip(a, b):
        assert la.keys() == lb.keys()
        for key in la:
            if isinstance(la[key], dict):
                assert la[key].keys() == lb[key].keys()
            else:
                np.testing.assert_array_equal(np.asarray(la[key]), np.asarray(lb[key]), err_msg=key)
    second = netx.read(path)
    source = RingBuffer(data=np.load(netx_fixtures / "gts/pilotnet_sdnn/input.npy"))
    sink = RingBufferSink(shape=second.out_layer.shape, buffer=len(second))
    source.s_out.connect(second.in_layer.neuron.a_in)
    second.out.connect(sink.a_in)
    second.run(condition=caldera.RunSteps(num_steps=len(second)), run_cfg=_cfg("cpu"))
    out = sink.data.get()
    second.stop()
    np.testing.assert_array_equal(out, np.load(netx_fixtures / "gts/pilotnet_sdnn/output.npy"))


def test_unsupported_layers_are_all_named(netx_fixtures, tmp_path):
    """Layer types caldera-dl does not know are listed together; nothing is built."""
    layers = netx.load_layers(netx_fixtures / "gts/ntidigits/ntidigits.net")
    layers[4]["type"] = "merge"
    layers[5]["type"] = "split"
    path = tmp_path / "two.net"
    netx.write_layers(path, layers)
    with pytest.raises(netx.NetxError, match=r"layer 4 \('merge'\), layer 5 \('split'\).*num_layers"):
        netx.read(path)


# -- bad input, on small hand-written files ---------------------------------------------------------------
def _lif(**extra):
    return {"type": "CUBA", "iDecay": 1024, "vDecay": 128, "vThMant": 80, **extra}


def _small(tmp_path, layers):
    path = tmp_path / "bad.net"
    netx.write_layers(path, layers)
    return path


def _good_layers():
    return [
        {"type": "input", "shape": np.array([1, 1, 4]), "neuron": _lif()},
        {"type": "dense", "shape": np.array([3]), "weight": np.arange(12).reshape(3, 4) * 2 - 10, "neuron": _lif()},
    ]


def test_small_network_builds_and_runs(tmp_path):
    net = netx.read(_small(tmp_path, _good_layers()))
    assert [type(p).__name__ for p in net.processes] == ["LIF", "Dense", "LIF"]
    net.in_layer.neuron.bias_mant.init = np.array([[[60, 90, 120, 200]]]).reshape(4, 1, 1)
    mon = Monitor()
    mon.probe(net.out_layer.neuron.v, num_steps=20)
    net.run(condition=caldera.RunSteps(num_steps=20), run_cfg=_cfg("cpu"))
    net.stop()


@pytest.mark.parametrize(
    "edit, pattern",
    [
        (lambda ls: ls[1].pop("weight"), r"layer 1 \(dense\): missing key 'weight'"),
        (lambda ls: ls[1]["neuron"].update(type="ADAPTIVE"), r"layer 1 \(dense\): unsupported neuron type 'ADAPTIVE'"),
        (lambda ls: ls[1]["neuron"].pop("vThMant"), r"layer 1 \(dense\): missing key 'vThMant'"),
        (
            lambda ls: ls[1].update(weight=np.ones((3, 5))),
            r"layer 1 \(dense\): key 'weight' expects 5 inputs.*do not chain",
        ),
        (lambda ls: ls[1].update(shape=np.array([7])), r"layer 1 \(dense\): key 'weight' has 3 rows; expected 7"),
        (lambda ls: ls[1].update(type="split"), r"unsupported layers: layer 1 \('split'\)"),
        (lambda ls: ls[1].pop("type"), r"layer 1: missing key 'type'"),
        (
            lambda ls: ls[1]["neuron"].update(iDecay=5000),
            r"layer 1 \(dense\): key 'neuron/iDecay' is 5000; expected 0..4096",
        ),
        (lambda ls: ls[1].update(delay=np.ones(7)), r"layer 1 \(dense\): key 'delay' has shape \(7,\)"),
    ],
)
def test_bad_layer_is_named(tmp_path, edit, pattern):
    layers = _good_layers()
    edit(layers)
    path = tmp_path / "bad.net"
    netx.write_layers(path, layers)
    with pytest.raises(netx.NetxError, match=pattern):
        netx.read(path)


def test_conv_shapes_must_chain(tmp_path):
    layers = [
        {"type": "input", "shape": np.array([3, 8, 8]), "neuron": _lif()},
        {
            "type": "conv",
            "shape": np.array([4, 6, 6]),
            "weight": np.ones((4, 2, 3, 3)),
            "stride": np.array([1, 1]),
            "padding": np.array([0, 0]),
            "dilation": np.array([1, 1]),
            "groups": 1,
            "neuron": _lif(),
        },
    ]
    with pytest.raises(netx.NetxError, match=r"layer 1 \(conv\): key 'weight' has 2 input channels.*gives 3"):
        netx.read(_small(tmp_path, layers))
    layers[1]["weight"] = np.ones((4, 3, 3, 3))
    layers[1]["shape"] = np.array([4, 5, 5])
    with pytest.raises(netx.NetxError, match=r"layer 1 \(conv\): key 'shape' is \(4, 5, 5\).*computes \(4, 6, 6\)"):
        netx.read(_small(tmp_path, layers))


def test_missing_layer_group_and_unreadable_file(tmp_path):
    import h5py

    path = tmp_path / "empty.net"
    with h5py.File(path, "w") as f:
        f.create_group("simulation")
    with pytest.raises(netx.NetxError, match="no group 'layer'"):
        netx.read(path)
    (tmp_path / "junk.net").write_text("not hdf5")
    with pytest.raises(netx.NetxError, match="cannot read"):
        netx.read(tmp_path / "junk.net")


def test_pool_layer(tmp_path):
    """A pool layer (one kernel per channel) is a grouped convolution: a 2x2 sum of 4-weighted spikes."""
    layers = [
        {"type": "input", "shape": np.array([2, 4, 4])},
        {
            "type": "pool",
            "shape": np.array([2, 2, 2]),
            "weight": np.array(4.0),
            "kernelSize": np.array([2, 2]),
            "stride": np.array([2, 2]),
            "neuron": {"type": "CUBA", "iDecay": 4096, "vDecay": 0, "vThMant": 1 << 16},
        },
    ]
    net = netx.read(_small(tmp_path, layers))
    syn = net.layers[0].synapse
    assert net.layers[0].shape == (2, 2, 2) and syn.proc_params["groups"] == 2
    spikes = np.zeros((4, 4, 2, 3))
    spikes[0, 0, 1, 0] = spikes[1, 1, 1, 0] = spikes[3, 2, 0, 0] = 1
    src = RingBuffer(data=spikes)
    src.s_out.connect(net.inp)
    mon = Monitor()
    mon.probe(net.out_layer.neuron.u, num_steps=3)
    net.run(condition=caldera.RunSteps(num_steps=3), run_cfg=caldera.RunConfig(backend="cpu", tag="fixed_pt"))
    u = mon.get_data()[net.out_layer.neuron.name]["u"]
    net.stop()
    expected = np.zeros((2, 2, 2))
    expected[0, 0, 1] = 2 * 4 * 64  # two spikes in the top-left window of channel 1, weight 4, << 6
    expected[1, 1, 0] = 4 * 64
    np.testing.assert_array_equal(u[1], expected)


# -- layer types beyond lava-dl's netx: convT, unpool, average, complex (RF) dense ------------------------------
_PLAIN = {"type": "CUBA", "iDecay": 4096, "vDecay": 0, "vThMant": 1 << 16}  # u = this step's input, never spikes


def _currents(net, spikes, tag="fixed_pt", backend="cpu"):
    """u of the last layer the step after ``spikes`` (X, Y, C, T) arrive, and the read-back layer list."""
    src = RingBuffer(data=spikes)
    src.s_out.connect(net.inp)
    mon = Monitor()
    mon.probe(net.out_layer.neuron.u, num_steps=2)
    net.run(condition=caldera.RunSteps(num_steps=2), run_cfg=caldera.RunConfig(backend=backend, tag=tag))
    u = mon.get_data()[net.out_layer.neuron.name]["u"][1]
    net.stop()
    return u


def _torch_layout(x_xyc):
    return np.ascontiguousarray(np.asarray(x_xyc).transpose(2, 1, 0))  # (X, Y, C) -> (C, H, W)


@pytest.mark.parametrize(
    "geometry",
    [
        dict(cin=2, cout=3, k=(3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=1),
        dict(cin=2, cout=4, k=(2, 2), stride=(2, 2), padding=(0, 0), dilation=(1, 1), groups=2),
    ],
)
def test_conv_transpose_layer(tmp_path, geometry):
    """convT (slayer's export: weight (C_in, C_out/groups, kH, kW)): currents equal torch's conv_transpose2d, x64;
    written back and read again it builds the same matrix; every backend agrees."""
    torch = pytest.importorskip("torch")
    g = geometry
    rng = np.random.default_rng(3)
    w = rng.integers(-8, 9, size=(g["cin"], g["cout"] // g["groups"], *g["k"])) * 2
    x = (rng.random((1, g["cin"], 3, 4)) < 0.5).astype(np.float64)  # (1, C, H, W)
    ref = torch.nn.functional.conv_transpose2d(
        torch.from_numpy(x),
        torch.from_numpy(w.astype(np.float64)),
        None,
        g["stride"],
        g["padding"],
        0,
        g["groups"],
        g["dilation"],
    )[0].numpy()
    layers = [
        {"type": "input", "shape": np.array([g["cin"], 3, 4])},
        {
            "type": "convT",
            "shape": np.array(ref.shape),
            "inChannels": g["cin"],
            "outChannels": g["cout"],
            "kernelSize": np.array(g["k"]),
            "stride": np.array(g["stride"]),
            "padding": np.array(g["padding"]),
            "dilation": np.array(g["dilation"]),
            "groups": g["groups"],
            "weight": w,
            "neuron": _PLAIN,
        },
    ]
    path = _small(tmp_path, layers)
    net = netx.read(path)
    assert net.out_layer.shape == ref.shape[::-1] and type(net.out_layer.synapse).__name__ == "Sparse"
    netx.write(tmp_path / "copy.net", net)
    back = netx.read(tmp_path / "copy.net")
    assert (back.out_layer.spec.matrix != net.out_layer.spec.matrix).nnz == 0
    spikes = np.zeros((4, 3, g["cin"], 2), dtype=np.int32)
    spikes[..., 0] = x[0].transpose(2, 1, 0)
    assert np.abs(ref).sum() > 0
    for backend in BACKENDS:
        _cfg(backend)
        u = _currents(netx.read(path), spikes, backend=backend)
        np.testing.assert_array_equal(_torch_layout(u), ref * 64, err_msg=backend)
    u = _currents(netx.read(path, tag="floating_pt"), spikes.astype(float), tag="floating_pt")
    np.testing.assert_allclose(_torch_layout(u), ref / 64, rtol=1e-12)  # floating_pt: every integer / 64


def test_unpool_layer(tmp_path):
    """unpool: every spike spread over its kernel-sized block (stride = kernel), weight 3, each channel alone."""
    layers = [
        {"type": "input", "shape": np.array([2, 2, 3])},
        {
            "type": "unpool",
            "shape": np.array([2, 4, 6]),
            "kernelSize": np.array([2, 2]),
            "stride": np.array([2, 2]),
            "padding": np.array([0, 0]),
            "dilation": np.array([1, 1]),
            "weight": np.array(3.0),
            "neuron": _PLAIN,
        },
    ]
    path = _small(tmp_path, layers)
    spikes = np.zeros((3, 2, 2, 2), dtype=np.int32)  # (X, Y, C, T)
    spikes[2, 0, 1, 0] = spikes[0, 1, 0, 0] = 1
    u = _currents(netx.read(path), spikes)
    expected = np.zeros((6, 4, 2))
    expected[4:6, 0:2, 1] = 3 * 64  # input x=2, y=0 -> outputs x 4..5, y 0..1
    expected[0:2, 2:4, 0] = 3 * 64
    np.testing.assert_array_equal(u, expected)
    netx.write(tmp_path / "copy.net", netx.read(path))
    assert netx.read(tmp_path / "copy.net").out_layer.shape == (6, 4, 2)


def test_average_layer_3d_input(tmp_path):
    """average (slayer: output j is the mean of the j-th contiguous (C, H, W) group): fixed_pt sends the group's
    spike count, floating_pt the mean."""
    layers = [
        {"type": "input", "shape": np.array([2, 2, 3])},
        {"type": "average", "shape": np.array([3, 1, 1])},
    ]
    path = _small(tmp_path, layers)
    x = np.zeros((2, 2, 3))  # torch layout (C, H, W): groups of 4 in C-order
    x[0, 0, 1] = x[0, 1, 0] = x[0, 1, 2] = x[1, 0, 0] = x[1, 1, 1] = x[1, 1, 2] = 1  # groups 0, 1, 2 get 2, 2, 2 / 1...
    counts = x.reshape(3, 4).sum(1)
    spikes = np.zeros((3, 2, 2, 2))
    spikes[..., 0] = x.transpose(2, 1, 0)
    for tag, want in (("fixed_pt", counts), ("floating_pt", counts / 4)):
        net = netx.read(path, tag=tag)
        src = RingBuffer(data=spikes.astype(np.int32) if tag == "fixed_pt" else spikes)
        src.s_out.connect(net.inp)
        mon = Monitor()
        mon.probe(net.out, num_steps=2)
        net.run(condition=caldera.RunSteps(num_steps=2), run_cfg=caldera.RunConfig(backend="cpu", tag=tag))
        got = mon.get_data()[net.out_layer.neuron.name]["s_out"][1]
        net.stop()
        np.testing.assert_array_equal(got, want, err_msg=tag)
    with pytest.raises(
        netx.NetxError, match=r"layer 1 \(average\): key 'shape' asks for 5 outputs; expected a divisor"
    ):
        netx.read(_small(tmp_path, [layers[0], {"type": "average", "shape": np.array([5])}]))


@pytest.mark.parametrize("backend", BACKENDS)
def test_ntidigits_with_its_average_layer(netx_fixtures, backend):
    """The whole NTIDIGITS file, average layer included: its 11 outputs are the sums of lava-dl's 22-neuron groups."""
    steps = 300
    inp = np.load(netx_fixtures / "gts/ntidigits/input.npy")[:, :steps]
    gt = np.load(netx_fixtures / "gts/ntidigits/output.npy")
    net = netx.read(netx_fixtures / "gts/ntidigits/ntidigits.net")
    assert [b.type for b in net.layers] == ["dense", "dense", "dense", "average"]
    source = RingBuffer(data=inp)
    sink = RingBufferSink(shape=(11,), buffer=steps)
    source.s_out.connect(net.inp)
    net.out.connect(sink.a_in)
    net.run(condition=caldera.RunSteps(num_steps=steps), run_cfg=_cfg(backend))
    out = sink.data.get()
    net.stop()
    want = gt.reshape(11, 22, -1).sum(1)  # lava-dl records one step ahead; the average layer adds one step
    assert want[:, 1:steps].sum() > 1000
    np.testing.assert_array_equal(out[:, 1:], want[:, 1:steps])


def _complex_layers(netx_fixtures, period=11, alpha=0.05, vth=25):
    sin_d = int(np.int32((1 - alpha) * np.sin(2 * np.pi / period) * 4096))
    cos_d = int(np.int32((1 - alpha) * np.cos(2 * np.pi / period) * 4096))
    wr = np.load(netx_fixtures / "gts/complex_dense/weight_r.npy")
    wi = np.load(netx_fixtures / "gts/complex_dense/weight_img.npy")
    return [
        {"type": "input", "shape": np.array([wr.shape[1]])},
        {
            "type": "dense_comp",
            "shape": np.array([wr.shape[0]]),
            "weight": {"real": wr, "imag": wi},
            "neuron": {"type": "RF_PHASE", "sinDecay": sin_d, "cosDecay": cos_d, "vThMant": vth},
        },
    ]


def test_complex_dense_rf_ground_truth(netx_fixtures, tmp_path):
    """lava-dl's ComplexDense fixture (RF neurons, period 11, alpha 0.05, vth 25; real and imaginary weights) as a
    ``dense_comp`` layer written to .net and read back: 2000 steps of spikes exactly; the copy reads the same."""
    path = tmp_path / "complex.net"
    netx.write_layers(path, _complex_layers(netx_fixtures))
    net = netx.read(path)
    blk = net.out_layer
    assert type(blk.neuron).__name__ == "RF" and type(blk.imag_synapse).__name__ == "Dense"
    assert int(blk.neuron.sin_decay.init[0]) == 2103 and int(blk.neuron.cos_decay.init[0]) == 3273
    netx.write(tmp_path / "copy.net", net)
    net = netx.read(tmp_path / "copy.net")
    data = np.load(netx_fixtures / "gts/complex_dense/in.npy")
    gt = np.load(netx_fixtures / "gts/complex_dense/out.npy")
    source, sink = RingBuffer(data=data), RingBufferSink(shape=net.out.shape, buffer=data.shape[1])
    source.s_out.connect(net.inp)
    net.out.connect(sink.a_in)
    net.run(condition=caldera.RunSteps(num_steps=data.shape[1]), run_cfg=_cfg("cpu"))
    out = sink.data.get()
    net.stop()
    assert gt.sum() > 100
    np.testing.assert_array_equal(out, gt)


def test_complex_dense_needs_an_rf_neuron(tmp_path, netx_fixtures):
    layers = _complex_layers(netx_fixtures)
    layers[1]["neuron"] = _lif()
    with pytest.raises(netx.NetxError, match=r"layer 1 \(dense_comp\): a complex synapse .* needs an RF neuron"):
        netx.read(_small(tmp_path, layers))
    layers[1]["neuron"] = {"type": "RF_PHASE", "sinDecay": 4000, "cosDecay": 4000, "vThMant": 3}
    with pytest.raises(netx.NetxError, match=r"layer 1 \(dense_comp\): keys 'neuron/sinDecay'.*damped rotation"):
        netx.read(_small(tmp_path, layers))


def _dense(n_out, w):
    return {"type": "dense", "shape": np.array([n_out]), "weight": w, "neuron": dict(_PLAIN, vThMant=1)}


def test_concat_skip_connection(tmp_path):
    """concat (netx's protocol: the previous layer's output joined with the listed earlier layers'): the layer
    after it gets the previous layer's spikes on its first inputs and the skipped layer's on the next ones, each
    one synapse step after it fired; written back from the file it keeps its ids."""
    rng = np.random.default_rng(6)
    w1 = np.abs(rng.integers(1, 5, size=(6, 4))) * 2  # positive: every neuron fires on the first input
    w2 = np.abs(rng.integers(1, 5, size=(5, 6))) * 2
    w3 = rng.integers(-20, 21, size=(3, 11)) * 2
    layers = [
        {"type": "input", "shape": np.array([4])},
        _dense(6, w1),
        _dense(5, w2),
        {"type": "concat", "shape": np.array([11]), "layers": np.array([1])},
        {"type": "dense", "shape": np.array([3]), "weight": w3, "neuron": _PLAIN},
    ]
    path = _small(tmp_path, layers)
    net = netx.read(path)
    assert [b.index for b in net.layers] == [1, 2, 4] and net.layers[2].spec.concat_from == [2, 1]
    netx.write(tmp_path / "copy.net", net)
    assert np.asarray(netx.load_layers(tmp_path / "copy.net")[3]["layers"]).tolist() == [1]
    for backend in BACKENDS:
        _cfg(backend)
        net = netx.read(tmp_path / "copy.net")
        src = RingBuffer(data=np.array([[1, 0, 0, 0, 0]] * 4, dtype=np.int32))
        src.s_out.connect(net.inp)
        mon = Monitor()
        mon.probe(net.out_layer.neuron.u, num_steps=5)
        net.run(condition=caldera.RunSteps(num_steps=5), run_cfg=_cfg(backend))
        u = mon.get_data()[net.out_layer.neuron.name]["u"]
        net.stop()
        # layer 1 fires at step 2 (all 6), layer 2 at step 3 (all 5); the last layer sees layer 1's spikes at step 3
        # on inputs 5..10 and layer 2's at step 4 on inputs 0..4 (u holds one step's input: iDecay 4096)
        np.testing.assert_array_equal(u[2], w3[:, 5:].sum(1) * 64, err_msg=backend)
        np.testing.assert_array_equal(u[3], w3[:, :5].sum(1) * 64, err_msg=backend)
    bad = [dict(layer) for layer in layers]
    bad[3] = {"type": "concat", "layers": np.array([4])}
    with pytest.raises(netx.NetxError, match=r"layer 3 \(concat\): key 'layers' names the later layer 4.*'shape'"):
        netx.read(_small(tmp_path, bad))
    bad[3] = {"type": "concat", "layers": np.array([7])}
    with pytest.raises(netx.NetxError, match=r"layer 3 \(concat\): key 'layers' names layer 7; expected another"):
        netx.read(_small(tmp_path, bad))
    bad[3] = {"type": "concat", "layers": np.array([0])}
    with pytest.raises(netx.NetxError, match=r"names layer 0, which sends nothing"):
        netx.read(_small(tmp_path, bad))


def test_concat_joins_channels(tmp_path):
    """A concat of (X, Y, C) layers joins them along C: 1x1 convolutions see the previous layer's 3 channels, then
    the skipped layer's 2."""

    def conv(cin, cout, w):
        return {
            "type": "conv",
            "shape": np.array([cout, 2, 3]),
            "weight": w.reshape(cout, cin, 1, 1),
            "kernelSize": np.array([1, 1]),
            "stride": np.array([1, 1]),
            "padding": np.array([0, 0]),
            "dilation": np.array([1, 1]),
            "groups": 1,
            "neuron": dict(_PLAIN, vThMant=1),
        }

    w3 = np.array([[2, -4, 6, 10, -14]])
    layers = [
        {"type": "input", "shape": np.array([1, 2, 3])},
        conv(1, 2, np.array([4, 6])),
        conv(2, 3, np.full((3, 2), 2)),
        {"type": "concat", "shape": np.array([5, 2, 3]), "layers": np.array([1])},
        dict(conv(5, 1, w3), neuron=_PLAIN),
    ]
    net = netx.read(_small(tmp_path, layers))
    assert net.out_layer.shape == (3, 2, 1)
    spikes = np.zeros((3, 2, 1, 5), dtype=np.int32)
    spikes[1, 0, 0, 0] = 1  # one pixel: x=1, y=0
    src = RingBuffer(data=spikes)
    src.s_out.connect(net.inp)
    mon = Monitor()
    mon.probe(net.out_layer.neuron.u, num_steps=5)
    net.run(condition=caldera.RunSteps(num_steps=5), run_cfg=_cfg("cpu"))
    u = mon.get_data()[net.out_layer.neuron.name]["u"]
    net.stop()
    assert u[2][1, 0, 0] == (10 - 14) * 64 and u[3][1, 0, 0] == (2 - 4 + 6) * 64  # layer 1's channels, then layer 2's
    assert np.count_nonzero(u[2]) == 1 and np.count_nonzero(u[3]) == 1


def test_concat_recurrent_connection(tmp_path):
    """A concat naming a later layer brings that layer's output back (a recurrent connection): layer 3 sees layer 1's
    spikes on inputs 0..5 and, one step after it fired itself, its own on inputs 6..10."""
    rng = np.random.default_rng(7)
    w1 = np.abs(rng.integers(1, 5, size=(6, 4))) * 2
    w3 = np.concatenate([np.full((5, 6), 4), rng.integers(-20, 21, size=(5, 5)) * 2], axis=1)
    layers = [
        {"type": "input", "shape": np.array([4])},
        _dense(6, w1),
        {"type": "concat", "shape": np.array([11]), "layers": np.array([3])},
        _dense(5, w3),
    ]
    net = netx.read(_small(tmp_path, layers))
    assert net.layers[1].spec.concat_from == [1, 3]
    src = RingBuffer(data=np.array([[1, 0, 0, 0]] * 4, dtype=np.int32))
    src.s_out.connect(net.inp)
    mon = Monitor()
    mon.probe(net.out_layer.neuron.u, num_steps=4)
    net.run(condition=caldera.RunSteps(num_steps=4), run_cfg=_cfg("cpu"))
    u = mon.get_data()[net.out_layer.neuron.name]["u"]
    net.stop()
    np.testing.assert_array_equal(u[2], w3[:, :6].sum(1) * 64)  # layer 1 fired at step 2: all of layer 3 fires
    np.testing.assert_array_equal(u[3], w3[:, 6:].sum(1) * 64)  # its own spikes of step 3 come back
    layers[2]["shape"] = np.array([12])  # the file says 12, the joined layers give 6 + 5
    layers[3] = _dense(5, np.concatenate([w3, np.ones((5, 1), dtype=w3.dtype) * 2], axis=1))
    with pytest.raises(netx.NetxError, match=r"layer 2 \(concat\): key 'shape' is \(12,\).*give \(11,\)"):
        netx.read(_small(tmp_path, layers))
