"""``lava.utils`` and the Monitor's ``plot``: weight utilities, serialization, plots, profiler, Loihi helpers."""

from __future__ import annotations

import numpy as np
import pytest
from lava.magma.core.run_conditions import RunSteps
from lava.magma.core.run_configs import Loihi2HwCfg, Loihi2SimCfg
from lava.proc.dense.process import Dense
from lava.proc.lif.process import LIF
from lava.proc.monitor.process import Monitor
from lava.utils import loihi, weightutils
from lava.utils.profiler import Profiler
from lava.utils.serialization import load, save
from lava.utils.system import Loihi2


def test_weightutils_match_loihi_rules() -> None:
    SignMode = weightutils.SignMode
    w = np.array([[-300, -3, 0], [5, 7, 400]])
    assert weightutils.determine_sign_mode(w) == SignMode.MIXED
    assert weightutils.determine_sign_mode(np.abs(w)) == SignMode.EXCITATORY
    np.testing.assert_array_equal(weightutils.clip_weights(w, SignMode.MIXED, num_bits=8), [[-256, -3, 0], [5, 7, 255]])
    np.testing.assert_array_equal(
        weightutils.clip_weights(w, SignMode.MIXED, num_bits=8, learning_simulation=True), [[-256, -3, 0], [5, 7, 254]]
    )
    # MIXED keeps 7 bits + sign: truncation to even values, toward minus infinity
    np.testing.assert_array_equal(weightutils.truncate_weights(np.array([-3, 5, 7]), SignMode.MIXED, 8), [-4, 4, 6])
    np.testing.assert_array_equal(weightutils.truncate_weights(np.array([-3, -5]), SignMode.INHIBITORY, 7), [-2, -4])
    with pytest.raises(ImportError, match="optimize_weight_bits.*caldera_loihi.convert"):
        from lava.utils.weightutils import optimize_weight_bits  # noqa: F401


def test_save_and_load_a_network_with_its_state(tmp_path) -> None:
    lif = LIF(shape=(2,), du=0.5, dv=0.5, bias_mant=np.array([0.2, 0.4]), vth=10.0, name="lif")
    dense = Dense(weights=np.eye(2), name="dense")
    lif.s_out.connect(dense.s_in)
    lif.run(RunSteps(num_steps=3), Loihi2SimCfg())
    v3 = lif.v.get()
    save([lif, dense], str(tmp_path / "net"))
    lif.stop()
    (lif2, dense2), executable = load(str(tmp_path / "net.pickle"))  # Lava writes filename + ".pickle"
    assert executable is None and lif2.name == "lif" and dense2.name == "dense"
    np.testing.assert_array_equal(lif2.v.get(), v3)
    lif2.run(RunSteps(num_steps=1), Loihi2SimCfg())
    np.testing.assert_allclose(lif2.v.get(), v3 * 0.5 + lif2.u.get() + np.array([0.2, 0.4]))
    lif2.stop()
    save(lif2, str(tmp_path / "one"))
    single, _ = load(str(tmp_path / "one"))
    assert single.name == "lif"


def test_save_with_an_executable_keeps_its_run_configuration(tmp_path) -> None:
    lif = LIF(shape=(1,), du=0, dv=0, bias_mant=3, vth=1000, name="a")
    ex = lif.compile(run_cfg=Loihi2SimCfg(select_tag="fixed_pt"))
    save(processes=[lif], filename=str(tmp_path / "n"), executable=ex)
    lif.stop()
    (loaded,), loaded_ex = load(str(tmp_path / "n.pickle"))
    assert isinstance(loaded_ex.run_cfg, Loihi2SimCfg) and loaded_ex.run_cfg.select_tag == "fixed_pt"
    loaded.create_runtime(executable=loaded_ex)
    loaded.run(condition=RunSteps(num_steps=2))
    assert loaded.v.get().tolist() == [6] and loaded.v.get().dtype == np.int32  # the fixed_pt model ran
    loaded.stop()
    mapped = LIF(shape=(1,), name="b")
    mapped.compile(run_cfg=Loihi2SimCfg(exception_proc_model_map={LIF: None}))
    with pytest.raises(NotImplementedError, match="exception_proc_model_map"):
        save(mapped, str(tmp_path / "m"), executable=mapped.runtime)
    mapped.stop()


def test_monitor_plot_and_raster_plot() -> None:
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    import matplotlib.pyplot as plt
    from lava.utils.plots import raster_plot

    lif = LIF(shape=(3,), du=0.0, dv=0.0, bias_mant=np.array([1.0, 2.0, 3.0]), vth=4.5)
    mon = Monitor()
    mon.probe(lif.v, 10)
    mon.probe(lif.s_out, 10)
    lif.run(RunSteps(num_steps=10), Loihi2SimCfg())
    fig, ax = plt.subplots()
    mon.plot(ax, lif.v)
    assert len(ax.lines) == 3 and ax.get_xlabel() == "Time step" and ax.get_ylabel() == "v"
    np.testing.assert_array_equal(ax.lines[2].get_ydata(), mon.get_data()[lif.name]["v"][:, 2])
    spikes = mon.get_data()[lif.name]["s_out"].T
    lif.stop()
    fig2 = raster_plot(spikes, stride=1)
    pts = fig2.gca().lines[0]
    assert len(pts.get_xdata()) == int(spikes.sum())
    with pytest.raises(ValueError, match="2-D"):
        raster_plot(np.zeros(3))
    plt.close("all")
    with pytest.raises(Exception, match="not probed"):
        mon.plot(ax, lif.u)


def test_profiler_behaves_as_lava_without_its_loihi_extension() -> None:
    with pytest.raises(NotImplementedError, match="caldera.profile"):
        Profiler.init(Loihi2SimCfg())
    with pytest.raises(TypeError):
        Profiler.init("cfg")


def test_loihi_hardware_helpers_say_there_is_no_hardware() -> None:
    assert loihi.is_installed() is False and loihi.is_installed("numpy") is True
    assert Loihi2.is_loihi2_available is False
    with pytest.raises(ImportError, match="Loihi extension is not installed.*emulator"):  # Lava's exception type
        loihi.use_slurm_host()
    assert loihi.ChipGeneration.N3B3.value == "N3B3"
    assert Loihi2HwCfg  # the emulator path stays available


def _idx(kind: str, values: np.ndarray) -> bytes:
    import gzip
    import struct

    if kind == "images":  # magic 2051, count, rows, cols
        head = struct.pack(">IIII", 2051, len(values), 28, 28)
    else:  # magic 2049, count
        head = struct.pack(">II", 2049, len(values))
    return gzip.compress(head + values.astype(np.uint8).tobytes())


def test_mnist_dataset_downloads_converts_and_loads(tmp_path, monkeypatch) -> None:
    import io
    import urllib.error
    import urllib.request

    from lava.utils.dataloader.mnist import MnistDataset

    rng = np.random.default_rng(0)
    train, test = rng.integers(0, 256, (3, 28, 28)), rng.integers(0, 256, (2, 28, 28))
    payload = {
        "train-images-idx3-ubyte.gz": _idx("images", train),
        "train-labels-idx1-ubyte.gz": _idx("labels", np.array([5, 0, 4])),
        "t10k-images-idx3-ubyte.gz": _idx("images", test),
        "t10k-labels-idx1-ubyte.gz": _idx("labels", np.array([7, 2])),
    }
    asked = []

    def urlopen(url):
        asked.append(url)
        if url.startswith(MnistDataset.mirrors[0]):  # the first mirror is down: the next one serves
            raise urllib.error.URLError("unreachable")
        return io.BytesIO(payload[url.rsplit("/", 1)[1]])

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    path = tmp_path / "mnist.npy"
    ds = MnistDataset(data_path=str(path))
    assert path.exists() and len(asked) == 8
    np.testing.assert_array_equal(ds.train_images, train.reshape(3, 784))
    np.testing.assert_array_equal(ds.test_images, test.reshape(2, 784))
    assert ds.train_labels.tolist() == [5, 0, 4] and ds.labels.tolist() == [5, 0, 4, 7, 2]
    assert ds.images.shape == (5, 784) and ds.images.dtype == np.uint8
    asked.clear()
    assert MnistDataset(data_path=str(path)).test_labels.tolist() == [7, 2] and not asked  # the saved file

    monkeypatch.setattr(urllib.request, "urlopen", lambda url: (_ for _ in ()).throw(urllib.error.URLError("x")))
    with pytest.raises(OSError, match="could not download train-images-idx3-ubyte.gz from any mirror"):
        MnistDataset(data_path=str(tmp_path / "other.npy"))
