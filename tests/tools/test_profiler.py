"""The profiler: counts that must equal what the network did, times that add up, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

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
    implements,
    requires,
    tag,
)
from caldera.errors import ParameterError, RuntimeStateError
from caldera.procs import LIF, Dense, Monitor


class Relay(Process):
    """A Lava-style user process: receives and sends in ``run_spk`` (general, greenlet path)."""

    def __init__(self, shape, name=None):
        super().__init__(shape=shape, name=name)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)


@implements(proc=Relay, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyRelay(PyLoihiProcessModel):
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32)

    def run_spk(self):
        self.s_out.send(self.a_in.recv())


def w1(n=40, seed=0, relay=False):
    rng = np.random.default_rng(seed)
    a = LIF(shape=(n,), du=409, dv=409, vth=100, bias_mant=rng.integers(50, 150, n), bias_exp=6, name="A")
    w = rng.integers(-20, 60, (n, n))
    w[rng.random((n, n)) < 0.3] = 0  # some zero weights: synaptic events count only the others
    syn = Dense(weights=w, name="syn")
    b = LIF(shape=(n,), du=409, dv=409, vth=200, name="B")
    a.s_out.connect(syn.s_in)
    if relay:
        r = Relay(shape=(n,), name="R")
        syn.a_out.connect(r.a_in)
        syn2 = Dense(weights=np.eye(n, dtype=int) * 50, name="syn2")
        r.s_out.connect(syn2.s_in)
        syn2.a_out.connect(b.a_in)
        return a, syn, b, r, syn2
    syn.a_out.connect(b.a_in)
    return a, syn, b


def probe(steps, *procs):
    mon = Monitor(name="mon")
    for p in procs:
        mon.probe(p.s_out, steps)
    return mon


def test_counts_equal_what_the_monitor_saw():
    steps = 60
    a, syn, b = w1()
    mon = probe(steps, a, b)
    with caldera.profile() as prof:
        a.run(RunSteps(steps), RunConfig(backend="cpu", tag="fixed_pt"))
    data = mon.get_data()
    sa, sb = data["A"]["s_out"], data["B"]["s_out"]
    w = syn.weights.get()
    itemsize = a.runtime.model_of(a).s_out.dtype.itemsize
    a.stop()
    np.testing.assert_array_equal(prof.spikes_per_step("A"), np.count_nonzero(sa, axis=1))
    np.testing.assert_array_equal(prof.spikes_per_step("B"), np.count_nonzero(sb, axis=1))
    assert prof.processes["A"]["spikes"] == np.count_nonzero(sa) > 0
    # the synapse receives at step t what A sent at step t: events = spiking inputs x non-zero weights of the column
    expected = (sa != 0).astype(np.int64) @ np.count_nonzero(w, axis=0)
    np.testing.assert_array_equal(prof.synops_per_step("syn"), expected)
    rows = {r["process"]: r for r in prof.rows()}
    assert rows["syn"]["spikes"] is None and rows["mon"]["spikes"] is None  # not spike sources
    assert rows["A"]["steps"] == steps and prof.steps == steps and prof.runs == 1
    n = sa.shape[1]
    chans = {c["channel"]: c for c in prof.channels()}
    assert set(chans) == {"A.s_out->syn.s_in", "syn.a_out->B.a_in", "A.s_out->mon.in_port_0", "B.s_out->mon.in_port_1"}
    for c in chans.values():
        assert c["messages"] == steps
    assert chans["A.s_out->syn.s_in"]["bytes"] == steps * n * itemsize
    # every process was timed in the spiking phase; the monitor also in post_mgmt
    for r in rows.values():
        assert r["phase_us_per_step"]["spk"] > 0
    assert rows["mon"]["phase_us_per_step"]["post_mgmt"] > 0
    part = prof.partition_rows()
    assert len(part) == 1 and part[0]["steps"] == steps and part[0]["in_models_s"] <= part[0]["wall_s"]


def test_instrumentation_is_removed_after_a_profiled_run():
    a, syn, b = w1()
    cfg = RunConfig(backend="cpu", tag="fixed_pt")
    a.run(RunSteps(3), cfg)
    rt = a.runtime
    ex = rt.executor
    calls_before = list(ex._spk_calls)
    models = list(rt.net.models.values())
    with caldera.profile() as prof:
        a.run(RunSteps(5))
    assert prof.steps == 5
    assert ex._spk_calls == calls_before
    for m in models:
        assert not {"run_spk", "send_spk", "recv_spk", "pre_guard", "run_post_mgmt"} & set(vars(m))
        for port in vars(m).values():
            assert "send_owned" not in getattr(port, "__dict__", {}) and "recv" not in getattr(port, "__dict__", {})
    a.run(RunSteps(4))  # outside the block: not recorded
    assert prof.steps == 5 and rt.profiler is None
    a.stop()


def test_profiled_and_plain_runs_give_the_same_traces():
    def trace(profiled):
        a, syn, b, r, syn2 = w1(relay=True)
        mon = probe(50, b)
        a.run(RunSteps(50), RunConfig(backend="cpu", tag="fixed_pt", profile=profiled))
        out = mon.get_data()["B"]["s_out"], b.v.get()
        a.stop()
        return out

    (s1, v1), (s2, v2) = trace(False), trace(True)
    np.testing.assert_array_equal(s1, s2)
    np.testing.assert_array_equal(v1, v2)


def test_run_config_profile_and_general_models():
    a, syn, b, r, syn2 = w1(relay=True)
    mon = probe(40, r)
    a.run(RunSteps(25), RunConfig(backend="cpu", tag="fixed_pt", profile=True))
    a.run(RunSteps(15))
    prof = a.runtime.profiler
    assert prof.runs == 2 and prof.steps == 40
    np.testing.assert_array_equal(prof.spikes_per_step("R"), np.count_nonzero(mon.get_data()["R"]["s_out"], axis=1))
    rows = {x["process"]: x for x in prof.rows()}
    assert rows["R"]["kind"] == "general" and rows["R"]["time_s"] >= 0
    assert rows["syn2"]["synops"] == int(np.count_nonzero(mon.get_data()["R"]["s_out"]))  # identity weights
    a.stop()


def test_partitions_report_every_partition_and_channel_waits():
    steps = 40
    a, syn, b, r, syn2 = w1(relay=True)
    mon = probe(steps, a, b)
    cfg = RunConfig(backend="cpu", tag="fixed_pt", partitions=[[a, syn], [r, syn2, b, mon]])
    with caldera.profile() as prof:
        a.run(RunSteps(steps), cfg)
    data = mon.get_data()
    a.stop()
    parts = prof.partition_rows()
    assert [p["partition"] for p in parts] == [0, 1]
    assert all(p["steps"] == steps for p in parts)
    assert {prof.processes[n]["partition"] for n in ("A", "syn")} == {0}
    assert {prof.processes[n]["partition"] for n in ("R", "syn2", "B", "mon")} == {1}
    np.testing.assert_array_equal(prof.spikes_per_step("A"), np.count_nonzero(data["A"]["s_out"], axis=1))
    np.testing.assert_array_equal(prof.spikes_per_step("B"), np.count_nonzero(data["B"]["s_out"], axis=1))
    # the cross-partition channel was waited on (or at least acquired) on both sides
    assert any("syn.a_out->R.a_in" in name for p in parts for name in p["channel_waits"])
    assert all(p["channel_wait_s"] >= 0 for p in parts)
    assert {c["channel"] for c in prof.channels()} >= {"syn.a_out->R.a_in"}


def test_loihi_activity_is_added():
    pytest.importorskip("caldera_loihi")
    a, syn, b = w1(n=20)
    with caldera.profile() as prof:
        a.run(RunSteps(30), RunConfig(backend="loihi", tag="fixed_pt"))
    a.stop()
    act = prof.activity[0]
    assert act["totals"]["steps"] == 30
    assert act["totals"]["synops"] == prof.processes["syn"]["synops"]
    assert act["totals"]["energy_pj"] > 0
    assert "Loihi emulator" in prof.table() and "energy" in prof.table()
    d = json.loads(prof.to_json())
    assert d["activity"]["0"]["totals"]["spikes"] == act["totals"]["spikes"]


def test_compiled_loop_is_profiled_per_partition():
    pytest.importorskip("caldera_cython")
    a, syn, b = w1()
    with caldera.profile() as prof:
        a.run(RunSteps(20), RunConfig(backend="cython", tag="fixed_pt"))
    a.stop()
    (part,) = prof.partition_rows()
    if not part["compiled"]:
        pytest.skip("this network fell back to the core executor on cython")
    assert part["steps"] == 20
    assert "compiled loop" in prof.table()
    rows = {r["process"]: r for r in prof.rows()}
    assert set(rows) == {"A", "syn", "B"} and all(r["compiled"] and r["spikes"] is None for r in rows.values())


def test_json_and_missing_folder(tmp_path):
    a, syn, b = w1()
    with caldera.profile() as prof:
        a.run(RunSteps(10), RunConfig(backend="cpu", tag="fixed_pt"))
    a.stop()
    out = tmp_path / "new" / "deeper" / "prof.json"
    text = prof.to_json(out)
    d = json.loads(out.read_text())
    assert d == json.loads(text)
    assert d["steps"] == 10 and {p["process"] for p in d["processes"]} == {"A", "syn", "B"}
    assert "A" in prof.table() and "steps/s" in prof.table()


def test_empty_profile_says_what_to_do():
    assert "RunConfig(profile=True)" in caldera.Profiler().table()
    with pytest.raises(ParameterError, match="no profiled process named 'X'"):
        caldera.Profiler().spikes_per_step("X")


def test_profiler_on_a_running_network_is_an_error_naming_the_fix():
    a, syn, b = w1()
    a.run(caldera.RunContinuous(), RunConfig(backend="cpu", tag="fixed_pt"))
    try:
        with pytest.raises(RuntimeStateError, match=r"already running.*pause\(\) or wait\(\)"):
            with caldera.profile():
                pass
        with pytest.raises(RuntimeStateError, match="cannot be turned on mid-run"):
            a.run(RunSteps(5), RunConfig(backend="cpu", tag="fixed_pt", profile=True))
    finally:
        a.pause()
    # once paused, profiling can be turned on for the next runs
    a.run(RunSteps(5), RunConfig(backend="cpu", tag="fixed_pt", profile=True))
    assert a.runtime.profiler.steps == 5
    a.stop()


def test_bad_run_config_flags():
    with pytest.raises(ParameterError, match="RunConfig.profile must be True or False"):
        RunConfig(profile="yes")
    with pytest.raises(ParameterError, match="RunConfig.progress must be True or False"):
        RunConfig(progress=1)


class _Bar:
    def __init__(self):
        self.n = 0
        self.closed = False

    def update(self, k):
        self.n += k

    def close(self):
        self.closed = True


@pytest.mark.parametrize("partitions", [1, 2])
def test_progress_bar_counts_every_step(monkeypatch, partitions):
    from caldera import runtime

    bars = []

    def make(rt, condition, required=True):
        bars.append(_Bar())
        return bars[-1]

    monkeypatch.setattr(runtime, "_progress_bar", make)
    a, syn, b = w1()
    a.run(RunSteps(45), RunConfig(backend="cpu", tag="fixed_pt", progress=True, partitions=partitions))
    a.run(RunSteps(5))
    a.stop()
    assert [x.n for x in bars] == [45, 5] and all(x.closed for x in bars)


def test_progress_bar_uses_tqdm():
    pytest.importorskip("tqdm")
    from caldera.runtime import _progress_bar

    a, syn, b = w1()
    rt = a.compile(RunConfig(backend="cpu", tag="fixed_pt"))
    bar = _progress_bar(rt, RunSteps(10))
    assert bar.total == 10 and bar.unit == "step"
    bar.close()
    a.stop()


def test_caldera_profile_command(tmp_path):
    script = tmp_path / "net.py"
    script.write_text(
        textwrap.dedent(
            """
            import sys
            import numpy as np
            import caldera
            from caldera.procs import LIF, Dense
            n = int(sys.argv[1])
            a = LIF(shape=(n,), du=409, dv=409, vth=100, bias_mant=np.full(n, 100), bias_exp=6, name="src")
            d = Dense(weights=np.ones((n, n), dtype=int) * 10, name="conn")
            b = LIF(shape=(n,), du=409, dv=409, vth=100, name="dst")
            a.s_out.connect(d.s_in)
            d.a_out.connect(b.a_in)
            a.run(caldera.RunSteps(30), caldera.RunConfig(backend="cpu", tag="fixed_pt"))
            a.stop()
            """
        )
    )
    out = tmp_path / "p" / "prof.json"
    r = subprocess.run(
        [sys.executable, "-m", "caldera.cli", "profile", "--json", str(out), str(script), "7"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert "conn" in r.stdout and "src" in r.stdout and "30 steps" in r.stdout
    d = json.loads(out.read_text())
    assert d["steps"] == 30 and {c["channel"] for c in d["channels"]} == {
        "src.s_out->conn.s_in",
        "conn.a_out->dst.a_in",
    }
    r = subprocess.run(
        [sys.executable, "-m", "caldera.cli", "profile", str(tmp_path / "missing.py")], capture_output=True, text=True
    )
    assert r.returncode == 2 and "no such script" in r.stderr


def test_profiling_turned_on_later_with_a_lava_style_config():
    a, syn, b = w1()
    cfg = caldera.Loihi2SimCfg(select_tag="fixed_pt", backend="cpu")
    a.run(RunSteps(3), cfg)
    a.run(RunSteps(4), caldera.Loihi2SimCfg(select_tag="fixed_pt", backend="cpu", profile=True))
    assert a.runtime.profiler.steps == 4 and cfg.profile is False
    with pytest.raises(RuntimeStateError, match="cannot continue with another run configuration"):
        a.run(RunSteps(1), caldera.Loihi2SimCfg(select_tag="floating_pt", backend="cpu"))
    a.stop()
