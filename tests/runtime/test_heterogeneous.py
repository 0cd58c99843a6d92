"""Heterogeneous runs: processes on different backends form partitions that run together."""

from __future__ import annotations

import caldera
import numpy as np
import pytest
from caldera import plugins
from caldera.backend import Backend
from caldera.executor import InProcessExecutor
from caldera.hookspecs import hookimpl
from caldera.model import AbstractPyProcessModel
from caldera.procs import LIF, Dense, Monitor


class _ShadowBackend:
    """A test-only plugin: a second backend that runs any Python model (in its own partition)."""

    @hookimpl
    def caldera_backends(self):
        return [
            Backend(
                name="shadow",
                priority=-1,
                accepts=lambda m: issubclass(m, AbstractPyProcessModel),
                make_executor=InProcessExecutor,
                description="test backend",
            )
        ]


@pytest.fixture
def shadow():
    plugin = _ShadowBackend()
    plugins.register(plugin, name="shadow-test")
    yield plugin
    plugins.unregister(plugin)


def _net(tag):
    rng = np.random.default_rng(0)
    if tag == "fixed_pt":
        a = LIF(shape=(6,), du=300, dv=400, vth=60, bias_mant=rng.integers(30, 90, 6), bias_exp=6, name="a")
        syn = Dense(weights=rng.integers(-30, 90, (5, 6)), name="syn")
        b = LIF(shape=(5,), du=500, dv=300, vth=50, name="b")
    else:
        a = LIF(shape=(6,), du=0.1, dv=0.2, vth=1.0, bias_mant=rng.uniform(0.1, 0.4, 6), name="a")
        syn = Dense(weights=rng.uniform(-0.2, 0.6, (5, 6)), name="syn")
        b = LIF(shape=(5,), du=0.1, dv=0.2, vth=1.0, name="b")
    a.s_out.connect(syn.s_in)
    syn.a_out.connect(b.a_in)
    mon = Monitor(name="mon")
    mon.probe(b.v, 30)
    mon.probe(b.s_out, 30)
    return a, b, mon


@pytest.mark.parametrize("tag", ["floating_pt", "fixed_pt"])
def test_two_backends_in_one_run_same_numbers(shadow, tag, no_children):
    a, b, mon = _net(tag)
    a.run(caldera.RunSteps(30), caldera.RunConfig(backend="cpu", tag=tag))
    ref = mon.get_data()["b"]
    a.stop()
    a, b, mon = _net(tag)
    a.run(caldera.RunSteps(30), caldera.RunConfig(backend="cpu", tag=tag, backend_map={b: "shadow"}))
    parts = a.runtime.partitions
    assert [p.backend.name for p in parts] == ["cpu", "shadow"]
    models = a.runtime.net.models
    assert sorted(models[i].process_name for i in parts[1].ids) == ["b", "mon"]
    got = mon.get_data()["b"]
    a.stop()
    for k in ref:
        np.testing.assert_array_equal(got[k], ref[k])


def test_backend_map_by_class_and_unknown_backend(shadow):
    a, b, mon = _net("floating_pt")
    with pytest.raises(caldera.NoBackendError, match="'nope'.*installed"):
        a.run(caldera.RunSteps(1), caldera.RunConfig(backend="cpu", backend_map={Dense: "nope"}))
    a, b, mon = _net("floating_pt")
    a.run(caldera.RunSteps(3), caldera.RunConfig(backend="cpu", backend_map={Dense: "shadow"}))
    assert sorted(p.backend.name for p in a.runtime.partitions) == ["cpu", "shadow"]
    a.stop()


OTHER_BACKENDS = sorted(b for b in plugins.backends() if b != "cpu")


@pytest.mark.parametrize("other", OTHER_BACKENDS)
def test_installed_backends_side_by_side(other, no_children):
    """One population on each installed backend, the rest on cpu: the numbers do not change."""
    a, b, mon = _net("fixed_pt")
    a.run(caldera.RunSteps(30), caldera.RunConfig(backend="cpu", tag="fixed_pt"))
    ref = mon.get_data()["b"]
    a.stop()
    a, b, mon = _net("fixed_pt")
    a.run(caldera.RunSteps(30), caldera.RunConfig(backend="cpu", tag="fixed_pt", backend_map={b: other}))
    assert sorted(p.backend.name for p in a.runtime.partitions) == sorted(["cpu", other])
    got = mon.get_data()["b"]
    a.stop()
    for k in ref:
        np.testing.assert_array_equal(got[k], ref[k])
