"""The activity and energy report: exact counts against independently computed figures, JSON, plot, CLI."""

from __future__ import annotations

import dataclasses
import json

import caldera
import numpy as np
import pytest
from caldera import procs
from caldera.errors import ParameterError
from caldera.procs.monitor import Monitor
from caldera_loihi import DAVIES2018, EnergyTable, LoihiReport, report, system
from caldera_loihi import cli as loihi_cli
from caldera_loihi import plugin as loihi_plugin

from tests.golden import scenario

from .conftest import LOIHI

STEPS = 12
DATA = np.array([[1, 0, 1, 1, 0, 0], [0, 0, 1, 0, 1, 0], [1, 1, 1, 0, 0, 1]])
W = np.array([[40, 0, 30], [0, -20, 50]])


def _net():
    src = procs.RingBuffer(data=DATA, name="src")
    d = procs.Dense(weights=W, name="d")
    lif = procs.LIF(shape=(2,), du=1000, dv=500, vth=40, name="lif")
    src.s_out.connect(d.s_in)
    d.a_out.connect(lif.a_in)
    mon = Monitor()
    for v in (lif.u, lif.v):
        mon.probe(v, STEPS)
    mon.probe(lif.s_out, STEPS)
    return lif, mon


@pytest.fixture
def ran():
    lif, mon = _net()
    lif.run(condition=caldera.RunSteps(num_steps=STEPS), run_cfg=LOIHI)
    rep = report(lif)
    d = mon.get_data()["lif"]
    lif.stop()
    return rep, d


def test_counts_are_exact(ran):
    rep, d = ran
    fan = np.count_nonzero(W, axis=0)
    inputs = np.stack([DATA[:, t % DATA.shape[1]] for t in range(STEPS)])  # what the source sends at step t+1
    np.testing.assert_array_equal(rep.synops_per_step, inputs @ fan)
    np.testing.assert_array_equal(rep.spikes_per_step, d["s_out"].sum(axis=1))
    active = ((d["u"] != 0) | (d["v"] != 0) | (d["s_out"] != 0)).sum(axis=1)
    np.testing.assert_array_equal(rep.active_per_core.sum(axis=1), active)
    assert rep.totals()["neuron_updates"] == 2 * STEPS
    assert rep.totals()["host_inputs"] == int(inputs.sum())
    assert rep.cores_used == 1 and rep.chips_used == 1
    assert rep.totals()["spikes"] == 21  # see HAND below


# Worked by hand for _net() over STEPS = 12 (Davies 2018: synop 23.6 pJ / 3.5 ns, neuron update active
# 52.0 pJ / 8.4 ns, inactive 0.4 pJ / 2.4 ns, barrier 113 ns for the one tile used; no spike leaves the core).
# Fan-out of the three inputs (non-zero weights per column of W): 1, 1, 2. The source cycles through DATA's
# columns, so the synaptic ops of steps 1..6 are 1+2, 2, 1+1+2, 1, 1, 2 = 3, 2, 4, 1, 1, 2, and again for 7..12.
# The LIF gets W @ s(t-1) << 6 and decays u by (4096-1001)/4096, v by (4096-500)/4096 (truncated):
#   step 1: a = 0: u = v = 0, no neuron active;
#   step 2: a = (70, 50): u = (4480, 3200), v = u > 2560 = 40 << 6: both spike, v reset; 2 active;
#   step 3: a = (30, 50): u = (trunc(4480*3095/4096) + 1920, trunc(3200*3095/4096) + 3200) = (5305, 5617): both spike;
#   ... from step 2 on both neurons are active (u != 0) and both spike, except neuron 1 at step 6: a = (0, -20),
#   u1 = trunc(4657*3095/4096) - 1280 = 2238 = v1 (v1 was reset at step 5) <= 2560. Spikes: 0, 2, 2, 2, 2, 1,
#   2, 2, 2, 2, 2, 2 = 21.
HAND_SYNOPS = [3, 2, 4, 1, 1, 2, 3, 2, 4, 1, 1, 2]
HAND_ACTIVE = [0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]
# energy = synops * 23.6 + active * 52.0 + (2 - active) * 0.4, e.g. step 1: 3 * 23.6 + 2 * 0.4 = 71.6
HAND_ENERGY_PJ = [71.6, 151.2, 198.4, 127.6, 127.6, 151.2, 174.8, 151.2, 198.4, 127.6, 127.6, 151.2]
# time = active * 8.4 + (2 - active) * 2.4 + synops * 3.5 + 113, e.g. step 2: 2 * 8.4 + 2 * 3.5 + 113 = 136.8
HAND_TIME_NS = [128.3, 136.8, 143.8, 133.3, 133.3, 136.8, 140.3, 136.8, 143.8, 133.3, 133.3, 136.8]


def test_energy_and_time_match_numbers_worked_by_hand(ran):
    rep, _ = ran
    np.testing.assert_array_equal(rep.synops_per_step, HAND_SYNOPS)
    np.testing.assert_array_equal(rep.active_per_core.sum(axis=1), HAND_ACTIVE)
    np.testing.assert_allclose(rep.energy_pj_per_step, HAND_ENERGY_PJ, rtol=1e-12)
    np.testing.assert_allclose(rep.time_ns_per_step, HAND_TIME_NS, rtol=1e-12)
    assert rep.totals()["energy_pj"] == pytest.approx(1758.4, rel=1e-12)
    assert rep.totals()["synops"] == 26 and rep.totals()["host_inputs"] == 18
    # twice the synop energy: 26 more synaptic ops at 23.6 pJ each = 613.6 pJ more
    rep.energy_table = dataclasses.replace(DAVIES2018, synop_pj=2 * DAVIES2018.synop_pj).to_dict()
    assert rep.totals()["energy_pj"] == pytest.approx(1758.4 + 613.6, rel=1e-12)


def test_energy_table_from_system_context():
    lif, _ = _net()
    table = EnergyTable(source="test", synop_pj=1.0, neuron_active_pj=0.0, neuron_inactive_pj=0.0)
    with system(energy=table):
        lif.run(condition=caldera.RunSteps(num_steps=STEPS), run_cfg=LOIHI)
    rep = report(lif)
    lif.stop()
    assert rep.totals()["energy_pj"] == rep.totals()["synops"]
    assert "test" in rep.format()


def test_barrier_interpolates_between_published_points():
    assert DAVIES2018.barrier_ns(1) == 113.0
    assert DAVIES2018.barrier_ns(32) == 465.0
    assert DAVIES2018.barrier_ns(1000) == 465.0
    assert 113.0 < DAVIES2018.barrier_ns(16) < 465.0
    with pytest.raises(ValueError, match="synop_pj"):
        EnergyTable(synop_pj=-1)


def test_chunked_runs_accumulate():
    lif, _ = _net()
    lif.run(condition=caldera.RunSteps(num_steps=5), run_cfg=LOIHI)
    lif.run(condition=caldera.RunSteps(num_steps=STEPS - 5), run_cfg=LOIHI)
    chunked = report(lif)
    lif.stop()
    lif2, _ = _net()
    lif2.run(condition=caldera.RunSteps(num_steps=STEPS), run_cfg=LOIHI)
    whole = report(lif2)
    lif2.stop()
    assert chunked.totals() == whole.totals()
    np.testing.assert_array_equal(chunked.synops_per_core, whole.synops_per_core)


def test_json_round_trip_and_plot(ran, tmp_path):
    rep, _ = ran
    path = rep.save(tmp_path / "run.json")
    back = LoihiReport.load(path)
    assert back.totals() == rep.totals()
    assert json.loads(path.read_text())["totals"]["synops"] == rep.totals()["synops"]
    png = rep.plot(tmp_path / "activity.png")
    assert png.stat().st_size > 1000
    with pytest.raises(ParameterError, match="not a caldera-loihi report"):
        LoihiReport.from_dict({"format": 99})


def test_report_needs_a_loihi_run():
    lif = procs.LIF(shape=(2,), vth=10)
    with pytest.raises(ParameterError, match="has not been run"):
        report(lif)
    lif.run(condition=caldera.RunSteps(num_steps=1), run_cfg=caldera.RunConfig(backend="cpu", tag="fixed_pt"))
    with pytest.raises(ParameterError, match="ran on backend 'cpu'"):
        report(lif)
    lif.stop()


# -- command line -------------------------------------------------------------------------------
def test_cli_hook_registers_loihi():
    commands: dict = {}
    loihi_plugin.caldera_cli(commands)
    assert "loihi" in commands and callable(commands["loihi"][2])


def test_cli_report_runs_a_description(tmp_path, capsys):
    desc = scenario.DATA / "lif_dense_lif_fixed_pt_s0.json"
    out_json, out_png = tmp_path / "r.json", tmp_path / "r.png"
    rc = loihi_cli.main(["report", str(desc), "--steps", "20", "--save", str(out_json), "--plot", str(out_png)])
    text = capsys.readouterr().out
    assert rc == 0
    assert "cores used" in text and "estimated energy" in text and "Davies" in text
    assert out_png.exists()
    saved = LoihiReport.load(out_json)
    assert saved.steps == 20
    rc = loihi_cli.main(["report", str(out_json)])
    assert rc == 0 and "steps: 20" in capsys.readouterr().out


def test_cli_map_limits_and_errors(tmp_path, capsys):
    desc = scenario.DATA / "src_conv_lif_fixed_pt_s0.json"
    assert loihi_cli.main(["map", str(desc)]) == 0
    out = capsys.readouterr().out
    assert "cores on 1 chip" in out and "on the host" in out
    lim = tmp_path / "lim.json"
    lim.write_text(json.dumps({"neurons_per_core": 1, "cores_per_chip": 2}))
    assert loihi_cli.main(["map", str(desc), "--limits", str(lim), "--chips", "1"]) == 1
    assert "over by" in capsys.readouterr().err
    assert loihi_cli.main(["limits", "--chips", "3"]) == 0
    assert json.loads(capsys.readouterr().out)["limits"]["chips_per_system"] == 3
    assert loihi_cli.main(["report", str(tmp_path / "missing.json")]) == 2


def test_heterogeneous_run_report_is_fetched():
    """LIFs on the cpu backend, the connections emulated: same spikes, and the emulated part's report."""

    def build():
        lif, mon = _net()
        return lif, mon

    lif, mon = build()
    lif.run(condition=caldera.RunSteps(num_steps=STEPS), run_cfg=LOIHI)
    want = mon.get_data()["lif"]["s_out"]
    whole = report(lif).totals()
    lif.stop()
    lif, mon = build()
    cfg = caldera.RunConfig(backend="loihi", tag="fixed_pt", backend_map={procs.LIF: "cpu"})
    lif.run(condition=caldera.RunSteps(num_steps=STEPS), run_cfg=cfg)
    got = mon.get_data()["lif"]["s_out"]
    assert [p.backend.name for p in lif.runtime.partitions] == ["cpu", "loihi"]
    part = report(lif)
    lif.stop()
    np.testing.assert_array_equal(got, want)
    assert part.totals()["synops"] == whole["synops"]  # the synapses ran on the emulator
    assert part.totals()["neuron_updates"] == 0  # the neurons did not


def test_recording_window_keeps_totals(tmp_path):
    """Past max_recorded_steps, steps are folded into totals: same totals, bounded per-step arrays."""
    lif, _ = _net()
    lif.run(condition=caldera.RunSteps(num_steps=STEPS), run_cfg=LOIHI)
    full = report(lif)
    lif.stop()
    lif, _ = _net()
    with system(max_recorded_steps=5):
        lif.run(condition=caldera.RunSteps(num_steps=STEPS), run_cfg=LOIHI)
    part = report(lif)
    lif.stop()
    assert part.recorded_steps == 5 and part.synops_per_core.shape[0] == 5
    want, got = full.totals(), part.totals()
    for key in ("spikes", "synops", "neuron_updates", "neuron_updates_active", "host_inputs"):
        assert got[key] == want[key], key
    assert got["energy_pj"] == pytest.approx(want["energy_pj"], rel=1e-12)
    assert got["time_ns_per_step_max"] == pytest.approx(want["time_ns_per_step_max"], rel=1e-12)
    assert "first 5 of 12 steps" in part.format()
    assert LoihiReport.load(part.save(tmp_path / "p.json")).totals() == got
    with pytest.raises(ValueError, match="max_recorded_steps"):
        with system(max_recorded_steps=0):
            pass


@pytest.mark.parametrize("name", [n for n in scenario.names() if "fixed_pt_s0" in n])
def test_report_invariants_on_every_fixed_scenario(name):
    """Each golden fixed_pt network, loaded with caldera_loihi.netfile and run on the emulator."""
    from caldera_loihi import netfile

    spec, net = netfile.load(scenario.DATA / f"{name}.json")
    root = next(iter(net.values()))
    steps = int(spec["steps"])
    root.run(condition=caldera.RunSteps(num_steps=steps), run_cfg=LOIHI)
    rep = report(root)
    root.stop()
    t = rep.totals()
    assert {p["name"] for p in rep.processes} == set(net)
    neurons = sum(p["neurons"] for p in rep.processes if p["role"] == "neuron")
    assert t["neuron_updates"] == neurons * steps
    assert 0 <= t["neuron_updates_active"] <= t["neuron_updates"]
    assert np.all(rep.spikes_per_step <= neurons)
    for p in rep.processes:
        if p["role"] == "synapse":
            assert 0 <= p["synops"] <= p["synapses"] * steps
            assert p["cores"], p
    assert t["synops"] == sum(p.get("synops", 0) for p in rep.processes)
    assert t["spikes"] == sum(p.get("spikes", 0) for p in rep.processes)
    assert t["energy_pj"] > 0 and t["time_ns_per_step_mean"] >= DAVIES2018.barrier_ns_min


def test_main_caldera_command_has_loihi(capsys):
    from caldera import cli

    assert cli.main(["loihi", "limits"]) == 0
    assert json.loads(capsys.readouterr().out)["limits"]["name"] == "Loihi 2"


def test_parallel_partitions_are_merged():
    lif, _ = _net()
    lif.run(condition=caldera.RunSteps(num_steps=STEPS), run_cfg=LOIHI)
    one = report(lif).totals()
    lif.stop()
    lif, _ = _net()
    lif.run(
        condition=caldera.RunSteps(num_steps=STEPS),
        run_cfg=caldera.RunConfig(backend="loihi", tag="fixed_pt", partitions=2),
    )
    assert len(lif.runtime.partitions) == 2
    two = report(lif)
    lif.stop()
    t = two.totals()
    for key in ("spikes", "synops", "neuron_updates", "neuron_updates_active"):
        assert t[key] == one[key], key
    assert {"src", "d", "lif"} <= {p["name"] for p in two.processes}
    assert len(two.processes) == len({p["name"] for p in two.processes})
