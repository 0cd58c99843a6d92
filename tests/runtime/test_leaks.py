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
    before = leaks.resources()
    for _ in range(cycles):
        leaks.cycle(partitions)
    after = leaks.resources()
    assert after["fds"] == before["fds"]
    assert after["threads"] == before["threads"]
    assert after["shm"] == before["shm"]
    assert after["rss_kb"] - before["rss_kb"] < 8 * 1024
