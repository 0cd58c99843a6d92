"""The benchmark runner and the reference environments' cache, without creating any environment."""

from __future__ import annotations

import json
import pathlib
import re
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BENCH = ROOT / "benchmarks"
sys.path.insert(0, str(BENCH))

import refenv  # noqa: E402
import run_all  # noqa: E402


def _committed_summaries() -> list[pathlib.Path]:
    """The summaries git tracks under benchmarks/results/ (a local run's other files there are ignored)."""
    import subprocess

    try:
        out = subprocess.run(
            ["git", "ls-files", "benchmarks/results"], cwd=ROOT, capture_output=True, text=True, timeout=60
        )
    except OSError:
        out = None
    if out is None or out.returncode != 0:  # not a git checkout: everything there counts
        return sorted((BENCH / "results").glob("summary-*.md"))
    return [ROOT / f for f in out.stdout.split() if f.endswith(".md")]


def test_no_machine_specific_path_in_benchmarks_or_readmes():
    # the summaries committed under results/ too (the folder is git-ignored; a kept summary is added with -f)
    files = [*BENCH.glob("*.py"), BENCH / "README.md", ROOT / "README.md", ROOT / "noxfile.py"]
    files += _committed_summaries()
    bad = []
    for f in files:
        for i, line in enumerate(f.read_text().splitlines(), 1):
            if re.search(r"(?<![\w.])/(work|root|tmp)/", line):
                bad.append(f"{f.relative_to(ROOT)}:{i}: {line.strip()}")
    assert bad == []


def test_cache_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("CALDERA_BENCH_CACHE", str(tmp_path / "c"))
    assert refenv.cache_dir() == tmp_path / "c"
    assert refenv.python("lava") == tmp_path / "c" / "lava" / "bin" / "python"
    monkeypatch.delenv("CALDERA_BENCH_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert refenv.cache_dir() == tmp_path / "x" / "caldera-bench"
    with pytest.raises(refenv.RefEnvError, match="unknown reference environment 'nope'; known: lava, brian2"):
        refenv.python("nope")


def test_missing_python310_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("CALDERA_BENCH_CACHE", str(tmp_path))
    monkeypatch.setattr(refenv, "find_python", lambda version: None)
    with pytest.raises(refenv.RefEnvError, match=r"needs Python 3\.10.*pyenv install 3\.10.*CALDERA_PYTHON310"):
        refenv.ensure("lava")
    assert not (tmp_path / "lava").exists()


def test_explicit_python_of_the_wrong_version_is_not_taken(monkeypatch, tmp_path):
    monkeypatch.setenv("CALDERA_PYTHON310", sys.executable)  # this is 3.11+
    monkeypatch.setenv("PATH", "")  # no pyenv, python3.10 or uv
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.pyenv
    monkeypatch.delenv("PYENV_ROOT", raising=False)
    assert refenv.find_python("3.10") is None


def _fake_python(path: pathlib.Path) -> pathlib.Path:
    """An executable that passes the version probe (it exits 0), standing for a real interpreter."""
    path.parent.mkdir(parents=True)
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return path


def test_pyenv_versions_found_without_pyenv_on_path(monkeypatch, tmp_path):
    monkeypatch.delenv("CALDERA_PYTHON310", raising=False)
    monkeypatch.setenv("PATH", "")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    root = tmp_path / "pyenv"
    monkeypatch.setenv("PYENV_ROOT", str(root))
    _fake_python(root / "versions" / "3.10.7" / "bin" / "python")
    newest = _fake_python(root / "versions" / "3.10.12" / "bin" / "python")
    _fake_python(root / "versions" / "3.11.2" / "bin" / "python")
    assert refenv.find_python("3.10") == str(newest)  # 3.10.12 before 3.10.7, never 3.11
    monkeypatch.delenv("PYENV_ROOT")
    home = _fake_python(tmp_path / "home" / ".pyenv" / "versions" / "3.10.1" / "bin" / "python")
    assert refenv.find_python("3.10") == str(home)


def test_bench_stops_before_measuring_without_python310(monkeypatch, capsys, tmp_path):
    def fail(name, log=print):
        raise refenv.RefEnvError("Lava 0.10 needs Python 3.10, and none was found")

    monkeypatch.setattr(refenv, "ensure", fail)
    ran = []
    monkeypatch.setattr(run_all, "run_workload", lambda *a: ran.append(a))
    assert run_all.main(["w1"]) == 2
    assert "cannot set up the reference environment 'lava'" in capsys.readouterr().err
    assert ran == []
    with pytest.raises(SystemExit):
        run_all.main(["w9"])


def test_missing_workload_script_is_skipped(monkeypatch):
    monkeypatch.setitem(run_all.WORKLOADS, "w5", dict(run_all.WORKLOADS["w5"], script="no_such_w5.py"))
    r = run_all.run_workload("w5", {}, mode="quick")
    assert r["status"] == "skipped" and "not in this checkout" in r["note"]


def test_summary_rows_from_results():
    w1 = {
        "results": [
            {
                "system": "caldera",
                "backend": "cpu",
                "n": 100,
                "tag": "fixed_pt",
                "summary": {"steps_per_s": {"median": 30000}},
            },
            {
                "system": "lava-0.10",
                "backend": "-",
                "n": 100,
                "tag": "fixed_pt",
                "summary": {"steps_per_s": {"median": 1500}},
            },
        ]
    }
    (row,) = run_all.rows_w1(w1)
    assert row.ratio == 20.0 and row.config == "cpu n=100 fixed_pt"
    w2 = {
        "results": {
            "caldera:cpu:4000": {"summary": {"sim_s": {"median": 2.0}}},
            "brian2:cython:4000": {"summary": {"sim_s": {"median": 5.0}}},
            "brian2:numpy:4000": {"summary": {"sim_s": {"median": 9.0}}},
        }
    }
    (row,) = run_all.rows_w2(w2)
    assert row.ratio == 2.5
    w4 = {
        "summary": {
            "1d/caldera cpu": {"steps_per_s": {"median": 9000.0}, "x_lava": 30.0},
            "1d/lava-dnf 0.3 / Lava 0.10": {"steps_per_s": {"median": 300.0}, "x_lava": 1.0},
            "1d/equal_state": True,
        }
    }
    (row,) = run_all.rows_w4(w4)
    assert row.ratio == 30.0 and row.reference == "300 steps/s"
    mpc = {
        "summary": {"best of 5@1000": {"violation": 1e-3}, "lava-optimization 0.5.0 (PIPG)@1000": {"violation": 2e-2}}
    }
    (row,) = run_all.rows_w3_mpc(mpc)
    assert row.ratio == pytest.approx(20.0)
    csp = {
        "summary": {
            "queens-8": dict(caldera_s=0.5, caldera_solved=2, baseline_s=0.1, baseline_solved=2, runs=2),
            "planar-400 k=4": dict(caldera_s=2.0, caldera_solved=2, baseline_s=20.0, baseline_solved=0, runs=2),
        }
    }
    rows = run_all.rows_w3_csp(csp)
    assert [r.ratio for r in rows] == [pytest.approx(0.2), pytest.approx(10.0)]
    assert rows[1].reference == "20 s, 0/2 solved" and rows[1].caldera == "2 s, 2/2 solved"
    w5 = {
        "snntorch": {
            "caldera_dl_samples_per_s": 900.0,
            "snntorch_samples_per_s": 300.0,
            "caldera_dl_accuracy": 0.9,
            "snntorch_accuracy": 0.89,
        },
        "pilotnet": {"cpu": {"steps_per_s_median": 50.0}, "cython": {"steps_per_s_median": 200.0}},
    }
    rows5 = run_all.rows_w5(w5)
    assert rows5[0].ratio == 3.0 and [r.ratio for r in rows5[1:]] == [None, None]
    runs = [dict(name="w1", status="ok", note="", rows=[row], seconds=1.0, results=[], log="x")]
    md = run_all.markdown(runs, {"lava": "py"}, mode="quick", stamp="T", plot_name=None)
    assert "| W3 MPC | best of 5, 1000 iterations |" in md and "quick run" in md
    cut = run_all.Row("W3", "Max-Cut P800 1.0 s", "mean cut 1588.0", "mean cut 1588.1", 1588.0 / 1588.1, "cut ratio")
    fast = run_all.Row("W1", "x", "a", "b", 52146.3, "speed-up")
    md = run_all.markdown([dict(runs[0], rows=[cut, fast])], {}, mode="full", stamp="T", plot_name=None)
    assert "| 0.9999 | cut ratio |" in md and "| 52,146× | speed-up |" in md
    json.dumps(runs[0]["rows"])  # plain data


def test_summary_holds_no_path_of_this_machine(monkeypatch, tmp_path):
    monkeypatch.setenv("CALDERA_BENCH_CACHE", str(tmp_path / "cache"))
    log = (
        f"Lava: Lava from {tmp_path / 'cache' / 'lava' / 'bin' / 'python'}\n"
        f"results: {BENCH / 'results' / 'w1-T.json'}\n"
        f"pycache in {pathlib.Path.home() / '.cache' / 'x'}\n"
    )
    runs = [dict(name="w1", status="ok", note="", rows=[], seconds=1.0, results=[], log=log)]
    md = run_all.markdown(runs, {"lava": "py"}, mode="short", stamp="T", plot_name=None)
    assert "Lava: Lava from <cache>/lava/bin/python" in md
    assert "results: ./benchmarks/results/w1-T.json" in md and "pycache in ~/.cache/x" in md
    assert str(ROOT) not in md and str(tmp_path) not in md
    assert "short run: real sizes, fewer repetitions" in md and "quick run" not in md
    with pytest.raises(ValueError, match="mode must be one of full, short, quick"):
        run_all.markdown(runs, {}, mode="fast", stamp="T", plot_name=None)


def test_modes_reach_every_workload(monkeypatch, tmp_path):
    monkeypatch.setattr(refenv, "ensure", lambda name, log=print: pathlib.Path("py-" + name))
    seen = []
    monkeypatch.setattr(
        run_all,
        "run_workload",
        lambda n, envs, mode: (
            seen.append((n, mode)) or dict(name=n, status="skipped", note="", rows=[], seconds=0.0, log="")
        ),
    )
    monkeypatch.setattr(run_all, "RESULTS", tmp_path)
    assert run_all.main(["w3", "w4", "--short"]) == 0
    assert seen == [("w3", "short"), ("w4", "short")]
    seen.clear()
    assert run_all.main(["w1", "--quick"]) == 0 and seen == [("w1", "quick")]
    seen.clear()
    assert run_all.main(["w2"]) == 0 and seen == [("w2", "full")]
    with pytest.raises(SystemExit):
        run_all.main(["--short", "--quick"])


@pytest.mark.parametrize("name", list(run_all.WORKLOADS))
def test_short_and_quick_options_exist_in_each_script(name):
    w = run_all.WORKLOADS[name]
    text = (BENCH / w["script"]).read_text()
    for opt in [a for a in w["quick"] + w["short"] if a.startswith("--")]:
        assert f'"{opt}"' in text, f"{w['script']} has no option {opt}"
