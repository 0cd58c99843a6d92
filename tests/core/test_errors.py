"""Errors a user can act on: failing models, bad connections, bad parameters, missing plugins."""

from __future__ import annotations

import re

import caldera
import numpy as np
import pytest
from caldera import (
    CPU,
    InPort,
    LavaPyType,
    LoihiProtocol,
    OutPort,
    Process,
    PyInPort,
    PyLoihiProcessModel,
    PyOutPort,
    RunConfig,
    RunSteps,
    Var,
    implements,
    plugins,
    requires,
    tag,
)
from caldera.procs import LIF, Dense, Monitor, RingBuffer, Sparse

from tests.backends import require


# -- a model that raises -----------------------------------------------------------------------
class Bomb(Process):
    """Raises ``BombError`` in ``phase`` at step ``at``."""

    def __init__(self, *, at=3, phase="spk", name=None):
        super().__init__(at=at, phase=phase, name=name)
        self.a_in = InPort(shape=(1,))
        self.s_out = OutPort(shape=(1,))
        self.ticks = Var(shape=(1,), init=0)


class BombError(Exception):
    pass


def _explode(model) -> None:
    raise BombError(f"kaboom-{model.time_step}")


class _BombBase(PyLoihiProcessModel):
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    ticks: np.ndarray = LavaPyType(np.ndarray, float)

    def run_spk(self) -> None:
        self.a_in.recv()
        self.ticks += 1
        if self.proc_params["phase"] == "spk" and self.time_step == self.proc_params["at"]:
            _explode(self)
        self.s_out.send(self.ticks)

    def post_guard(self) -> bool:
        return self.proc_params["phase"] == "post_mgmt"

    def run_post_mgmt(self) -> None:
        if self.time_step == self.proc_params["at"]:
            _explode(self)


@implements(proc=Bomb, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class BombGeneral(_BombBase):
    """No schedule: runs as a greenlet."""


@implements(proc=Bomb, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class BombStatic(_BombBase):
    schedule = "recv_first"


@pytest.mark.parametrize("model", [BombGeneral, BombStatic])
@pytest.mark.parametrize(("phase", "at"), [("spk", 3), ("post_mgmt", 2)])
def test_model_exception_becomes_run_error_with_context(model, phase, at):
    src = LIF(shape=(1,), name="feeder")
    bomb = Bomb(at=at, phase=phase, name="the_bomb")
    src.s_out.connect(bomb.a_in)
    cfg = RunConfig(exception_proc_model_map={Bomb: model})
    with pytest.raises(caldera.RunError) as info:
        bomb.run(RunSteps(10), cfg)
    assert type(bomb.runtime.model_of(bomb)) is model
    err = info.value
    msg = str(err)
    assert "the_bomb" in msg
    assert f"step {at}" in msg
    assert f"'{phase}'" in msg
    assert "BombError" in msg and f"kaboom-{at}" in msg
    # the original traceback text, down to the line that raised
    assert "Traceback" in msg and "_explode" in msg and 'raise BombError(f"kaboom-' in msg
    assert isinstance(err.__cause__, BombError)
    assert str(err.__cause__) == f"kaboom-{at}"
    assert (err.process, err.step, err.phase) == ("the_bomb", at, phase)
    # the state stays readable and shows where it stopped; the network cannot continue
    np.testing.assert_array_equal(bomb.ticks.get(), [float(at)])
    with pytest.raises(caldera.RuntimeStateError):
        bomb.run(RunSteps(1))
    bomb.stop()


def test_model_exception_in_nonblocking_run_is_raised_by_wait():
    bomb = Bomb(at=2, name="bg_bomb")
    bomb.run(RunSteps(5, blocking=False))
    with pytest.raises(caldera.RunError, match="bg_bomb") as info:
        bomb.wait()
    assert isinstance(info.value.__cause__, BombError)
    bomb.stop()


def test_run_error_is_a_caldera_error_and_runtime_error():
    assert issubclass(caldera.RunError, caldera.CalderaError)
    assert issubclass(caldera.RunError, RuntimeError)
    assert issubclass(caldera.ParameterError, ValueError)


# -- connecting ports --------------------------------------------------------------------------
def test_shape_mismatch_at_connect_names_both_ports_and_shapes():
    src = LIF(shape=(3,), name="pre")
    dst = LIF(shape=(4,), name="post")
    with pytest.raises(
        caldera.PortConnectionError,
        match=re.escape("pre.s_out (shape (3,))") + ".*" + re.escape("post.a_in (shape (4,))"),
    ):
        src.s_out.connect(dst.a_in)
    assert dst.a_in.in_connections == []


def test_shape_mismatch_through_dense():
    lif = LIF(shape=(3,), name="pre")
    dense = Dense(weights=np.ones((2, 5)), name="syn")
    with pytest.raises(caldera.PortConnectionError, match=r"pre\.s_out.*\(3,\).*syn\.s_in.*\(5,\)"):
        lif.s_out.connect(dense.s_in)


def test_connect_twice_is_rejected():
    a, b = LIF(shape=(2,), name="a"), LIF(shape=(2,), name="b")
    a.s_out.connect(b.a_in)
    with pytest.raises(caldera.PortConnectionError, match="already connected"):
        a.s_out.connect(b.a_in)


# -- process parameters ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cls", "kwargs", "allowed"),
    [
        (LIF, dict(shape=(1,), vht=3), ["shape", "du", "dv", "vth", "bias_mant"]),
        (Dense, dict(weights=np.ones((1, 1)), weight=1), ["weights", "weight_exp", "num_weight_bits"]),
        (RingBuffer, dict(data=np.zeros((1, 2)), buffer=3), ["data"]),
    ],
)
def test_unknown_keyword_argument_lists_allowed_names(cls, kwargs, allowed):
    bad = [k for k in kwargs if k not in ("shape", "weights", "data")][0]
    with pytest.raises(TypeError, match=f"{cls.__name__}.*unknown keyword.*'{bad}'") as info:
        cls(**kwargs)
    msg = str(info.value)
    assert "allowed:" in msg
    for name in allowed:
        assert name in msg.split("allowed:")[1]


@pytest.mark.parametrize(
    ("param", "value", "rng"),
    [
        ("du", 5000, "0..4095"),
        ("dv", -1, "0..4095"),
        ("bias_mant", 5000, "-4096..4095"),
        ("bias_mant", -4097, "-4096..4095"),
        ("vth", 2**17, "0..131071"),
        ("bias_exp", 8, "0..7"),
    ],
)
def test_fixed_pt_lif_parameter_out_of_range(param, value, rng):
    lif = LIF(shape=(2,), name="neuron", **{param: value})
    with pytest.raises(caldera.ParameterError, match=rf"{param}={value}.*{re.escape(rng)}") as info:
        lif.run(RunSteps(1), RunConfig(tag="fixed_pt"))
    assert "'neuron'" in str(info.value)
    assert lif.runtime is None  # compile time: nothing ran


def test_fixed_pt_lif_boundaries_are_accepted():
    lif = LIF(shape=(1,), du=4095, dv=0, bias_mant=-4096, bias_exp=7, vth=131071)
    lif.run(RunSteps(1), RunConfig(tag="fixed_pt"))
    # one step: u = 0 (du = 4095 clears it), v = 0 + u + (-4096 << 7) = -524288; no spike below vth
    np.testing.assert_array_equal(lif.u.get(), [0])
    np.testing.assert_array_equal(lif.v.get(), [-524288])
    np.testing.assert_array_equal(lif.vth.get(), [131071])
    lif.stop()


def test_floating_pt_lif_accepts_what_fixed_pt_rejects():
    lif = LIF(shape=(1,), bias_mant=5000.5, vth=2**20)
    lif.run(RunSteps(1), RunConfig(tag="floating_pt"))
    np.testing.assert_array_equal(lif.v.get(), [5000.5])
    lif.stop()


def test_fixed_pt_lif_set_out_of_range_at_run_time():
    lif = LIF(shape=(2,), du=10, vth=5)
    lif.run(RunSteps(1), RunConfig(tag="fixed_pt"))
    with pytest.raises(caldera.ParameterError, match=r"du=5000.*0\.\.4095"):
        lif.du.set(5000)
    np.testing.assert_array_equal(lif.du.get(), [10])
    with pytest.raises(caldera.ParameterError, match=r"vth"):
        lif.vth.set(2**17)
    np.testing.assert_array_equal(lif.vth.get(), [5])
    lif.stop()


def test_fixed_pt_lif_non_integer_parameter():
    lif = LIF(shape=(1,), vth=2.5, name="frac")
    with pytest.raises(caldera.ParameterError, match=r"'frac'.*vth must hold integers"):
        lif.run(RunSteps(1), RunConfig(tag="fixed_pt"))


@pytest.mark.parametrize("cls", [Dense, Sparse])
@pytest.mark.parametrize(
    ("weights", "pattern"),
    [
        ([[300, 0]], r"300.*EXCITATORY.*0\.\.255"),
        ([[-300, 0]], r"-300.*INHIBITORY.*-255\.\.0"),
        ([[-257, 3]], r"-257.*MIXED.*-256\.\.255"),
        ([[256, -3]], r"256.*MIXED.*-256\.\.255"),
        ([[1.5, 2.0]], r"integers"),
    ],
)
def test_fixed_pt_dense_bad_weights(cls, weights, pattern):
    syn = cls(weights=np.array(weights), name="syn")
    with pytest.raises(caldera.ParameterError, match=r"(?s)'syn'.*" + pattern):
        syn.run(RunSteps(1), RunConfig(tag="fixed_pt"))


def test_fixed_pt_dense_weights_at_the_limits_run():
    # stored as Loihi stores them with num_weight_bits=8: EXCITATORY/INHIBITORY keep all 8 bits, MIXED
    # drops the lowest bit (one bit goes to the sign): 255 -> 254, -256 stays
    for w, stored in (([[255, 0]], [[255, 0]]), ([[-255, 0]], [[-255, 0]]), ([[255, -256]], [[254, -256]])):
        syn = Dense(weights=np.array(w))
        syn.run(RunSteps(1), RunConfig(tag="fixed_pt"))
        np.testing.assert_array_equal(syn.weights.get(), stored)
        syn.stop()


def test_dense_non_integer_weights_fine_in_floating_pt():
    syn = Dense(weights=np.array([[1.5, 300.0]]))
    syn.run(RunSteps(1), RunConfig(tag="floating_pt"))
    np.testing.assert_array_equal(syn.weights.get(), [[1.5, 300.0]])
    syn.stop()


def test_bad_process_parameters_at_construction():
    with pytest.raises(caldera.ParameterError, match="shape"):
        LIF(shape=(0,))
    with pytest.raises(caldera.ParameterError, match="bias_mant.*does not fit"):
        LIF(shape=(3,), bias_mant=[1, 2])
    with pytest.raises(caldera.ParameterError, match=r"du of shape \(2,\) does not fit the population shape \(3,\)"):
        LIF(shape=(3,), du=[0.1, 0.2])  # one du per neuron is allowed, but one per neuron of this population
    with pytest.raises(caldera.ParameterError, match="vth must be finite"):
        LIF(shape=(3,), vth=[1.0, np.nan, 2.0])
    with pytest.raises(caldera.ParameterError, match="2-D"):
        Dense(weights=np.ones(3))
    with pytest.raises(caldera.ParameterError, match="num_weight_bits"):
        Dense(weights=np.ones((2, 2)), num_weight_bits=9)


# -- Var.set -----------------------------------------------------------------------------------
@pytest.mark.parametrize("tag_", ["floating_pt", "fixed_pt"])
def test_var_set_wrong_shape_changes_nothing(tag_):
    lif = LIF(shape=(3,), v=[1, 2, 3], du=0, dv=0, vth=100)
    with pytest.raises(caldera.ParameterError, match=r"expected an array of shape \(3,\).*got shape \(2,\)"):
        lif.v.set(np.array([7, 8]))
    np.testing.assert_array_equal(lif.v.get(), [1, 2, 3])
    lif.run(RunSteps(1), RunConfig(tag=tag_))
    before = lif.v.get()
    np.testing.assert_array_equal(before, [1, 2, 3])
    with pytest.raises(caldera.ParameterError, match=r"shape \(3,\)"):
        lif.v.set(np.zeros((3, 1)))
    with pytest.raises(caldera.ParameterError):
        lif.v.set(np.array(["a", "b", "c"]))
    after = lif.v.get()
    np.testing.assert_array_equal(after, before)
    assert after.dtype == before.dtype
    lif.run(RunSteps(1))
    np.testing.assert_array_equal(lif.v.get(), [1, 2, 3])
    lif.stop()


def test_var_set_scalar_fills():
    lif = LIF(shape=(3,))
    lif.run(RunSteps(1))
    lif.v.set(4.0)
    np.testing.assert_array_equal(lif.v.get(), [4.0] * 3)
    lif.stop()


def test_fixed_pt_var_set_outside_int32_is_rejected():
    lif = LIF(shape=(2,))
    lif.run(RunSteps(1), RunConfig(tag="fixed_pt"))
    with pytest.raises(caldera.ParameterError):
        lif.v.set(np.array([2**40, 0]))
    np.testing.assert_array_equal(lif.v.get(), [0, 0])
    lif.stop()


# -- Monitor -----------------------------------------------------------------------------------
@pytest.mark.parametrize("target", ["inport", "int", "process"])
def test_monitor_probe_rejects_non_var_non_outport(target):
    lif = LIF(shape=(2,))
    obj = {"inport": lif.a_in, "int": 3, "process": lif}[target]
    mon = Monitor()
    with pytest.raises(caldera.ParameterError, match="Var or an OutPort"):
        mon.probe(obj, 5)


def test_monitor_probe_after_run_is_rejected():
    lif = LIF(shape=(2,))
    mon = Monitor()
    mon.probe(lif.v, 2)
    lif.run(RunSteps(1))
    with pytest.raises(caldera.RuntimeStateError):
        mon.probe(lif.u, 2)
    lif.stop()


# -- backends, tags, plugins -------------------------------------------------------------------
def test_unknown_backend_lists_installed():
    lif = LIF(shape=(1,))
    with pytest.raises(caldera.NoBackendError, match=r"'nope'.*installed backends:.*\bcpu\b"):
        lif.run(RunSteps(1), RunConfig(backend="nope"))


def test_unknown_tag_lists_available_tags():
    lif = LIF(shape=(1,), name="lonely")
    with pytest.raises(caldera.NoModelError, match=r"'nope'.*available tags:") as info:
        lif.run(RunSteps(1), RunConfig(tag="nope"))
    msg = str(info.value)
    assert "fixed_pt" in msg and "floating_pt" in msg and "lonely" in msg


def test_run_config_type_checks():
    with pytest.raises(caldera.ParameterError):
        RunConfig(backend=3)
    with pytest.raises(caldera.ParameterError):
        RunConfig(tag=["fixed_pt"])


class Orphan(Process):
    def __init__(self, *, name=None):
        super().__init__(name=name)
        self.x = Var(shape=(1,), init=0)


def test_process_without_any_model():
    with pytest.raises(caldera.NoModelError, match=r"Orphan.*@implements"):
        Orphan().run(RunSteps(1))


@pytest.fixture
def no_backend_plugins():
    """Unregister the caldera-cpu plugin (and any other installed plugin) for one test; restore them."""
    import caldera_cpu.plugin as cpu_plugin

    pm = plugins.get_plugin_manager()
    assert pm.get_name(cpu_plugin) is not None, "the cpu plugin should be registered"
    removed = list(pm.list_name_plugin())
    for _name, plugin in removed:
        pm.unregister(plugin)
    plugins._forget()
    try:
        yield
    finally:
        for name, plugin in removed:
            pm.register(plugin, name=name)
        plugins._forget()
        assert "cpu" in plugins.backends()


def test_without_backend_plugin_the_error_names_caldera_cpu(no_backend_plugins):
    assert plugins.backends() == {} and plugins.process_models() == []
    lif = LIF(shape=(2,))
    with pytest.raises(caldera.CompileError, match="caldera-cpu"):
        lif.run(RunSteps(1))
    assert lif.runtime is None


def test_cpu_plugin_is_back_after_the_fixture():
    lif = LIF(shape=(2,), bias_mant=1.0, du=0, dv=0)
    lif.run(RunSteps(2))
    np.testing.assert_array_equal(lif.v.get(), [2.0, 2.0])
    lif.stop()


def test_process_already_in_a_network_cannot_join_another():
    a = LIF(shape=(1,), name="a")
    a.run(RunSteps(1))
    b = LIF(shape=(1,), name="b")
    a.s_out.connect(b.a_in)  # connecting after compilation: b would have to join a compiled network
    with pytest.raises(caldera.CompileError, match="already belongs"):
        b.run(RunSteps(1))
    a.stop()


def test_fix_a_rejected_parameter_and_run_again():
    lif = LIF(shape=(2,), du=5000, bias_mant=1, vth=100)
    with pytest.raises(caldera.ParameterError, match="du=5000"):
        lif.run(RunSteps(1), RunConfig(tag="fixed_pt"))
    lif.du.set(100)  # the network was not compiled: this changes the initial value
    lif.run(RunSteps(2), RunConfig(tag="fixed_pt"))
    np.testing.assert_array_equal(lif.v.get(), [2, 2])
    np.testing.assert_array_equal(lif.du.get(), [100])
    lif.stop()


# -- bad input that used to get through ------------------------------------------------------------
@pytest.mark.parametrize("backend", ["cpu", "cython"])
@pytest.mark.parametrize("tag_", ["floating_pt", "fixed_pt"])
def test_var_set_after_compile_refuses_non_finite_values(backend, tag_):
    """The constructor refuses NaN and infinite weights and thresholds; Var.set after compile does too."""
    require(backend)
    lif = LIF(shape=(2,), vth=10, name="lif")
    syn = Dense(weights=np.ones((2, 2)), name="syn")
    syn.a_out.connect(lif.a_in)
    lif.run(RunSteps(1), RunConfig(backend=backend, tag=tag_))
    bad = [
        (syn.weights, np.array([[np.nan, 1.0], [1.0, 1.0]])),
        (syn.weights, np.full((2, 2), np.inf)),
        (lif.vth, np.nan),
        (lif.bias_mant, np.array([1.0, -np.inf])),
    ]
    for var, value in bad:
        with pytest.raises(caldera.ParameterError, match=rf"{var.qualified_name}: values must be finite"):
            var.set(value)
    np.testing.assert_array_equal(syn.weights.get(), np.ones((2, 2)))
    np.testing.assert_array_equal(lif.vth.get(), [10])
    np.testing.assert_array_equal(lif.bias_mant.get(), [0, 0])
    lif.stop()
    with pytest.raises(caldera.ParameterError, match="vth must be finite"):
        LIF(shape=(2,), vth=np.nan)  # the constructor's check, for comparison


def test_var_set_before_compile_refuses_non_finite_values():
    lif = LIF(shape=(2,), vth=10)
    with pytest.raises(caldera.ParameterError, match="values must be finite"):
        lif.vth.set(np.inf)
    np.testing.assert_array_equal(lif.vth.get(), [10])


def test_load_of_a_missing_file_says_it_is_missing(tmp_path):
    with pytest.raises(caldera.CalderaError, match=r"net\.npz: does not exist"):
        caldera.load(tmp_path / "net.npz")
    with pytest.raises(caldera.CalderaError, match="is a folder, not a file"):
        caldera.load(tmp_path)
    (tmp_path / "junk.npz").write_bytes(b"not an archive")
    with pytest.raises(caldera.CalderaError, match="not a caldera network file"):
        caldera.load(tmp_path / "junk.npz")


@pytest.mark.parametrize("shape", [0, -2, (0,), (3, 0), (-1, 4), (2.5,)])
def test_zero_and_negative_shapes_one_rule_one_message(shape):
    rule = r"must be an int or a tuple of ints, each size at least 1; got " + re.escape(repr(shape))
    with pytest.raises(caldera.ParameterError, match=r"LIF: shape " + rule):
        LIF(shape=shape)
    with pytest.raises(caldera.ParameterError, match=r"Var shape " + rule):
        caldera.Var(shape=shape)
    with pytest.raises(caldera.ParameterError, match=r"port shape " + rule):
        caldera.InPort(shape=shape)
