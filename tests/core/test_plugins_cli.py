"""Plugins: the ``caldera plugins`` command and plugins registered at run time."""

from __future__ import annotations

import caldera
import numpy as np
import pytest
from caldera import (
    CPU,
    LavaPyType,
    LoihiProtocol,
    OutPort,
    Process,
    PyLoihiProcessModel,
    PyOutPort,
    RunConfig,
    RunSteps,
    Var,
    cli,
    hookimpl,
    implements,
    plugins,
    requires,
    tag,
)
from caldera.backend import Backend
from caldera.executor import InProcessExecutor
from caldera.model import AbstractPyProcessModel
from caldera.procs import LIF, Monitor


def _cpu_row(out: str) -> list[str]:
    rows = [line.split() for line in out.splitlines() if line.split()[:1] == ["cpu"]]
    assert len(rows) == 1, out
    return rows[0]


def test_cli_plugins_lists_cpu(capsys):
    assert cli.main(["plugins"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"caldera {caldera.__version__}")
    row = _cpu_row(out)
    # plugin, distribution, version, model count, backends
    assert row[0] == "cpu" and row[1] == "caldera-cpu"
    import caldera_cpu

    assert row[2] == caldera_cpu.__version__
    assert int(row[3]) > 20
    assert row[4] == "cpu" and "prio=10" in row
    assert ("(default)" in row) == (plugins.default_backend().name == "cpu")


def test_cli_plugins_verbose_lists_models(capsys):
    assert cli.main(["plugins", "--verbose"]) == 0
    out = capsys.readouterr().out
    for model in ("PyLifModelFloat", "PyLifModelBitAcc", "PyDenseModelFloat", "PyMonitorModelFixed"):
        assert model in out
    assert "tags=bit_accurate_loihi,fixed_pt" in out


def test_cli_without_command_prints_help(capsys):
    assert cli.main([]) == 0
    assert "plugins" in capsys.readouterr().out


def test_cli_version(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["--version"])
    assert info.value.code == 0
    assert caldera.__version__ in capsys.readouterr().out


def test_plugin_registry_contents():
    assert "cpu" in plugins.backends()
    assert plugins.backends()["cpu"].priority == 10
    assert plugins.default_backend().priority >= 10
    models = plugins.process_models()
    names = {m.__name__ for plug, m in models if plug == "cpu"}
    assert {"PyLifModelFloat", "PyLifModelBitAcc", "PySparseModelFloat", "PyConvModelFixed"} <= names
    for _, m in models:
        assert m.implements_process is not None, m
    cpu_lif = {m for plug, m in models if plug == "cpu" and m.implements_process is LIF}
    assert {tuple(m.tags) for m in cpu_lif} == {("floating_pt",), ("bit_accurate_loihi", "fixed_pt")}


# -- a test-only plugin ------------------------------------------------------------------------
class Ramp(Process):
    """Sends 1, 2, 3, ... and keeps the last value in ``x``. Its model comes only from a plugin."""

    def __init__(self, *, shape=(2,), name=None):
        super().__init__(shape=shape, name=name)
        self.out = OutPort(shape=shape)
        self.x = Var(shape=shape, init=0)


def _make_ramp_model() -> type:
    # defined in a function so that it is not found as a model "next to the process"
    @implements(proc=Ramp, protocol=LoihiProtocol)
    @requires(CPU)
    @tag("floating_pt", "ramp_pt")
    class RampModel(PyLoihiProcessModel):
        schedule = "recv_first"
        out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
        x: np.ndarray = LavaPyType(np.ndarray, float)

        def run_spk(self) -> None:
            self.x += 1
            self.out.send(self.x)

    return RampModel


class ExtraPlugin:
    """A plugin object with a backend ('testbe') and a model; counts the executors it builds."""

    def __init__(self) -> None:
        self.model = _make_ramp_model()
        self.executors = 0

    def _make_executor(self, plan):
        self.executors += 1
        return InProcessExecutor(plan)

    @hookimpl
    def caldera_backends(self):
        return [
            Backend(
                name="testbe",
                priority=0,
                accepts=lambda m: isinstance(m, type) and issubclass(m, AbstractPyProcessModel),
                make_executor=self._make_executor,
                description="test backend",
            )
        ]

    @hookimpl
    def caldera_process_models(self):
        return [self.model]


@pytest.fixture
def test_plugin():
    plugin = ExtraPlugin()
    plugins.register(plugin, name="testplug")
    try:
        yield plugin
    finally:
        plugins.unregister(plugin)
    assert "testbe" not in plugins.backends()


def test_registered_plugin_backend_and_model_are_used(test_plugin, capsys):
    assert set(plugins.backends()) >= {"cpu", "testbe"}
    assert plugins.default_backend().name != "testbe"  # lower priority than cpu
    ramp = Ramp(name="ramp")
    lif = LIF(shape=(2,), du=1, dv=1, vth=2.5, name="lif")
    ramp.out.connect(lif.a_in)
    mon = Monitor()
    mon.probe(lif.s_out, 4)
    ramp.run(RunSteps(4), RunConfig(backend="testbe"))
    try:
        assert ramp.runtime.backend == "testbe"
        assert test_plugin.executors == 1
        assert type(ramp.runtime.model_of(ramp)) is test_plugin.model
        np.testing.assert_array_equal(ramp.x.get(), [4.0, 4.0])
        np.testing.assert_array_equal(mon.get_data()["lif"]["s_out"][:, 0], [0, 0, 1, 1])
    finally:
        ramp.stop()
    # and the command line shows it
    cli.main(["plugins"])
    out = capsys.readouterr().out
    row = [line.split() for line in out.splitlines() if line.startswith("testplug")][0]
    assert row[1] == "(registered)" and int(row[3]) == 1 and "testbe" in row


def test_plugin_tag_is_selectable(test_plugin):
    ramp = Ramp()
    ramp.run(RunSteps(2), RunConfig(tag="ramp_pt"))
    np.testing.assert_array_equal(ramp.x.get(), [2.0, 2.0])
    ramp.stop()


def test_without_the_test_plugin_there_is_no_model_or_backend():
    with pytest.raises(caldera.NoModelError, match="Ramp"):
        Ramp().run(RunSteps(1))
    with pytest.raises(caldera.NoBackendError, match="testbe"):
        LIF(shape=(1,)).run(RunSteps(1), RunConfig(backend="testbe"))
