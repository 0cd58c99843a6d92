"""RunConfig(value_checks=...): caldera refuses values Loihi cannot hold ("strict", the default); "lava" takes them
as Lava 0.10 does (non-integers truncated toward zero, weights clipped to the 8-bit range of their sign mode)."""

from __future__ import annotations

import numpy as np
import pytest
from caldera import RunConfig, RunSteps
from caldera.errors import ParameterError
from caldera.procs import LIF, Dense, RingBuffer, RingBufferSink


def _run(weights, value_checks: str) -> np.ndarray:
    src = RingBuffer(data=np.ones((np.shape(weights)[1], 2)))
    dense = Dense(weights=np.asarray(weights))
    sink = RingBufferSink(shape=(np.shape(weights)[0],), buffer=2)
    src.s_out.connect(dense.s_in)
    dense.a_out.connect(sink.a_in)
    src.run(RunSteps(num_steps=2), RunConfig(tag="fixed_pt", value_checks=value_checks))
    out = sink.data.get()[:, 1]
    src.stop()
    return out


def test_strict_is_the_default_and_refuses() -> None:
    assert RunConfig().value_checks == "strict"
    with pytest.raises(ParameterError, match="weights must be integers"):
        _run([[1.5, 2.0]], "strict")
    with pytest.raises(ParameterError, match="8-bit"):
        _run([[1.0, 400.0]], "strict")
    lif = LIF(shape=(1,), bias_mant=5000)
    with pytest.raises(ParameterError, match="bias_mant=5000 is outside"):
        lif.run(RunSteps(num_steps=1), RunConfig(tag="fixed_pt"))


def test_lava_truncates_and_clips() -> None:
    assert _run([[1.5, 400.0]], "lava").tolist() == [1 + 255]
    assert _run([[-1.5, -400.0]], "lava").tolist() == [-1 - 255]
    lif = LIF(shape=(1,), bias_mant=2.7, vth=1000)
    lif.run(RunSteps(num_steps=2), RunConfig(tag="fixed_pt", value_checks="lava"))
    assert lif.v.get().tolist() == [4]
    lif.v.set(np.array([7.9]))  # a write is truncated too
    assert lif.v.get().tolist() == [7]
    lif.stop()


def test_bad_value_checks_name() -> None:
    with pytest.raises(ParameterError, match="value_checks must be 'strict' or 'lava'"):
        RunConfig(value_checks="loose")
