"""The runtime tests' own fixtures: one test that leaks a child fails alone, and networks are stopped."""

from __future__ import annotations

import pathlib

pytest_plugins = ["pytester"]

LEAKY_SUITE = """
import multiprocessing as mp
import time

import caldera
import numpy as np
from caldera.procs import LIF, Dense


def _sleeper():
    p = mp.get_context("fork").Process(target=time.sleep, args=(60,), daemon=True)
    p.start()
    return p


def test_leaks_a_child(no_children):
    _sleeper()


def test_after_the_leak(no_children):
    assert not mp.active_children()


def test_unwatched_leak():
    _sleeper()


def test_after_the_unwatched_leak(no_children):
    assert not mp.active_children()


def test_fails_before_stop(no_children):
    a = LIF(shape=(2,), bias_mant=0.5, name="a")
    d = Dense(weights=np.eye(2), name="d")
    b = LIF(shape=(2,), name="b")
    a.s_out.connect(d.s_in)
    d.a_out.connect(b.a_in)
    a.run(caldera.RunSteps(3), caldera.RunConfig(backend="cpu", partitions=[[a], [d, b]]))
    assert False, "a failing test that never reaches stop()"


def test_after_the_failure(no_children):
    assert not mp.active_children()
"""


def test_a_leak_fails_only_the_test_that_left_it(pytester):
    here = pathlib.Path(__file__).parent
    pytester.makeconftest((here / "conftest.py").read_text())
    pytester.makepyfile(test_leaky=LEAKY_SUITE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:nengo", "-q")
    result.assert_outcomes(passed=5, failed=1, errors=1)  # the leaking test passes its call, errs at teardown
    out = result.stdout.str()
    assert "ERROR at teardown of test_leaks_a_child" in out and "left behind (now killed)" in out
    assert "FAILED test_leaky.py::test_fails_before_stop" in out
