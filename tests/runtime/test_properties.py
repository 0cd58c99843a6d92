"""Property: traces do not depend on how a network is cut into partitions or spread over backends.

Hypothesis draws networks — chains, fan-in, fan-out and recurrent loops through Dense; standard
LIF neurons (both tags) mixed with Lava-style user models that receive-then-send, send-then-
receive, or receive two ports in either order — and a partitioning (2 or 3 partitions, any cut,
monitors anywhere) or a ``backend_map`` (a second backend). Every probed trace must equal the
single-partition run exactly, in both tags.

The default run draws few examples (well under a minute); ``pytest -m slow`` runs many more.
"""

from __future__ import annotations

from dataclasses import dataclass

import caldera
import numpy as np
import pytest
from caldera import plugins
from caldera.backend import Backend
from caldera.executor import InProcessExecutor
from caldera.hookspecs import hookimpl
from caldera.model import AbstractPyProcessModel
from caldera.procs import LIF, Dense, Monitor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .lava_style import Lagged, Mixer, Relay

UNIT_KINDS = ("lif", "relay", "lagged", "mixer_ab", "mixer_ba")

# The compiler raises the recursion limit for large graphs, which Hypothesis notes (harmlessly) per example.
pytestmark = pytest.mark.filterwarnings("ignore:The recursion limit will not be reset")


@dataclass
class Spec:
    """A network as plain data (so that Hypothesis can shrink it)."""

    tag: str
    width: int
    units: list[str]
    edges: list[tuple[int, int, str, str]]  # (src unit, dst unit, "dense" | "direct", "a_in" | "b_in")
    seed: int
    steps: int


@st.composite
def specs(draw, max_steps: int = 1500) -> Spec:
    tag = draw(st.sampled_from(["floating_pt", "fixed_pt"]))
    n = draw(st.integers(2, 5))
    units = draw(st.lists(st.sampled_from(UNIT_KINDS), min_size=n, max_size=n))
    if "lif" not in units:  # something must spike
        units[draw(st.integers(0, n - 1))] = "lif"

    def port(dst: int) -> str:
        return draw(st.sampled_from(["a_in", "b_in"])) if units[dst].startswith("mixer") else "a_in"

    # a chain keeps the network connected; more edges add fan-in, fan-out and loops
    edges = [(i - 1, i, draw(st.sampled_from(["dense", "direct"])), port(i)) for i in range(1, n)]
    for _ in range(draw(st.integers(0, 4))):
        src, dst = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
        # a same-step (direct) edge only forwards, so every loop passes a Dense
        via = draw(st.sampled_from(["dense", "direct"])) if src < dst else "dense"
        edge = (src, dst, via, port(dst))
        if edge not in edges:
            edges.append(edge)
    return Spec(
        tag, draw(st.integers(1, 4)), units, edges, draw(st.integers(0, 2**16)), draw(st.integers(200, max_steps))
    )


def build(spec: Spec):
    """The network of ``spec``: processes in a fixed order, and the probes' monitors."""
    rng = np.random.default_rng(spec.seed)
    w, fixed = spec.width, spec.tag == "fixed_pt"
    units = []
    for i, kind in enumerate(spec.units):
        name = f"u{i}"
        if kind == "lif" and fixed:
            u = LIF(
                shape=(w,),
                du=int(rng.integers(0, 4096)),
                dv=int(rng.integers(0, 4096)),
                vth=int(rng.integers(20, 200)),
                bias_mant=rng.integers(0, 120, w),
                bias_exp=6,
                name=name,
            )
        elif kind == "lif":
            u = LIF(
                shape=(w,),
                du=float(rng.uniform(0, 0.5)),
                dv=float(rng.uniform(0, 0.5)),
                vth=1.0,
                bias_mant=rng.uniform(0, 0.4, w),
                name=name,
            )
        elif kind == "relay":
            u = Relay(shape=(w,), name=name)
        elif kind == "lagged":
            u = Lagged(shape=(w,), name=name)
        else:
            u = Mixer(shape=(w,), order=kind[-2:], name=name)
        units.append(u)
    procs = list(units)
    for k, (src, dst, via, port) in enumerate(spec.edges):
        target = getattr(units[dst], port)
        if via == "direct":
            units[src].s_out.connect(target)
            continue
        if fixed:
            dense = Dense(weights=rng.integers(-40, 100, (w, w)), name=f"d{k}")
        else:
            dense = Dense(weights=rng.uniform(-0.4, 0.9, (w, w)), name=f"d{k}")
        units[src].s_out.connect(dense.s_in)
        dense.a_out.connect(target)
        procs.append(dense)
    port_monitors, var_monitors = [], []
    for u in units:
        m = Monitor(name=f"m_{u.name}")
        m.probe(u.s_out, spec.steps)
        port_monitors.append(m)
        if isinstance(u, LIF):
            mv = Monitor(name=f"mv_{u.name}")
            mv.probe(u.v, spec.steps)
            var_monitors.append(mv)
    # a Var probe reads its target directly, so its monitor always goes where the target goes
    return units, procs + port_monitors, port_monitors + var_monitors


def traces(spec: Spec, cut=None, backend_map=None, transport: str = "shm") -> dict[str, np.ndarray]:
    """Run ``spec``; ``cut`` maps the i-th placed process (units, Dense, port monitors) to a partition,
    ``backend_map`` the i-th to a backend."""
    units, procs, monitors = build(spec)
    cfg = caldera.RunConfig(backend="cpu", tag=spec.tag, transport=transport)
    if cut is not None:
        parts: list[list] = [[] for _ in range(max(cut) + 1)]
        for p, k in zip(procs, cut):
            parts[k].append(p)
        cfg.partitions = parts
    if backend_map is not None:
        cfg.backend_map = {p: b for p, b in zip(procs, backend_map) if b != "cpu"}
    try:
        units[0].run(caldera.RunSteps(spec.steps), cfg)
        out = {}
        for m in monitors:
            for pname, data in m.get_data().items():
                for member, arr in data.items():
                    out[f"{pname}.{member}"] = arr
        out["_partitions"] = len(units[0].runtime.partitions)
        return out
    finally:
        units[0].stop()


def _placed(spec: Spec) -> int:
    """How many processes a cut places: units, Dense processes, OutPort monitors."""
    return 2 * len(spec.units) + sum(1 for e in spec.edges if e[2] == "dense")


def assert_same(got: dict, ref: dict) -> None:
    assert got.keys() == ref.keys()
    for k in ref:
        if k != "_partitions":
            np.testing.assert_array_equal(got[k], ref[k], err_msg=k)


@st.composite
def cuts(draw, max_steps: int = 1500):
    spec = draw(specs(max_steps))
    n_procs = _placed(spec)
    k = draw(st.integers(2, 3))
    cut = draw(st.lists(st.integers(0, k - 1), min_size=n_procs, max_size=n_procs))
    return spec, cut


def check_partitioned(spec: Spec, cut: list[int]) -> None:
    ref = traces(spec)
    got = traces(spec, cut=cut)
    assert ref["_partitions"] == 1
    assert got["_partitions"] == len(set(cut))
    assert_same(got, ref)


_FAST = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_MANY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_FAST
@given(cuts())
def test_partitioning_does_not_change_traces(case):
    check_partitioned(*case)


@pytest.mark.slow
@_MANY
@given(cuts(max_steps=3000))
def test_partitioning_does_not_change_traces_many(case):
    check_partitioned(*case)


# -- heterogeneous runs: a second backend ---------------------------------------------------
class _TwinBackend:
    """A test-only plugin: a second backend that runs any Python model (in partitions of its own)."""

    @hookimpl
    def caldera_backends(self):
        return [
            Backend(
                name="twin",
                priority=-1,
                accepts=lambda m: issubclass(m, AbstractPyProcessModel),
                make_executor=InProcessExecutor,
                description="test backend",
            )
        ]


@pytest.fixture(scope="module")
def twin():
    plugin = _TwinBackend()
    plugins.register(plugin, name="twin-test")
    yield plugin
    plugins.unregister(plugin)


@st.composite
def backend_maps(draw, max_steps: int = 1500):
    spec = draw(specs(max_steps))
    n_procs = _placed(spec)
    where = draw(st.lists(st.sampled_from(["cpu", "twin"]), min_size=n_procs, max_size=n_procs))
    return spec, where


def check_backend_map(spec: Spec, where: list[str]) -> None:
    ref = traces(spec)
    got = traces(spec, backend_map=where)
    assert_same(got, ref)


@_FAST
@given(backend_maps())
def test_backend_map_does_not_change_traces(twin, case):
    check_backend_map(*case)


@pytest.mark.slow
@_MANY
@given(backend_maps(max_steps=3000))
def test_backend_map_does_not_change_traces_many(twin, case):
    check_backend_map(*case)
