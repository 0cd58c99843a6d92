"""Parallel partitions: same numbers as one partition, explicit and automatic assignment."""

from __future__ import annotations

import caldera
import numpy as np
import pytest
from caldera.errors import CompileError, ParameterError, RuntimeStateError
from caldera.procs import LIF, Dense, Monitor

from ..golden import scenario
from .conftest import ei_network, monitored_run

PLAIN = [n for n in scenario.names() if "learning" not in n]


@pytest.mark.parametrize("name", PLAIN)
def test_golden_scenarios_with_two_partitions(name, no_children):
    got, want = scenario.run(name, backend="cpu", partitions=2)
    for key in want:
        if "fixed_pt" in name:
            np.testing.assert_array_equal(got[key], want[key], err_msg=f"{name} {key}")
        else:
            np.testing.assert_allclose(got[key], want[key], rtol=1e-9, atol=1e-12, err_msg=f"{name} {key}")


def test_ei_network_10000_neurons_same_traces_in_one_and_two_partitions(no_children):
    steps = 40
    one, n1 = monitored_run(*ei_network(), steps, caldera.RunConfig(backend="cpu", partitions=1))
    two, n2 = monitored_run(*ei_network(), steps, caldera.RunConfig(backend="cpu", partitions=2))
    assert (n1, n2) == (1, 2)
    assert one["exc.s_out"].sum() > 100 and one["inh.s_out"].sum() > 10  # the network is active
    for k in one:
        np.testing.assert_array_equal(one[k], two[k], err_msg=k)


def _small():
    a = LIF(shape=(4,), du=0.1, dv=0.1, vth=1.0, bias_mant=0.4, name="a")
    syn = Dense(weights=np.full((3, 4), 0.3), name="syn")
    b = LIF(shape=(3,), du=0.1, dv=0.1, vth=1.0, name="b")
    a.s_out.connect(syn.s_in)
    syn.a_out.connect(b.a_in)
    return a, syn, b


def test_explicit_assignment_and_monitor_follows_its_target(no_children):
    a, syn, b = _small()
    mon = Monitor(name="mon")
    mon.probe(b.v, 10)
    a.run(caldera.RunSteps(10), caldera.RunConfig(backend="cpu", partitions=[[a, syn], [b]]))
    parts = a.runtime.partitions
    names = [sorted(a.runtime.net.models[i].process_name for i in p.ids) for p in parts]
    assert (
        names == [["a", "syn"], ["b", "mon"]]
        or names == [["a", "syn"], ["mon", "b"]]
        or sorted(map(sorted, names)) == [["a", "syn"], ["b", "mon"]]
    )
    v_child = b.v.get()
    trace = mon.get_data()["b"]["v"]
    np.testing.assert_array_equal(trace[-1], v_child)
    b.v.set(np.zeros(3))  # writes reach the child partition
    np.testing.assert_array_equal(b.v.get(), np.zeros(3))
    a.stop()
    np.testing.assert_array_equal(b.v.get(), np.zeros(3))  # state fetched before the children ended


def test_unassigned_process_is_an_error():
    a, syn, b = _small()
    with pytest.raises(CompileError, match="unassigned: b"):
        a.run(caldera.RunSteps(1), caldera.RunConfig(backend="cpu", partitions=[[a, syn]]))


def test_bad_partition_spec():
    with pytest.raises(ParameterError, match="partitions"):
        caldera.RunConfig(partitions=0)


def test_auto_keeps_small_networks_in_one_partition():
    a, _syn, _b = _small()
    a.run(caldera.RunSteps(2), caldera.RunConfig(backend="cpu", partitions="auto"))
    assert len(a.runtime.partitions) == 1
    a.stop()


def test_continue_pause_and_background_runs_with_partitions(no_children):
    a, syn, b = _small()
    ref_a, ref_syn, ref_b = _small()
    cfg = caldera.RunConfig(backend="cpu", partitions=[[a, syn], [b]])
    a.run(caldera.RunSteps(7), cfg)
    a.run(caldera.RunSteps(5, blocking=False))
    a.wait()
    a.run(caldera.RunContinuous())
    import time

    time.sleep(0.2)
    a.pause()
    t = a.runtime.time_step
    assert t > 12
    v = b.v.get()
    ref_a.run(caldera.RunSteps(t), caldera.RunConfig(backend="cpu"))
    np.testing.assert_allclose(v, ref_b.v.get(), rtol=1e-12)
    a.stop()
    ref_a.stop()


def test_auto_splits_a_large_network_when_cores_allow(no_children):
    import os

    exc, _inh = ei_network()
    exc.run(caldera.RunSteps(1), caldera.RunConfig(backend="cpu", partitions="auto"))
    expected = min(2, len(os.sched_getaffinity(0)))
    assert len(exc.runtime.partitions) == expected
    exc.stop()


def _host_io_chain():
    from caldera.procs import Extractor, Injector

    inj = Injector(shape=(4,), name="inj")
    a, syn, b = _small()
    ext = Extractor(shape=(3,), name="ext")
    inj.out_port.connect(a.a_in)
    b.s_out.connect(ext.in_port)
    return inj, a, syn, b, ext


def _mpi_partitions(root, parts, rank=0):
    """The partitions an MPI rank compiles (the compiler alone: no MPI needed)."""
    from caldera.compiler import compile_network

    cfg = caldera.RunConfig(backend="cpu", partitions=parts, transport="mpi")
    net = compile_network(root, cfg, local_partition=rank)
    return [sorted(p.name for p in net.leaves if p.id in part.ids) for part in net.partitions]


def test_over_mpi_an_explicit_list_keeps_its_order_and_unlisted_host_io_joins_rank_0():
    a, syn, b = _small()  # a comes first among the leaves, but the list puts it on rank 1
    assert _mpi_partitions(a, [[b], [a, syn]]) == [["b"], ["a", "syn"]]
    inj, a, syn, b, ext = _host_io_chain()
    assert _mpi_partitions(inj, [[a], [syn, b]]) == [["a", "ext", "inj"], ["b", "syn"]]


def test_over_mpi_host_io_listed_on_another_rank_is_an_error():
    inj, a, syn, b, ext = _host_io_chain()
    with pytest.raises(CompileError, match=r"^ext \(Extractor, listed on rank 1\): host I/O runs on MPI rank 0"):
        _mpi_partitions(inj, [[a, inj], [syn, b, ext]])
    inj, a, syn, b, ext = _host_io_chain()
    with pytest.raises(CompileError, match=r"inj \(Injector, listed on rank 2\), ext \(Extractor, listed on rank 2\)"):
        _mpi_partitions(inj, {a: 0, syn: 1, b: 1, inj: 2, ext: 2})


def test_injector_and_extractor_on_a_rank_that_does_not_run_them():
    inj, a, syn, b, ext = _host_io_chain()
    assert inj.send(np.ones(4))
    inj.buffer.place_on_rank(0, 1)  # what MpiGroup does on rank 1
    ext.buffer.place_on_rank(0, 1)
    assert len(inj.buffer) == 0  # what rank 1's script queued before the build is dropped
    assert inj.send(np.ones(4)) and len(inj.buffer) == 0  # accepted and ignored: rank 0's data counts
    with pytest.raises(ParameterError, match="expected shape"):
        inj.send(np.ones(3))  # bad input is still an error on every rank
    for call in (ext.receive, ext.available):
        with pytest.raises(
            RuntimeStateError, match=r"ext\.\w+\(\): this Extractor runs on MPI rank 0 .* this is rank 1"
        ):
            call()


def test_over_mpi_a_rank_map_must_name_ranks_0_to_n_minus_1():
    from caldera.mpi import prepare

    a, syn, b = _small()
    with pytest.raises(CompileError, match=r"maps processes to ranks \[0, 2\], but the job's ranks are 0 to 1"):
        prepare(caldera.RunConfig(partitions={a: 0, syn: 2, b: 2}, transport="mpi"), 2)
