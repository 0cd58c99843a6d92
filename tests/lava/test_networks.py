"""``lava.networks``: Lava's algebraic network syntax over caldera's standard processes, with hand-worked numbers."""

from __future__ import annotations

import numpy as np
import pytest
from caldera.errors import ParameterError
from lava._lavacode import LavaCompatibilityWarning
from lava.magma.core.run_conditions import RunSteps
from lava.magma.core.run_configs import Loihi2SimCfg
from lava.networks.gradedvecnetwork import GradedDense, GradedSparse, GradedVec, InputVec, LIFVec, OutputVec
from lava.networks.network import AlgebraicMatrix, AlgebraicVector, Network, NetworkList
from lava.proc.dense.process import Dense
from lava.proc.sparse.process import Sparse

FIXED = Loihi2SimCfg(select_tag="fixed_pt")


def test_matrix_vector_chain_gives_the_fixed_point_numbers() -> None:
    # 3 inputs, 2 steps repeated: (10, 20, 30) then (5, 5, 5), scaled by 2**4
    inp = InputVec(np.array([[10, 20, 30], [5, 5, 5]]).T, exp=4)
    dense = GradedDense(weights=np.array([[0.5, 0.25, 0.0], [0.0, 1 - 1 / 128, -0.5]]))
    vec = GradedVec(shape=(2,), vth=1, exp=0)
    out = OutputVec(shape=(2,), buffer=6)
    assert vec << dense @ inp is vec
    out << vec  # OutputVec is a network, not a vector: connected directly (Lava 0.10)
    inp.run(condition=RunSteps(num_steps=6), run_cfg=FIXED)
    got = out.get_data()
    inp.stop()
    # weights * 128 = [[64, 32, 0], [0, 127, -64]]; mixed signs keep 7 bits + sign (even values): 127 -> 126;
    # weight_exp -7: (64*160 + 32*320) >> 7 = 160, (126*320 - 64*480) >> 7 = 75, (64+32)*80 >> 7 = 60,
    # (126 - 64) * 80 >> 7 = 38; Dense adds one step
    assert got.tolist() == [[0, 160, 60, 160, 60, 160], [0, 75, 38, 75, 38, 75]]

    # vector to vector: through an identity GradedSparse (one step more)
    inp = InputVec(np.array([[5, 9]]).T)
    first, second = GradedVec(shape=(2,), vth=0), GradedVec(shape=(2,), vth=0)
    out = OutputVec(shape=(2,), buffer=4)
    first << GradedDense(weights=np.eye(2)) @ inp
    second << first
    out << second
    inp.run(condition=RunSteps(num_steps=4), run_cfg=FIXED)
    assert out.get_data().tolist() == [[0, 0, 5, 5], [0, 0, 9, 9]]
    inp.stop()
    assert isinstance(dense.main, Dense) and dense.main.proc_params["weight_exp"] == -7
    assert dense.main.proc_params["num_message_bits"] == 24


def test_sum_of_networks_and_product_of_vectors() -> None:
    a = InputVec(np.array([[3, 4]]).T, exp=0)
    b = InputVec(np.array([[5, -2]]).T, exp=0)
    total = GradedVec(shape=(2,), vth=0)
    out = OutputVec(shape=(2,), buffer=3)
    summed = GradedDense(weights=np.eye(2)) @ a + GradedDense(weights=np.eye(2) * 0.5) @ b
    assert isinstance(summed, NetworkList) and len(summed) == 2
    total << summed
    out << total
    a.run(condition=RunSteps(num_steps=3), run_cfg=FIXED)
    # eye * 128 (excitatory: 8 bits, 128) >> 7 = x; eye * 0.5 * 128 = 64: (64 * b) >> 7 = 2, -1
    assert out.get_data()[:, 2].tolist() == [3 + 2, 4 - 1]
    a.stop()

    x = GradedVec(shape=(2,), vth=0, exp=0)
    y = GradedVec(shape=(2,), vth=0, exp=0)
    x << GradedDense(weights=np.eye(2)) @ InputVec(np.array([[6, 7]]).T)
    y << GradedDense(weights=np.eye(2)) @ InputVec(np.array([[2, -3]]).T)
    prod = x * y
    assert isinstance(prod, GradedSparse)
    res = GradedVec(shape=(2,), vth=0)
    res << prod
    out = OutputVec(shape=(2,), buffer=8)
    out << res
    x.run(condition=RunSteps(num_steps=8), run_cfg=FIXED)
    assert out.get_data()[:, -1].tolist() == [12, -21]
    x.stop()


def test_lif_vector_and_the_base_classes() -> None:
    lif = LIFVec(shape=(2,), du=0, dv=0, vth=5, bias_mant=[2, 3])
    assert isinstance(lif, AlgebraicVector) and isinstance(lif, Network)
    lif.run(condition=RunSteps(num_steps=2), run_cfg=FIXED)
    assert lif.main.v.get().tolist() == [4, 6]
    lif.stop()
    assert issubclass(GradedSparse, AlgebraicMatrix)
    sp = GradedSparse(weights=np.eye(3))
    assert isinstance(sp.main, Sparse)
    assert (lif + sp) == NetworkList([lif, sp])
    with pytest.raises(TypeError):
        lif << 3  # noqa: B015


def test_what_is_not_provided_says_so() -> None:
    import lava.frameworks.loihi2 as lv

    assert lv.GradedDense is GradedDense and lv.InputVec is InputVec
    with pytest.raises(AttributeError, match="NormaliseNet is not a name of Lava 0.10"):
        lv.NormaliseNet  # noqa: B018
    with pytest.raises(ParameterError, match=r"InputVec\(loihi2=True\)"):
        InputVec(np.ones((2, 1)), loihi2=True)
    with pytest.warns(LavaCompatibilityWarning, match=r"GradedDense: keyword argument\(s\) 'weight' are ignored"):
        GradedDense(weights=np.eye(2), weight=1)
    vec = np.array([[1.0, 2.0]])
    InputVec(vec, exp=3)
    assert vec.tolist() == [[8.0, 16.0]]  # as Lava: the caller's array is scaled in place


def test_resfire_vec_feeds_its_two_inputs() -> None:
    from lava.frameworks.loihi2 import ResFireVec as FrameworkResFireVec
    from lava.networks.resfire import ResFireVec

    assert FrameworkResFireVec is ResFireVec
    # one neuron at 25 Hz, dt 10 ms: the phase turns by pi/2 a step (lct 0, lst = 2**15 * exp(-0.01/0.5))
    inp_u, inp_v = InputVec(np.array([[1000, 0, 0, 0, 0, 0]])), InputVec(np.array([[0, 0, 0, 0, 0, 0]]))
    rf = ResFireVec(shape=(1,), freqs=[25.0], decay_tau=[0.5], dt=0.01, uth=100)
    assert rf.main.lct.get().tolist() == [0] and rf.main.lst.get().tolist() == [32119]
    out = OutputVec(shape=(1,), buffer=6)
    assert (rf << (GradedDense(weights=np.eye(1)) @ inp_u, GradedDense(weights=np.eye(1)) @ inp_v)) is rf
    out << rf
    rf.run(condition=RunSteps(num_steps=6), run_cfg=FIXED)
    u, got = rf.main.u.get(), out.get_data()
    rf.stop()
    # the input reaches u at step 2 (through the Dense); then (u, v) turns by a quarter a step, each product
    # floored: (1000, 0) -> (0, 32119000 // 2**15 = 980) -> (-(980 * 32119 // 2**15) = -960, 0) -> (0, -941)
    # -> (923, 0): v goes from < 0 to >= 0 with u > uth at step 6, which sends u
    assert u.tolist() == [923]
    assert got.tolist() == [[0, 0, 0, 0, 0, 923]]
    with pytest.raises(TypeError, match=r"ResFireVec: unknown keyword argument\(s\) \['frq'\]"):
        ResFireVec(frq=[10])
    with pytest.raises(ValueError, match="expected two networks"):
        rf << (inp_u,)


def test_normalize_net_scales_a_vector_to_unit_length() -> None:
    from lava.networks.gradedvecnetwork import NormalizeNet
    from lava.proc.graded.process import InvSqrt, NormVecDelay

    # (192, 256) has length 320 = 5 * 64: the InvSqrt neuron gets 192**2 + 256**2 = 102400 (= 25 with 12
    # fractional bits) and returns about 2**12 / 5; NormVecDelay multiplies its input of the step before by
    # it: (0.6, 0.8) * 2**12 * 64. Input from step 1 on reaches NormVecDelay at step 2, its squares InvSqrt at
    # step 3, whose answer is back at step 4 (v2 holds the input of step 3 then)
    inp = InputVec(np.array([[192] * 5, [256] * 5]))
    norm = NormalizeNet(shape=(2,), exp=12)
    assert isinstance(norm.main, NormVecDelay) and isinstance(norm.fp_inv_neuron, InvSqrt)
    out = OutputVec(shape=(2,), buffer=5)
    norm << GradedDense(weights=np.eye(2)) @ inp
    out << norm
    inp.run(condition=RunSteps(num_steps=5), run_cfg=FIXED)
    got = out.get_data()
    inp.stop()
    inv = got[0, 3] // 192
    assert abs(inv - 4096 / 5) <= 1 and got[:, 3:].tolist() == [[192 * inv] * 2, [256 * inv] * 2]
    assert got[:, :3].tolist() == [[0, 0, 0], [0, 0, 0]]
