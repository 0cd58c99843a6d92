"""ANN -> SNN conversion: sigma-delta networks reproduce the ANN's outputs, rate-coded ones its decisions."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("sklearn")
torch.set_num_threads(1)

from caldera.errors import ParameterError  # noqa: E402
from caldera_dl import ann, deploy  # noqa: E402
from torch import nn  # noqa: E402


@pytest.fixture(scope="module")
def digits():
    from sklearn.datasets import load_digits

    d = load_digits()
    x = torch.tensor(d.data / 16, dtype=torch.float32)
    y = torch.tensor(d.target)
    perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(0))
    x, y = x[perm], y[perm]
    return x[300:], y[300:], x[:300], y[:300]


def _train(net, x, y, epochs):
    torch.manual_seed(0)
    opt = torch.optim.Adam(net.parameters(), 1e-2)
    for _ in range(epochs):
        for i in range(0, len(x), 64):
            loss = nn.functional.cross_entropy(net(x[i : i + 64]), y[i : i + 64])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return net.eval()


@pytest.fixture(scope="module")
def mlp(digits):
    torch.manual_seed(1)
    xtr, ytr, _, _ = digits
    return _train(nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10)), xtr, ytr, 15)


@pytest.fixture(scope="module")
def cnn(digits):
    torch.manual_seed(2)
    xtr, ytr, _, _ = digits
    net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.AvgPool2d(2), nn.Flatten(), nn.Linear(64, 10))
    return _train(net, xtr.view(-1, 1, 8, 8), ytr, 10)


def test_sigma_delta_conversion_reproduces_the_ann(digits, mlp):
    _, _, xte, yte = digits
    conv = ann.convert(mlp, input_shape=(64,), mode="sdnn")
    with torch.no_grad():
        want = mlp(xte)
        got = conv.readout(conv.snn(conv.encode(xte)))
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-4, atol=1e-4)
    for backend in ("cpu", "cython"):
        for j in range(3):
            r = deploy.run(conv.snn, conv.encode(xte[j : j + 1]).double(), tag="floating_pt", backend=backend)
            np.testing.assert_allclose(conv.readout(r["output"])[0].numpy(), want[j].numpy(), rtol=1e-4, atol=1e-4)
    rep = ann.report(mlp, conv, xte, yte)
    assert rep.snn_accuracy == rep.ann_accuracy > 0.9
    sparse = ann.convert(mlp, input_shape=(64,), mode="sdnn", threshold=0.1)
    rep2 = ann.report(mlp, sparse, xte, yte)
    assert rep2.activity_per_sample < rep.activity_per_sample and rep2.snn_accuracy > rep.ann_accuracy - 0.05


def test_rate_conversion_keeps_the_decisions(digits, mlp):
    xtr, _, xte, yte = digits
    conv = ann.convert(mlp, input_shape=(64,), mode="rate", num_steps=40, calibration=xtr)
    rep = ann.report(mlp, conv, xte, yte, backend="cpu", deploy_samples=60)
    assert rep.snn_accuracy > rep.ann_accuracy - 0.05, rep
    # the deployed network gives the torch SNN's spikes, hence its predictions
    with torch.no_grad():
        want = conv.snn(conv.encode(xte[:60]))
    r = deploy.run(conv.snn, conv.encode(xte[:60]), tag="floating_pt", backend="cpu", probe_v=True)
    np.testing.assert_array_equal(r["output"], want.numpy())
    np.testing.assert_allclose(r["output_v"], conv.output(conv.encode(xte[:60])).numpy(), rtol=1e-5, atol=1e-5)
    assert "ANN accuracy" in str(rep)


def test_conv_pool_conversion(digits, cnn):
    xtr, _, xte, yte = digits
    xi, xc = xte.view(-1, 1, 8, 8), xtr.view(-1, 1, 8, 8)
    conv = ann.convert(cnn, input_shape=(1, 8, 8), mode="sdnn")
    with torch.no_grad():
        want = cnn(xi[:50])
        np.testing.assert_allclose(conv.readout(conv.snn(conv.encode(xi[:50]))).numpy(), want.numpy(), atol=1e-4)
    r = deploy.run(conv.snn, conv.encode(xi[:1]).double(), tag="floating_pt", backend="cpu")
    np.testing.assert_allclose(conv.readout(r["output"])[0].numpy(), want[0].numpy(), atol=1e-4)
    rate = ann.convert(cnn, input_shape=(1, 8, 8), mode="rate", num_steps=40, calibration=xc)
    rep = ann.report(cnn, rate, xi, yte, backend="cpu", deploy_samples=60)
    # the AvgPool folds into the Linear after it; the output layer integrates (its last v is the score)
    assert [type(b).__name__ for b in rate.snn.blocks] == ["Conv", "Flatten", "Dense"]
    assert rep.snn_accuracy >= rep.ann_accuracy - 0.02, rep  # measured: 0.9467 both
    # deployed: the output voltages equal the torch SNN's, so the predictions do
    with torch.no_grad():
        want = rate.output(rate.encode(xi[:60]))
    r = deploy.run(rate.snn, rate.encode(xi[:60]).double(), tag="floating_pt", backend="cpu", probe_v=True)
    np.testing.assert_allclose(r["output_v"], want.double().numpy(), rtol=1e-5, atol=1e-5)
    assert rep.deployed_accuracy == float((rate.readout(want).argmax(1) == yte[:60]).double().mean())


def test_bad_models_are_refused():
    with pytest.raises(ParameterError, match=r"unsupported layers \(1: Sigmoid; 2: BatchNorm1d\)"):
        ann.convert(nn.Sequential(nn.Linear(3, 3), nn.Sigmoid(), nn.BatchNorm1d(3)), input_shape=(3,))
    with pytest.raises(ParameterError, match="needs calibration data"):
        ann.convert(nn.Sequential(nn.Linear(3, 3)), input_shape=(3,), mode="rate")
    with pytest.raises(ParameterError, match="mode must be"):
        ann.convert(nn.Sequential(nn.Linear(3, 3)), input_shape=(3,), mode="ttfs")
    with pytest.raises(ParameterError, match="must follow a Linear"):
        ann.convert(nn.Sequential(nn.ReLU(), nn.Linear(3, 3)), input_shape=(3,))
