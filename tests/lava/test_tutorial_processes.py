"""Lava-style script: processes, process models and execution (the topics of Lava's in-depth tutorials 2-4),
written against ``lava.*`` names only."""

from __future__ import annotations

import time

import numpy as np
import pytest
from lava.magma.compiler.compiler import Compiler
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.ports import PyInPort, PyOutPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.process.message_interface_enum import ActorType
from lava.magma.core.process.ports.ports import InPort, OutPort
from lava.magma.core.process.process import AbstractProcess, LogConfig
from lava.magma.core.process.variable import Var
from lava.magma.core.resources import CPU
from lava.magma.core.run_conditions import RunContinuous, RunSteps
from lava.magma.core.run_configs import Loihi1SimCfg, Loihi2SimCfg
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol
from lava.magma.runtime.runtime import Runtime
from lava.proc.lif.process import LIF


class Integrator(AbstractProcess):
    """A leaky integrator that fires and resets when v reaches vth (a process written the Lava way)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        shape = kwargs.get("shape", (1,))
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        self.v = Var(shape=shape, init=kwargs.pop("v", 0))
        self.leak = Var(shape=(1,), init=kwargs.pop("leak", 0))
        self.bias = Var(shape=shape, init=kwargs.pop("bias", 0))
        self.vth = Var(shape=(1,), init=kwargs.pop("vth", 10))


@implements(proc=Integrator, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyIntegratorFloat(PyLoihiProcessModel):
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, bool, precision=1)
    v: np.ndarray = LavaPyType(np.ndarray, float)
    leak: float = LavaPyType(float, float)
    bias: np.ndarray = LavaPyType(np.ndarray, float)
    vth: float = LavaPyType(float, float)

    def run_spk(self) -> None:
        a = self.a_in.recv()
        self.v[:] = self.v * (1 - self.leak) + a + self.bias
        s = self.v >= self.vth
        self.v[s] = 0
        self.s_out.send(s)


@implements(proc=Integrator, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyIntegratorFixed(PyLoihiProcessModel):
    """Integer arithmetic: the leak is a 12-bit fraction of 4096, truncated toward zero."""

    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=16)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, bool, precision=1)
    v: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    leak: int = LavaPyType(int, np.uint16, precision=12)
    bias: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=16)
    vth: int = LavaPyType(int, np.int32, precision=17)

    def run_spk(self) -> None:
        a = self.a_in.recv()
        decayed = np.trunc(self.v * ((4096 - self.leak) / 4096)).astype(np.int32)
        self.v[:] = decayed + a + self.bias
        s = self.v >= self.vth
        self.v[s] = 0
        self.s_out.send(s)


def _reference(v0, leak, bias, vth, steps, fixed=False):
    v, out = np.array(v0, dtype=float), []
    for _ in range(steps):
        v = (np.trunc(v * ((4096 - leak) / 4096)) if fixed else v * (1 - leak)) + bias
        s = v >= vth
        v[s] = 0
        out.append(v.copy())
    return np.array(out)


def test_process_declares_vars_ports_and_keeps_its_parameters() -> None:
    p = Integrator(shape=(3,), bias=[1, 2, 3], vth=5, name="integ", log_config=LogConfig())
    assert p.name == "integ"
    assert p.proc_params["shape"] == (3,)
    assert [v.name for v in p.vars] == ["v", "leak", "bias", "vth"]
    assert [port.name for port in p.in_ports] == ["a_in"] and [port.name for port in p.out_ports] == ["s_out"]
    np.testing.assert_array_equal(p.bias.get(), [1, 2, 3])
    p.v.set(np.array([0.5, 0.0, 1.0]))  # before a run, set() changes the initial value
    np.testing.assert_array_equal(p.v.get(), [0.5, 0.0, 1.0])
    assert p.runtime is None


@pytest.mark.parametrize("tag_", ["floating_pt", "fixed_pt"])
def test_model_selected_by_tag_gives_exact_numbers(tag_: str) -> None:
    fixed = tag_ == "fixed_pt"
    leak = 410 if fixed else 0.1
    bias = np.array([4, 5, 7])
    p = Integrator(shape=(3,), leak=leak, bias=bias, vth=25)
    vs = []
    for _ in range(25):
        p.run(condition=RunSteps(num_steps=1), run_cfg=Loihi2SimCfg(select_tag=tag_))
        vs.append(p.v.get())
    p.stop()
    want = _reference(np.zeros(3), leak, bias, 25, 25, fixed=fixed)
    np.testing.assert_allclose(np.array(vs), want, rtol=0, atol=1e-12)
    assert np.asarray(vs[-1]).dtype == (np.int32 if fixed else np.float64)
    assert np.all((np.array(vs) == 0).sum(axis=0) >= 1)  # every neuron fired and reset


def test_default_run_config_picks_floating_point_as_lava_does() -> None:
    lif = LIF(shape=(2,), du=0.5, dv=0.5, bias_mant=np.array([0.3, 0.6]), vth=10.0)
    lif.run(condition=RunSteps(num_steps=3), run_cfg=Loihi1SimCfg())
    # floating point: v = v * (1 - dv) + u + bias with u = 0
    v = np.zeros(2)
    for _ in range(3):
        v = v * 0.5 + np.array([0.3, 0.6])
    np.testing.assert_allclose(lif.v.get(), v, rtol=1e-12)
    assert lif.v.get().dtype == np.float64
    lif.stop()


def test_run_continuous_pause_set_and_resume() -> None:
    lif = LIF(shape=(1,), du=0.0, dv=0.0, bias_mant=1.0, vth=1e9)
    cfg = Loihi1SimCfg()
    lif.run(condition=RunContinuous(), run_cfg=cfg)
    time.sleep(0.05)
    lif.pause()
    t1 = lif.runtime.time_step
    assert t1 >= 1
    np.testing.assert_allclose(lif.v.get(), [float(t1)])  # v grows by the bias every step
    lif.v.set(np.array([0.0]))
    lif.run(condition=RunSteps(num_steps=5), run_cfg=cfg)
    np.testing.assert_allclose(lif.v.get(), [5.0])
    lif.stop()
    np.testing.assert_allclose(lif.v.get(), [5.0])  # the last state stays readable after stop()


def test_non_blocking_run_then_wait() -> None:
    lif = LIF(shape=(1,), du=0.0, dv=0.0, bias_mant=2.0, vth=1e9)
    lif.run(condition=RunSteps(num_steps=50, blocking=False), run_cfg=Loihi1SimCfg())
    lif.wait()
    np.testing.assert_allclose(lif.v.get(), [100.0])
    lif.stop()


def test_compiler_and_runtime_explicitly() -> None:
    lif = LIF(shape=(1,), du=0.0, dv=0.0, bias_mant=1.0, vth=1e9)
    executable = Compiler().compile(lif, run_cfg=Loihi1SimCfg())
    runtime = Runtime(exe=executable, message_infrastructure_type=ActorType.MultiProcessing)
    runtime.initialize()
    runtime.start(run_condition=RunSteps(num_steps=42))
    assert runtime.current_ts == 42
    np.testing.assert_allclose(lif.v.get(), [42.0])
    lif.run(condition=RunSteps(num_steps=1))  # the process drives the same compiled network
    np.testing.assert_allclose(lif.v.get(), [43.0])
    runtime.stop()


class Broken(AbstractProcess):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.x = Var(shape=(1,), init=0)


@implements(proc=Broken, protocol=LoihiProtocol)
@requires(CPU)
class PyBroken(PyLoihiProcessModel):
    x: np.ndarray = LavaPyType(np.ndarray, float)

    def run_spk(self):
        if self.time_step == 3:
            raise ValueError("step three is broken")


def test_error_in_a_model_reaches_the_caller_with_the_process_name() -> None:
    b = Broken(name="broken")
    with pytest.raises(Exception, match="step three is broken") as ei:
        b.run(condition=RunSteps(num_steps=5), run_cfg=Loihi1SimCfg())
    assert "broken" in str(ei.value)
    b.stop()
