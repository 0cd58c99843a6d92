"""Partitions on MPI ranks (``RunConfig(transport="mpi")``), each test a real ``mpiexec`` job of 2 or 3 ranks.

The jobs run the scripts beside this file; on a 2-core machine 3 ranks are oversubscribed (MPICH
allows it, and its waits back off to sleeping). Skipped, with the reason, where mpi4py or an
``mpiexec`` is not installed (``pip install './core[mpi]'``).
"""

from __future__ import annotations

import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time

import pytest

ROOT = pathlib.Path(__file__).parents[2]
#: a job must end within this many seconds (they take a few on an idle machine; wide for a busy one)
JOB_S = 240


def _mpiexec() -> str | None:
    here = pathlib.Path(sys.executable).parent  # the mpich wheel installs mpiexec beside python
    return shutil.which("mpiexec", path=str(here)) or shutil.which("mpiexec")


try:
    import mpi4py  # noqa: F401

    MPIEXEC = _mpiexec()
    WHY = "" if MPIEXEC else "no mpiexec on PATH (pip install './core[mpi]')"
except ImportError:
    MPIEXEC, WHY = None, "mpi4py is not installed (pip install './core[mpi]')"

pytestmark = pytest.mark.skipif(MPIEXEC is None, reason=WHY)


def job(ranks: int, module: str, *args: str, timeout: float = JOB_S) -> subprocess.CompletedProcess:
    """``mpiexec -n ranks python -m module args`` from the repository root, SIGINT at its default."""
    return subprocess.run(
        [MPIEXEC, "-n", str(ranks), sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def ctrl_c_job(ranks: int, module: str, after: float) -> None:
    """Start ``mpiexec -n ranks python -m module long``, wait until every rank printed "running", wait ``after``
    seconds, send SIGINT to the launcher and check that the job failed with a KeyboardInterrupt (no hang)."""
    p = subprocess.Popen(
        [MPIEXEC, "-n", str(ranks), sys.executable, "-m", module, "long"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        seen = ""
        deadline = time.monotonic() + JOB_S
        while seen.count("running") < ranks and time.monotonic() < deadline:  # every rank is in the run
            seen += p.stdout.readline()
        time.sleep(after)
        p.send_signal(signal.SIGINT)
        out, _ = p.communicate(timeout=JOB_S)
        assert p.returncode != 0, seen + out
        assert "KeyboardInterrupt" in out, seen + out
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


GOLDEN_2 = [
    "fanin_virtual_ports_fixed_pt_s0",
    "lif_dense_lif_fixed_pt_s1",
    "lif_direct_lif_fixed_pt_s2",
    "lif_recurrent_fixed_pt_s0",
    "lif_sparse_lif_fixed_pt_s1",
    "split_runs_set_bias_fixed_pt_s2",
    "src_conv_lif_fixed_pt_s1",
    "src_delaydense_lif_fixed_pt_s2",
    "lif_dense_lif_floating_pt_s0",
    "fanin_virtual_ports_floating_pt_s1",
]
GOLDEN_3 = [
    "fanin_virtual_ports_fixed_pt_s2",
    "lif_dense_lif_fixed_pt_s0",
    "lif_direct_lif_fixed_pt_s1",
    "lif_sparse_lif_fixed_pt_s2",
    "split_runs_set_bias_fixed_pt_s0",
    "src_dense_sigmadelta_fixed_pt_s1",
    "src_dense_ternarylif_fixed_pt_s2",
    "src_delaydense_lif_fixed_pt_s1",
]


@pytest.mark.parametrize(("ranks", "names"), [(2, GOLDEN_2), (3, GOLDEN_3)])
def test_golden_scenarios_on_ranks_are_identical(ranks, names):
    r = job(ranks, "tests.mpi.golden_on_ranks", *names)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"{len(names)} of {len(names)} scenarios identical on {ranks} ranks" in r.stdout


@pytest.mark.parametrize("ranks", [2, 3])
def test_random_networks_on_ranks_equal_one_process(ranks):
    r = job(ranks, "tests.mpi.properties_on_ranks", "5", str(ranks))
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"5 of 5 random networks identical on {ranks} ranks" in r.stdout


def test_a_rank_that_raises_ends_the_run_on_every_rank():
    r = job(2, "tests.mpi.faults", "raise")
    assert r.returncode == 0, r.stdout + r.stderr
    for rank in (0, 1):
        assert (
            f"rank {rank} got RunError process=bomb step=5: rank 1: process 'bomb' (Bomb, model PyBomb) "
            "raised ValueError in phase 'spk' at step 5: boom" in r.stdout
        ), r.stdout
        assert f"rank {rank} stopped" in r.stdout


def test_a_dead_rank_ends_the_job():
    t0 = time.monotonic()
    r = job(2, "tests.mpi.faults", "kill")
    assert r.returncode != 0
    assert time.monotonic() - t0 < JOB_S
    assert "signal 9" in r.stdout + r.stderr


@pytest.mark.parametrize(
    ("mode", "ranks", "message"),
    [
        ("ranks", 3, "RunConfig.partitions lists 2 partitions but the job has 3 MPI ranks"),
        ("cover", 2, "RunConfig.partitions leaves processes unassigned: b"),
        ("monitor", 2, "m reads b.v, which is on rank 1, but m is listed on rank 0"),
    ],
)
def test_bad_input_is_an_error_on_every_rank_before_the_run(mode, ranks, message):
    r = job(ranks, "tests.mpi.faults", mode)
    assert r.returncode != 0
    assert (r.stdout + r.stderr).count(message) == ranks, r.stdout + r.stderr


@pytest.mark.parametrize("after", [0.0, 1.0])
def test_ctrl_c_on_the_launcher_stops_every_rank(after):
    """SIGINT to mpiexec as the ranks start the run (compiling, in a collective call) or a while into it."""
    ctrl_c_job(2, "tests.mpi.faults", after)


def test_each_rank_builds_only_its_own_partition():
    r = job(2, "tests.mpi.features", "shells")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "rank 0 holds the state of a, d1: ok" in r.stdout, r.stdout
    assert "rank 1 holds the state of b, d2, mid: ok" in r.stdout, r.stdout


@pytest.mark.parametrize("ranks", [2, 3])
def test_var_get_set_and_monitors_on_ranks_equal_one_process(ranks):
    r = job(ranks, "tests.mpi.features", "hostio")
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"identical on {ranks} ranks: after_stop, mon.s_out, mon.v, u30, v10, w10" in r.stdout, r.stdout


def test_save_on_ranks_load_and_continue():
    r = job(2, "tests.mpi.features", "saveload")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "saved at step 10 on 2 ranks, loaded, ran to step 25: identical" in r.stdout, r.stdout


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (
            1,
            "rank 0 has finished its run (step 20); rank 1 waits at step 11 for a message on "
            "d.a_out->greedy.a_in (from rank 0)",
        ),
        (
            0,
            "rank 0 waits at step 11 for a message on d.a_out->greedy.a_in (from rank 1); "
            "rank 1 has finished its run (step 20)",
        ),
    ],
)
def test_a_deadlock_between_ranks_is_proven_and_named_not_a_hang(where, expected):
    r = job(2, "tests.mpi.features", "deadlock", str(where), timeout=JOB_S)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "deadlock at step 11: every rank waits and no message is in flight: " + expected in r.stdout, r.stdout


def test_profiler_counts_each_ranks_wait_on_the_others():
    r = job(2, "tests.mpi.features", "profile")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "partition 0: 200 steps, channel waits ['d1.a_out->mid.a_in']" in r.stdout, r.stdout
    assert "partition 1: 200 steps, channel waits ['d1.a_out->mid.a_in']" in r.stdout, r.stdout
    assert "processes: a, b, d1, d2, mid" in r.stdout, r.stdout


@pytest.mark.parametrize("ranks", [2, 3])
def test_injector_and_extractor_on_rank_0_feed_and_read_the_other_ranks(ranks):
    r = job(ranks, "tests.mpi.injector_extractor", "feed")
    assert r.returncode == 0, r.stdout + r.stderr
    assert (
        "spikes): after_stop.lif2.u, lif1.u, lif2.v, queued.ext1, queued.ext2, stepwise.ext1, stepwise.ext2, "
        "threads.ext2, threads.ext_small, threads.lif2.v\n" in r.stdout
    ), r.stdout
    assert f"identical on {ranks} ranks (" in r.stdout, r.stdout
    for rank in range(1, ranks):
        for ext in ("ext1", "ext2"):
            assert (
                f"rank {rank}: {ext}.receive(): this Extractor runs on MPI rank 0 and its data arrives there only; "
                f"this is rank {rank}: call it on rank 0" in r.stdout
            ), r.stdout
    background = "every rank runs the same number of steps: use RunSteps(n) (blocking)"
    assert r.stdout.count(background) == ranks, r.stdout


def test_host_io_listed_on_another_rank_is_an_error_on_every_rank_before_the_run():
    r = job(2, "tests.mpi.injector_extractor", "elsewhere")
    assert r.returncode != 0
    message = (
        "inj (Injector, listed on rank 1): host I/O runs on MPI rank 0, where the user's script feeds and reads "
        "it; list it in the first partition, or leave it out (unlisted host I/O joins rank 0)"
    )
    assert (r.stdout + r.stderr).count(message) == 2, r.stdout + r.stderr


@pytest.mark.parametrize("ranks", [2, 3])
def test_a_message_read_by_several_processes_of_a_rank_crosses_once(ranks):
    r = job(ranks, "tests.mpi.features", "fanout")
    assert r.returncode == 0, r.stdout + r.stderr
    far = ranks - 1
    expected = f"rank 0 sends a.s_out->cat.s_in (and 3 more readers on rank {far}): 40 messages; " + (
        "b.s_out->cat.s_in: 40 messages; local.a_out->c.a_in: 40 messages"
        if ranks == 2
        else "local.a_out->c.a_in: 40 messages\nrank 1 sends b.s_out->cat.s_in: 40 messages"
    )
    assert expected + "\n" in r.stdout, r.stdout
    assert f"rank {far} sends \n" in r.stdout, r.stdout
    assert f"c.v on {ranks} ranks: identical (72 non-zero)" in r.stdout, r.stdout


def test_scaling_benchmark_phases_and_message_cost_run():
    """Smoke test of ``benchmarks/mpi_scaling.py --phases`` and ``--message-cost`` (figures not checked)."""
    script = str(ROOT / "benchmarks" / "mpi_scaling.py")
    small = ["--neurons", "1200", "--reps", "1", "--max-ranks", "2"]
    r = subprocess.run(
        [sys.executable, script, "--phases", *small], cwd=ROOT, capture_output=True, text=True, timeout=JOB_S
    )
    assert r.returncode == 0, r.stdout + r.stderr
    rows = [line.split() for line in r.stdout.splitlines() if line[:5].strip().isdigit()]
    assert [(row[0], row[1], row[2], row[3]) for row in rows] == [
        ("1", "0", "36", "168"),
        ("2", "0", "36", "168"),
        ("2", "1", "36", "168"),
    ], r.stdout
    r = subprocess.run(
        [sys.executable, script, "--message-cost", "--reps", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=JOB_S,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "one channel message, 2 ranks, 100 channels x 400 steps, median of 1: 0 spikes " in r.stdout, r.stdout


def test_an_injector_nobody_feeds_is_ended_by_the_watchdog_on_every_rank():
    r = job(2, "tests.mpi.injector_extractor", "unfed")
    assert r.returncode == 0, r.stdout + r.stderr
    assert (
        "every rank: rank 0: process 'inj' (Injector, model PyInjectorModelFloat) raised WatchdogTimeout in phase "
        "'spk' at step 2: no time step completed within watchdog_s=2 s" in r.stdout
    ), r.stdout
