"""Repeated build/run/stop cycles leave file descriptors, threads and shared memory flat."""

from __future__ import annotations

import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parents[2] / "benchmarks"))
import leaks  # noqa: E402


@pytest.mark.parametrize(("partitions", "cycles"), [(1, 150), (2, 30)])
def test_cycles_do_not_leak(partitions, cycles):
    for _ in range(5):
        leaks.cycle(partitions)
    # By identity, not by count: in the full suite, threads or descriptors of earlier tests' work may end
    # while the cycles run (that is no leak of these networks, and it made a count-based check flaky).
    before, rss = leaks.snapshot(), leaks.resources()["rss_kb"]
    for _ in range(cycles):
        leaks.cycle(partitions)
    after = leaks.snapshot()
    assert after["fds"] - before["fds"] == set()
    assert after["threads"] - before["threads"] == set()
    assert after["shm"] - before["shm"] == set()
    assert leaks.resources()["rss_kb"] - rss < 8 * 1024
