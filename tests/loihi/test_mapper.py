"""The mapper: placement onto cores and chips, resource accounting, and the errors for networks that don't fit."""

from __future__ import annotations

import dataclasses

import caldera
import numpy as np
import pytest
from caldera import procs
from caldera_loihi import LOIHI2, LoihiLimits, MappingError, map_network, mapping, report, system
from scipy import sparse as sp

from .conftest import LOIHI


def _chain(w, n_src=None, dense_cls=procs.Dense, **kw):
    n_out, n_in = np.shape(w)
    pre = procs.LIF(shape=(n_src or n_in,), vth=10, name="pre")
    d = dense_cls(weights=w, name="syn", **kw)
    post = procs.LIF(shape=(n_out,), vth=10, name="post")
    pre.s_out.connect(d.s_in)
    d.a_out.connect(post.a_in)
    return pre, d, post


def test_dense_rows_split_by_synaptic_memory():
    """1000 inputs x 9 bits (8 + sign, MIXED) = 9000 bits a row: 116 rows fit 128 KiB, so 9 cores."""
    rng = np.random.default_rng(0)
    w = rng.choice([-5, -3, 2, 4], size=(1000, 1000))
    pre, _, _ = _chain(w)
    m = map_network(pre)
    post_cores = [c for c in m.cores if c.process == "post"]
    assert len(post_cores) == 9
    assert [c.neurons for c in post_cores[:2]] == [(0, 116), (116, 232)]
    assert post_cores[-1].neurons == (928, 1000)
    assert post_cores[0].memory_bytes == 116 * 9000 // 8
    assert all(c.fan_in == 1000 for c in post_cores)
    assert m.processes["syn"].synapses == 1_000_000
    assert m.processes["syn"].memory_bytes == 1000 * 9000 // 8
    # each of the 1000 sources reaches all 9 destination cores: 9000 routes do not fit one core's 4096 output
    # axons, so the sources are split too (455 per core)
    assert m.processes["pre"].cores == [0, 1, 2] and m.cores_used == 12 and m.chips_used == 1
    assert [c.fan_out for c in m.cores[:3]] == [455 * 9, 455 * 9, 90 * 9]


def test_fewer_weight_bits_need_less_memory():
    w = np.full((400, 2000), 7)  # EXCITATORY: no sign bit
    pre, _, _ = _chain(w, num_weight_bits=4)
    m = map_network(pre)
    post = [c for c in m.cores if c.process == "post"]
    assert post[0].neurons == (0, 131)  # 2000 * 4 bits = 1000 bytes a row; 131 rows in 131072 bytes
    assert len(post) == 4


def test_sparse_memory_counts_nonzeros_and_index():
    w = sp.random(300, 500, density=0.05, random_state=1, format="csr")
    w.data[:] = 9
    pre, _, _ = _chain(w, dense_cls=procs.Sparse)
    m = map_network(pre)
    assert m.processes["syn"].synapses == w.nnz
    assert m.processes["syn"].memory_bytes == -(-w.nnz * (8 + 13) // 8)
    assert m.processes["post"].cores == m.processes["syn"].cores


def test_neurons_per_core_limit():
    lif = procs.LIF(shape=(20000,), vth=10, name="big")
    m = map_network(lif)
    assert [c.neurons for c in m.cores] == [(0, 8192), (8192, 16384), (16384, 20000)]


def test_fan_in_limit_splits_cores():
    """10 neurons with 1000 distinct inputs each: at most 4 per core under a 4096-axon fan-in."""
    rows, cols = np.repeat(np.arange(10), 1000), np.arange(10_000)
    w = sp.csr_matrix((np.ones(10_000, int), (rows, cols)), shape=(10, 10_000))
    pre, _, _ = _chain(w, dense_cls=procs.Sparse)
    m = map_network(pre)
    post = [c for c in m.cores if c.process == "post"]
    assert [c.neurons for c in post] == [(0, 4), (4, 8), (8, 10)]
    assert [c.fan_in for c in post] == [4000, 4000, 2000]


def test_fan_in_of_one_neuron_too_large():
    pre, _, _ = _chain(np.ones((1, 5000), int))
    with pytest.raises(MappingError, match=r"LIF 'post': neuron 0 receives 5000 distinct inputs.*4096.*over by 904"):
        map_network(pre)


def test_synaptic_memory_of_one_neuron_too_large():
    pre, _, _ = _chain(np.ones((1, 200), int))
    with pytest.raises(MappingError, match=r"LIF 'post': neuron 0 needs 200 bytes.*has 100 .*over by 100"):
        map_network(pre, limits=dataclasses.replace(LOIHI2, synaptic_memory_bytes=100))


def test_too_many_neurons_for_the_system():
    small = dataclasses.replace(LOIHI2, cores_per_chip=2, chips_per_system=1, neurons_per_core=10)
    lif = procs.LIF(shape=(25,), vth=10, name="pop")
    with pytest.raises(
        MappingError,
        match=r"LIF 'pop': the network needs at least 3 neuro-cores.*has 2 "
        r"\(over by 1\)",
    ):
        map_network(lif, limits=small)


def test_default_system_refuses_more_than_a_kapoho_point():
    """8 chips x 128 cores x 8192 neurons = 8,388,608 neurons; one more does not fit."""
    lif = procs.LIF(shape=(8 * 128 * 8192 + 1,), vth=10, name="huge")
    with pytest.raises(MappingError, match=r"needs at least 1025 neuro-cores.*has 1024 \(over by 1\)"):
        map_network(lif)


def test_limits_from_system_context_are_used_at_compile():
    lif = procs.LIF(shape=(25,), vth=10, name="pop")
    with system(limits=dataclasses.replace(LOIHI2, neurons_per_core=10)):
        lif.run(condition=caldera.RunSteps(num_steps=1), run_cfg=LOIHI)
    assert mapping(lif).cores_used == 3
    lif.stop()


@pytest.mark.parametrize(
    "field,value,kw,pattern",
    [
        ("weight_bits", 4, {}, r"weight 100 exceeds the 4-bit weights.*0\.\.15.*over by 85"),
        ("weight_exp_max", 3, {"weight_exp": 5}, r"weight_exp=5 .*-8\.\.3 \(over by 2\)"),
    ],
)
def test_configurable_bit_widths(field, value, kw, pattern):
    pre, _, _ = _chain(np.full((2, 2), 100), **kw)
    with pytest.raises(MappingError, match=pattern):
        map_network(pre, limits=dataclasses.replace(LOIHI2, **{field: value}))


def test_delay_range_from_limits():
    pre, _, _ = _chain(np.ones((2, 2), int), dense_cls=procs.DelayDense, delays=np.array([[0, 5], [1, 2]]))
    with pytest.raises(MappingError, match=r"delay of 5 exceeds .*2-bit delays \(0\.\.3; over by 2\)"):
        map_network(pre, limits=dataclasses.replace(LOIHI2, delay_bits=2))
    pre, _, _ = _chain(np.ones((2, 2), int), dense_cls=procs.DelayDense, delays=np.array([[0, 5], [1, 2]]))
    m = map_network(pre)
    # delayed synapses carry 6 delay bits: 2 inputs x (8 + 6) bits per row
    assert m.processes["syn"].memory_bytes == -(-2 * 2 * 14 // 8)


def _grid_net():
    a = procs.LIF(shape=(30,), vth=1, bias_mant=100, name="A")  # every neuron spikes every step
    d = procs.Dense(weights=np.eye(30, dtype=int), name="AB")
    b = procs.LIF(shape=(30,), vth=1000, name="B")
    a.s_out.connect(d.s_in)
    d.a_out.connect(b.a_in)
    return a


GRID = dataclasses.replace(
    LOIHI2, cores_per_chip=4, chips_per_system=4, neurons_per_core=10, cores_per_tile=1, tiles_x=2, tiles_y=2
)


def test_chips_tiles_and_hops():
    a = _grid_net()
    with system(limits=GRID):
        a.run(condition=caldera.RunSteps(num_steps=3), run_cfg=LOIHI)
    m = mapping(a)
    assert [(c.process, c.chip, c.tile_x, c.tile_y) for c in m.cores] == [
        ("A", 0, 0, 0),
        ("A", 0, 1, 0),
        ("A", 0, 0, 1),
        ("B", 0, 1, 1),
        ("B", 1, 0, 0),
        ("B", 1, 1, 0),
    ]
    assert m.chips_used == 2
    t = report(a).totals()
    a.stop()
    assert t["spikes"] == 90 and t["spike_messages"] == 90
    # core 0 -> core 3: 1 E-W + 1 N-S hop; core 1 -> chip 1 core 0: 1 E-W; core 2 -> chip 1 core 1: 1 + 1
    assert t["tile_hops"] == 3 * (10 * 2 + 10 * 1 + 10 * 2)
    assert t["chip_crossings"] == 3 * 20


def test_fan_out_limit_splits_sources_then_errors():
    a = _grid_net()
    m = map_network(a, limits=dataclasses.replace(GRID, fan_out_axons_per_core=5, chips_per_system=8))
    assert [c.neurons for c in m.cores if c.process == "A"] == [(i, i + 5) for i in range(0, 30, 5)]
    a2 = procs.LIF(shape=(30,), vth=10, name="A2")
    d = procs.Dense(weights=np.ones((30, 30), int))
    b2 = procs.LIF(shape=(30,), vth=10, name="B2")
    a2.s_out.connect(d.s_in)
    d.a_out.connect(b2.a_in)
    with pytest.raises(
        MappingError,
        match=r"LIF 'A2': neuron 0 sends to 3 destination cores.*2 output axons "
        r"\(over by 1\)",
    ):
        map_network(a2, limits=dataclasses.replace(GRID, fan_out_axons_per_core=2))


def test_conv_kernel_is_stored_once_per_core():
    c = procs.Conv(weight=np.ones((2, 3, 3, 1), int), input_shape=(4, 4, 1), name="conv")
    src = procs.LIF(shape=(4, 4, 1), vth=10, name="img")
    out = procs.LIF(shape=(2, 2, 2), vth=10, name="fmap")
    src.s_out.connect(c.s_in)
    c.a_out.connect(out.a_in)
    m = map_network(src)
    assert m.processes["conv"].memory_bytes == 18  # 2 x 3 x 3 weights of 8 bits, one core
    assert m.processes["conv"].synapses == 2 * 2 * 2 * 9


def test_limits_validate():
    with pytest.raises(ValueError, match="neurons_per_core"):
        LoihiLimits(neurons_per_core=0)
    with pytest.raises(ValueError, match="unknown fields"):
        LoihiLimits.from_dict({"neurons": 3})


def test_repeated_names_are_kept_apart():
    a = procs.LIF(shape=(5,), vth=10, name="same")
    d = procs.Dense(weights=np.ones((3, 5), int), name="same")
    b = procs.LIF(shape=(3,), vth=10, name="same")
    a.s_out.connect(d.s_in)
    d.a_out.connect(b.a_in)
    m = map_network(a)
    assert len(m.processes) == 3 and all(k.startswith("same#") for k in m.processes)
    assert sorted(p.neurons for p in m.processes.values()) == [0, 3, 5]
