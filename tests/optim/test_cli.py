"""`caldera qubo solve`: registered through the plugin hook, JSON output, errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from caldera import cli, plugins
from caldera_optim import read_gset

pytestmark = pytest.mark.filterwarnings("ignore:The recursion limit will not be reset")


def test_qubo_command_is_registered_by_the_plugin():
    assert "qubo" in plugins.cli_commands()


def test_solve_gset_json(data_dir, capsys):
    rc = cli.main(
        ["qubo", "solve", str(data_dir / "G43.txt"), "--steps", "300", "--seed", "3", "--replicas", "2", "--json"]
    )
    out = capsys.readouterr()
    assert rc == 0
    res = json.loads(out.out)
    assert set(res) >= {"best_state", "best_cost", "time_to_best_s", "steps", "cut"}
    assert res["steps"] == 300
    assert len(res["best_state"]) == 1000 and set(res["best_state"]) <= {0, 1}
    prob = read_gset(data_dir / "G43.txt")
    assert res["cut"] == prob.cut_value(np.array(res["best_state"])) == -res["best_cost"]
    assert "best cost" in out.err  # progress went to stderr


def test_solve_npy_summary_and_time_limit(tmp_path, capsys):
    q = np.array([[-1.0, 2.0], [0.0, -1.0]])
    np.save(tmp_path / "q.npy", q)
    rc = cli.main(["qubo", "solve", str(tmp_path / "q.npy"), "--time-limit", "0.2"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "best cost    -1" in out
    assert "cut" not in out.split("best cost")[1].splitlines()[1]


@pytest.mark.parametrize(
    "args, msg",
    [
        (["--time-limit", "0"], "--time-limit must be > 0"),
        (["--time-limit", "-2"], "--time-limit must be > 0"),
    ],
)
def test_bad_time_limit(data_dir, capsys, args, msg):
    rc = cli.main(["qubo", "solve", str(data_dir / "G43.txt"), *args])
    assert rc == 2
    assert msg in capsys.readouterr().err


def test_unparsable_file_names_the_line(tmp_path, capsys):
    f = tmp_path / "broken.txt"
    f.write_text("4 2\n1 2 1\n3 four 1\n")
    rc = cli.main(["qubo", "solve", str(f), "--steps", "5"])
    assert rc == 2
    assert "broken.txt:3:" in capsys.readouterr().err


def test_qubo_without_subcommand(capsys):
    assert cli.main(["qubo"]) == 2
    assert "usage" in capsys.readouterr().err


def test_solve_on_the_loihi_emulator_prints_its_report(data_dir, capsys):
    """--backend loihi runs the fixed_pt models (the default tag there) and prints the emulator's figures;
    --json carries them; the cut is the one cpu's fixed_pt run finds with the same seed."""
    pytest.importorskip("caldera_loihi")
    f = str(data_dir / "G43.txt")
    common = ["--steps", "150", "--seed", "1", "--replicas", "2", "--json"]
    assert cli.main(["qubo", "solve", f, "--backend", "loihi", *common]) == 0
    emu = json.loads(capsys.readouterr().out)
    assert cli.main(["qubo", "solve", f, "--backend", "cpu", "--tag", "fixed_pt", *common]) == 0
    ref = json.loads(capsys.readouterr().out)
    assert emu["cut"] == ref["cut"] and emu["best_state"] == ref["best_state"] and "loihi" not in ref
    lo = emu["loihi"]
    assert lo["neurons"] == 2 * 1000 and lo["synapses"] == 2 * 2 * 9990  # G43: 1000 nodes, 9990 edges
    assert lo["steps"] == 150 and lo["synaptic_ops"] > lo["spikes"] > 0 and lo["energy_uj"] > 0
    assert cli.main(["qubo", "solve", f, "--backend", "loihi", "--steps", "50", "--replicas", "2"]) == 0
    out = capsys.readouterr().out
    assert "Loihi 2 emulator:" in out and "synaptic ops" in out and "uJ to the best state" in out


def test_solve_floating_pt_on_loihi_is_one_line(data_dir, capsys):
    pytest.importorskip("caldera_loihi")
    rc = cli.main(["qubo", "solve", str(data_dir / "G43.txt"), "--backend", "loihi", "--tag", "floating_pt"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and "tag='fixed_pt'" in err[0]


def test_solve_fixed_pt_restarts_option(data_dir, capsys):
    rc = cli.main(
        ["qubo", "solve", str(data_dir / "G43.txt"), "--tag", "fixed_pt", "--steps", "400", "--restarts", "3"]
        + ["--replicas", "4", "--json"]
    )
    res = json.loads(capsys.readouterr().out)
    assert rc == 0 and res["params"]["restarts"] == 3 and res["params"]["tag"] == "fixed_pt"


def test_solve_replica_exchange_options(data_dir, capsys):
    rc = cli.main(
        ["qubo", "solve", str(data_dir / "G43.txt"), "--tag", "fixed_pt", "--steps", "400", "--replicas", "4"]
        + ["--exchange-interval", "2", "--exchange-ladder", "3", "--json"]
    )
    res = json.loads(capsys.readouterr().out)
    assert rc == 0 and res["params"]["exchange_interval"] == 2 and res["params"]["exchange_ladder"] == 3.0
    assert res["params"]["exchange_rounds"] == 400 // (2 * res["params"]["colours"])


@pytest.mark.parametrize(
    "args, msg",
    [
        (["--exchange-interval", "-1"], "exchange_interval must be an integer >= 0"),
        (["--exchange-ladder", "0.5"], "exchange_ladder must be a finite number > 1"),
    ],
)
def test_bad_replica_exchange_options_are_one_line(data_dir, capsys, args, msg):
    rc = cli.main(["qubo", "solve", str(data_dir / "G43.txt"), "--steps", "10", *args])
    err = capsys.readouterr().err
    assert rc == 2 and msg in err and "Traceback" not in err
