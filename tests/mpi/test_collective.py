"""Broadcast channels between MPI ranks (``RunConfig.mpi_bcast_readers``), each test a real 3-rank ``mpiexec`` job
of ``tests/mpi/collective.py`` (oversubscribed on a 2-core machine); the option's validation needs no MPI."""

from __future__ import annotations

import subprocess
import sys

import caldera
import pytest
from caldera.errors import ParameterError
from caldera.run_config import Loihi2SimCfg

from tests.mpi.test_mpi import GOLDEN_3, JOB_S, MPIEXEC, ROOT, WHY, ctrl_c_job, job

needs_mpi = pytest.mark.skipif(MPIEXEC is None, reason=WHY)


@pytest.mark.parametrize("bad", [0, -2, 2.0, "3", True])
def test_the_threshold_is_validated(bad):
    with pytest.raises(ParameterError) as e:
        caldera.RunConfig(transport="mpi", mpi_bcast_readers=bad)
    assert str(e.value) == (
        "RunConfig.mpi_bcast_readers must be an int >= 1 (the number of reading ranks from which an OutPort's "
        f"messages go out as one MPI broadcast) or None (point-to-point only), got {bad!r}"
    )


def test_broadcasts_are_off_by_default_and_the_threshold_is_kept():
    assert caldera.RunConfig().mpi_bcast_readers is None
    assert caldera.RunConfig(mpi_bcast_readers=3).mpi_bcast_readers == 3
    assert Loihi2SimCfg(select_tag="fixed_pt").mpi_bcast_readers is None
    assert Loihi2SimCfg(select_tag="fixed_pt", mpi_bcast_readers=2).mpi_bcast_readers == 2


@needs_mpi
def test_golden_scenarios_with_every_channel_a_broadcast_are_identical():
    r = job(3, "tests.mpi.collective", "golden", *GOLDEN_3)
    assert r.returncode == 0, r.stdout + r.stderr
    n = len(GOLDEN_3)
    assert f"{n} of {n} scenarios identical on 3 ranks; some messages broadcast\n" in r.stdout, r.stdout


@needs_mpi
def test_random_networks_with_every_channel_a_broadcast_equal_one_process():
    r = job(3, "tests.mpi.collective", "random", "4", "5")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "4 of 4 random networks identical on 3 ranks\nsome messages broadcast\n" in r.stdout, r.stdout


@needs_mpi
def test_a_population_read_on_two_ranks_is_broadcast_and_runs_equal_one_process():
    r = job(3, "tests.mpi.collective", "fanout")
    assert r.returncode == 0, r.stdout + r.stderr
    assert (
        "rank 0 broadcasts a.s_out->a_r2.s_in (broadcast to ranks 1, 2): 40 messages\n"
        "rank 0 sends b_r0.a_out->c.a_in: 40 messages\n"
        "rank 1 sends a_r1.a_out->c.a_in: 40 messages\n"
        "rank 1 broadcasts b.s_out->b_r2.s_in (broadcast to ranks 0, 2): 40 messages\n"
        "rank 2 sends c.s_out->c_back.s_in: 40 messages\n"
        "frames sent in two parts: some\n"
        "identical on 3 ranks: back.v@25, back.v@stop, c.u@stop, c.v@12, mon.back.u, mon.c.v\n"
    ) in r.stdout, r.stdout


@needs_mpi
@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (
            1,
            "rank 0 has finished its run (step 20); rank 1 waits at step 11 for a message on "
            "d.a_out->greedy.a_in (broadcast to rank 1) (from rank 0)",
        ),
        (
            0,
            "rank 0 waits at step 11 for a message on d.a_out->greedy.a_in (broadcast to rank 0) (from rank 1); "
            "rank 1 has finished its run (step 20)",
        ),
    ],
)
def test_a_deadlock_on_a_broadcast_channel_is_proven_and_named(where, expected):
    r = job(2, "tests.mpi.collective", "deadlock", str(where))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "deadlock at step 11: every rank waits and no message is in flight: " + expected in r.stdout, r.stdout


@needs_mpi
def test_a_writer_that_waits_for_room_on_a_broadcast_channel_is_a_proven_deadlock():
    """Its readers never receive: the writer sends 12 messages (8 + 4 before it needs the first
    acknowledgement), then waits for room at step 13."""
    r = job(3, "tests.mpi.collective", "deaf")
    assert r.returncode == 0, r.stdout + r.stderr
    assert (
        "deadlock at step 13: every rank waits and no message is in flight: rank 0 waits at step 13 for room on "
        "a.s_out->deaf2.a_in (broadcast to ranks 1, 2) (ranks 1, 2 do not receive); rank 1 has finished its run "
        "(step 20); rank 2 has finished its run (step 20)" in r.stdout
    ), r.stdout


@needs_mpi
@pytest.mark.parametrize(
    ("script", "mode", "expected"),
    [
        ("features", "hostio", "identical on 3 ranks: after_stop, mon.s_out, mon.v, u30, v10, w10\n"),
        ("features", "saveload", "saved at step 10 on 3 ranks, loaded, ran to step 25: identical\n"),
        ("injector_extractor", "feed", "identical on 3 ranks ("),
        ("features", "profile", "processes: a, b, d1, d2, mid\n"),
    ],
)
def test_host_side_work_with_every_channel_a_broadcast_equals_one_process(script, mode, expected):
    """Var.get/set between runs, Monitors, save/load/continue, host I/O on rank 0 and the profiler
    (``tests/mpi/features.py``, ``tests/mpi/injector_extractor.py``) with every channel a broadcast."""
    r = job(3, "tests.mpi.collective", "also", script, mode)
    assert r.returncode == 0, r.stdout + r.stderr
    assert expected in r.stdout, r.stdout
    assert f"{mode}: ok\nsome messages broadcast\n" in r.stdout, r.stdout


@needs_mpi
def test_a_rank_that_raises_ends_a_run_with_broadcast_channels_on_every_rank():
    r = job(3, "tests.mpi.collective", "raise")
    assert r.returncode == 0, r.stdout + r.stderr
    for rank in range(3):
        assert (
            f"rank {rank} got RunError process=bomb step=5: rank 2: process 'bomb' (Bomb, model PyBomb) raised "
            "ValueError in phase 'spk' at step 5: boom\n" in r.stdout
        ), r.stdout
        assert f"rank {rank} stopped\n" in r.stdout, r.stdout


@needs_mpi
@pytest.mark.parametrize("after", [0.0, 1.0])
def test_ctrl_c_stops_every_rank_of_a_run_with_broadcast_channels(after):
    """SIGINT to mpiexec as the 3 ranks start the run, or a while into it."""
    ctrl_c_job(3, "tests.mpi.collective", after)


@needs_mpi
def test_scaling_benchmark_compares_point_to_point_and_broadcast_channels():
    """Smoke test of ``benchmarks/mpi_scaling.py --collective`` (figures not checked, but the message counts:
    each rank's 2 populations per block, 2 blocks per rank, are read on both other ranks)."""
    script = str(ROOT / "benchmarks" / "mpi_scaling.py")
    small = ["--neurons", "1200", "--reps", "1", "--rounds", "1", "--steps", "10", "--warmup", "2"]
    r = subprocess.run(
        [sys.executable, script, "--collective", *small], cwd=ROOT, capture_output=True, text=True, timeout=JOB_S
    )
    assert r.returncode == 0, r.stdout + r.stderr
    rows: dict[str, list[str]] = {}  # the network's table (the channels-alone lines come after it)
    for line in r.stdout.splitlines():
        rows.setdefault(line.split("|")[0].strip(), [c.strip() for c in line.split("|")[1:]])
    assert rows["point-to-point"][2:4] == ["16.0/16.0/16.0", "8/8/8"], r.stdout
    assert rows["broadcast"][3] == "4/4/4", r.stdout
    assert "broadcast / point-to-point steps/s: " in r.stdout, r.stdout
    assert r.stdout.count(" | 0 spikes ") == 2, r.stdout  # the channels alone: one line per kind
