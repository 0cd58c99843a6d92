"""Where Lava and caldera differ on purpose, caldera-lava follows Lava by default (documented in
integrations/lava/README.md): values, a run config's ``select`` hook, LogConfig, unsupported options."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from caldera.errors import NoModelError, ParameterError
from lava.magma.core.process.process import LogConfig
from lava.magma.core.run_conditions import RunSteps
from lava.magma.core.run_configs import Loihi1SimCfg, Loihi2HwCfg, Loihi2SimCfg
from lava.proc.dense.models import PyDenseModelFloat
from lava.proc.dense.process import Dense
from lava.proc.io.sink import RingBuffer as Sink
from lava.proc.io.source import RingBuffer as Source
from lava.proc.lif.models import PyLifModelBitAcc
from lava.proc.lif.process import LIF


def _dense_out(weights, cfg, spikes=(1.0, 1.0, 1.0)) -> np.ndarray:
    src = Source(data=np.array(spikes, dtype=float).reshape(-1, 1).repeat(2, axis=1))
    dense = Dense(weights=np.asarray(weights))
    sink = Sink(shape=(np.shape(weights)[0],), buffer=2)
    src.s_out.connect(dense.s_in)
    dense.a_out.connect(sink.a_in)
    src.run(RunSteps(num_steps=2), cfg)
    out = sink.data.get()[:, 1]
    src.stop()
    return out


def test_fixed_pt_weights_are_truncated_and_clipped_as_lava_does() -> None:
    # Lava: the int cast truncates toward zero (2, 300, 0); the sign mode of those is EXCITATORY, so they are
    # clipped to 0..255 and keep all 8 bits: 2 + 255 + 0
    got = _dense_out(np.array([[2.9, 300.0, -0.5]]), Loihi2SimCfg(select_tag="fixed_pt"))
    assert got.tolist() == [257]
    # mixed signs after the cast: range -256..255 and 7 bits + sign (even values): 2 + 254 - 4
    got = _dense_out(np.array([[2.9, 300.0, -4.5]]), Loihi2SimCfg(select_tag="fixed_pt"))
    assert got.tolist() == [252]


def test_caldera_strict_checks_on_request() -> None:
    with pytest.raises(ParameterError, match="weights must be integers"):
        _dense_out(np.array([[2.5, 1.0, 1.0]]), Loihi2SimCfg(select_tag="fixed_pt", value_checks="strict"))
    with pytest.raises(ParameterError, match="does not fit Loihi's 8-bit"):
        _dense_out(np.array([[300.0, 1.0, 1.0]]), Loihi2SimCfg(select_tag="fixed_pt", value_checks="strict"))


def test_fixed_pt_lif_takes_non_integer_parameters_truncated() -> None:
    def run(cfg, **kw):
        lif = LIF(shape=(1,), vth=1000, **kw)
        lif.run(RunSteps(num_steps=3), cfg)
        v = lif.v.get()
        lif.stop()
        return v

    lava = run(Loihi2SimCfg(select_tag="fixed_pt"), du=409.7, dv=0.9, bias_mant=10.8, bias_exp=1.5)
    ints = run(Loihi2SimCfg(select_tag="fixed_pt"), du=409, dv=0, bias_mant=10, bias_exp=1)
    np.testing.assert_array_equal(lava, ints)
    assert ints[0] == 3 * 20  # no decay of v, bias 10 << 1 each step
    with pytest.raises(ParameterError, match="must hold integers"):
        run(Loihi2SimCfg(select_tag="fixed_pt", value_checks="strict"), dv=0.9)


def test_var_set_of_a_non_integer_value_is_truncated() -> None:
    lif = LIF(shape=(2,), vth=10000, du=0, dv=0)
    cfg = Loihi2SimCfg(select_tag="fixed_pt")
    lif.run(RunSteps(num_steps=1), cfg)
    lif.bias_mant.set(np.array([3.7, -2.2]))
    lif.run(RunSteps(num_steps=1), cfg)
    np.testing.assert_array_equal(lif.bias_mant.get(), [3, -2])
    np.testing.assert_array_equal(lif.v.get(), [3, -2])
    lif.stop()


class FloatDenseEverywhere(Loihi1SimCfg):
    """Lava's hook: choose a model per process."""

    def select(self, proc, proc_models):
        if isinstance(proc, Dense):
            return PyDenseModelFloat
        return super().select(proc, proc_models)


def test_run_config_select_override_is_honoured() -> None:
    cfg = FloatDenseEverywhere(select_tag="fixed_pt")
    w = np.array([[0.25, 0.5, 0.25]])
    got = _dense_out(w, cfg)
    np.testing.assert_allclose(got, [1.0])  # the float Dense kept the fractions; the fixed LIF-free net ran
    lif = LIF(shape=(1,))
    assert cfg.select(lif, [PyLifModelBitAcc]) is PyLifModelBitAcc  # Lava's rules for the other processes


def test_select_with_a_tag_no_model_has() -> None:
    with pytest.raises(NoModelError, match="carries the tag 'nonexistent'"):
        Loihi1SimCfg(select_tag="nonexistent").select(LIF(shape=(1,)), [PyLifModelBitAcc])


def test_run_config_keeps_lava_attributes_and_caldera_options() -> None:
    cfg = Loihi2SimCfg(None, "fixed_pt", True, {LIF: PyLifModelBitAcc}, logging.INFO, partitions=1)
    assert cfg.select_tag == "fixed_pt" and cfg.select_sub_proc_model and cfg.exception_proc_model_map[LIF]
    assert cfg.value_checks == "lava" and cfg.loglevel == logging.INFO
    with pytest.raises(TypeError, match="custom_sync_domains"):
        Loihi2SimCfg(custom_sync_domains="nope")
    with pytest.raises(NotImplementedError, match="exclude_nodes"):
        cfg.exclude_nodes([])


def test_loihi2_hw_cfg_runs_on_the_emulator_or_says_what_to_install() -> None:
    from caldera import plugins

    if "loihi" not in plugins.backends():
        with pytest.raises(Exception, match="pip install caldera-loihi"):
            Loihi2HwCfg(select_tag="fixed_pt")
        return
    cfg = Loihi2HwCfg(select_tag="fixed_pt")
    assert cfg.backend == "loihi"
    lif = LIF(shape=(2,), du=0, dv=0, bias_mant=np.array([2, 3]), vth=1000)
    lif.run(RunSteps(num_steps=4), cfg)
    np.testing.assert_array_equal(lif.v.get(), [8, 12])
    assert lif.runtime.backend == "loihi"
    lif.stop()
    with pytest.raises(NotImplementedError, match="callback"):
        Loihi2HwCfg(callback_fxs=[object()])


def test_log_config_is_accepted_and_a_log_file_request_warns() -> None:
    LIF(shape=(1,), log_config=LogConfig(level=logging.DEBUG))
    with pytest.warns(UserWarning, match="no per-process log"):
        LogConfig(logs_to_file=True, file="x.log")
    with pytest.raises(ValueError, match="file name"):
        LogConfig(logs_to_file=True)


def test_bit_check_flags_a_state_beyond_its_bits() -> None:
    from lava.proc.bit_check.process import BitCheck

    lif = LIF(shape=(2,), du=0, dv=0, bias_mant=np.array([1, 40]), bias_exp=6, vth=100000)
    narrow, wide = BitCheck(bits=12), BitCheck(bits=24)
    narrow.connect_var(lif.v)
    wide.connect_var(lif.v)
    lif.run(RunSteps(num_steps=3), Loihi2SimCfg(select_tag="fixed_pt"))
    # v grows by 40 << 6 = 2560 per step: 7680 after 3 steps, beyond 12 signed bits (2047), within 24
    assert lif.v.get().tolist() == [192, 7680]
    assert bool(narrow.overflowed) and not bool(wide.overflowed)
    lif.stop()
    with pytest.raises(ValueError, match="1..31"):
        BitCheck(bits=40)


def test_delta_encoder_comes_from_caldera_dl_or_names_it() -> None:
    import importlib.util

    if importlib.util.find_spec("caldera_dl") is None:
        with pytest.raises(ImportError, match="pip install caldera-dl"):
            from lava.proc.sdn.process import Delta  # noqa: F401
        return
    from caldera_dl.procs import Delta as CalderaDelta
    from lava.proc.sdn.process import Delta

    assert Delta is CalderaDelta


def test_population_wide_parameters_given_as_uniform_arrays() -> None:
    n = 4
    lif = LIF(shape=(n,), du=np.full(n, 0.5), dv=np.full(n, 0.25), vth=np.ones(n), bias_mant=0.3)
    assert lif.du.get().tolist() == [0.5] * n and lif.vth.get().tolist() == [1.0] * n  # one value per neuron
    lif.run(RunSteps(num_steps=2), Loihi2SimCfg())
    np.testing.assert_allclose(lif.v.get(), np.full(n, 0.3 * 0.75 + 0.3))
    lif.stop()
    # different values per neuron: see test_per_neuron.py
    with pytest.raises(ParameterError, match=r"LIF: vth of shape \(3,\) does not fit the population shape \(2,\)"):
        LIF(shape=(2,), vth=np.array([1.0, 2.0, 3.0]))


def test_proc_params_overwrite_and_parameters_as_in_lava() -> None:
    lif = LIF(shape=(2,), du=0.1)
    lif.proc_params.overwrite("du", 0.2)
    assert lif.proc_params["du"] == 0.2 and lif.proc_params._parameters["du"] == 0.2


def test_create_runtime_compiles_with_a_run_config() -> None:
    lif = LIF(shape=(1,), du=0, dv=0, bias_mant=2, vth=1000)
    lif.create_runtime(run_cfg=Loihi2SimCfg(select_tag="fixed_pt"))
    assert lif.runtime is not None
    lif.run(condition=RunSteps(num_steps=3))
    assert lif.v.get().tolist() == [6]
    lif.stop()
    with pytest.raises(Exception, match="carries no run configuration"):
        LIF(shape=(1,)).create_runtime(executable=object())


def test_monitor_with_a_user_tag_uses_its_floating_point_model() -> None:
    class Custom(Loihi1SimCfg):
        def select(self, proc, proc_models):
            if isinstance(proc, LIF):
                return PyLifModelBitAcc
            return super().select(proc, proc_models)

    from lava.proc.monitor.process import Monitor

    lif = LIF(shape=(1,), du=0, dv=0, bias_mant=1, vth=1000)
    mon = Monitor()
    mon.probe(lif.v, 3)
    lif.run(RunSteps(num_steps=3), Custom(select_tag="my_own_tag"))
    assert mon.get_data()[lif.name]["v"][:, 0].tolist() == [1, 2, 3]
    lif.stop()
