"""Save a network mid-run and load it: the loaded network continues with the same numbers."""

from __future__ import annotations

import caldera
import numpy as np
import pytest
from caldera.procs import LIF, Dense, Monitor
from caldera.serialization import SerializationError

from ..golden import scenario

PLAIN = [n for n in scenario.names() if "learning" not in n and "split_runs" not in n]


@pytest.mark.parametrize("name", PLAIN)
def test_saved_mid_run_continues_like_the_original(name, tmp_path):
    spec, arrays = scenario.load(name)
    net, mons, probes = scenario.build(spec, arrays)
    root = net[spec["processes"][0]["id"]]
    half = spec["steps"] // 2
    root.run(caldera.RunSteps(half), caldera.RunConfig(backend="cpu", tag=spec["tag"]))
    path = caldera.save(root, tmp_path / "net.npz")
    root.stop()
    procs = caldera.load(path)
    procs[root.name].run(caldera.RunSteps(spec["steps"] - half), caldera.RunConfig(backend="cpu", tag=spec["tag"]))
    assert procs[root.name].runtime.time_step == spec["steps"]
    data = next(p for p in procs.values() if isinstance(p, Monitor)).get_data()
    for pid, member in probes:
        got, want = data[pid][member], arrays[f"probe:{pid}.{member}"]
        if "fixed_pt" in name:
            np.testing.assert_array_equal(got, want, err_msg=f"{pid}.{member}")
        else:
            np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12, err_msg=f"{pid}.{member}")
    procs[root.name].stop()


def test_file_holds_no_pickles(tmp_path):
    a = LIF(shape=(2,), name="a")
    d = Dense(weights=np.eye(2), name="d")
    a.s_out.connect(d.s_in)
    path = caldera.save(a, tmp_path / "n.npz")
    with np.load(path, allow_pickle=False) as z:  # would raise if an object array were inside
        assert all(z[k].dtype != object for k in z.files)


def test_errors(tmp_path):
    bad = tmp_path / "junk.npz"
    bad.write_bytes(b"not a network")
    with pytest.raises(SerializationError, match="not a caldera network"):
        caldera.load(bad)
    a, b = LIF(shape=(1,), name="same"), LIF(shape=(1,), name="same")
    d = Dense(weights=np.eye(1))
    a.s_out.connect(d.s_in)
    d.a_out.connect(b.a_in)
    with pytest.raises(SerializationError, match="unique"):
        caldera.save(a, tmp_path / "x.npz")
