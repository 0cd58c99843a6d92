"""Networks of Lava 0.10's CLP, S4D, ConvInTime, RFZero, Spiker, Receiver, NormVecDelay and InvSqrt processes on caldera-lava
against the traces Lava 0.10 recorded for the same code (``tests/lava/recorded_networks.py``): exact for
``fixed_pt``, to float tolerance for ``floating_pt``; in one run and in two chunks."""

from __future__ import annotations

import numpy as np
import pytest

from tests.lava import recorded_networks as nets

REF = np.load(nets.DATA)


def _ref(name: str) -> dict[str, np.ndarray]:
    prefix = f"{name}:"
    return {k[len(prefix) :]: REF[k] for k in REF.files if k.startswith(prefix)}


@pytest.mark.parametrize("chunks", [False, True], ids=["one_run", "two_chunks"])
@pytest.mark.parametrize("name", sorted(nets.NETWORKS))
def test_network_reproduces_lava(name: str, chunks: bool) -> None:
    ref = _ref(name)
    assert ref, f"no recorded traces for {name}"
    got = nets.NETWORKS[name](chunks=chunks)
    assert sorted(got) == sorted(ref)
    for key, want in ref.items():
        value = np.asarray(got[key])
        if np.iscomplexobj(value):  # Lava's Var.get() returns the real part of a complex Var
            value = value.real
        assert value.shape == want.shape, key
        if name.startswith(("clp", "rfzero", "spiker", "normalize")) or name.endswith("fixed_graded"):
            np.testing.assert_array_equal(value, want, err_msg=f"{name}:{key}")
        else:
            np.testing.assert_allclose(value, want, rtol=1e-9, atol=1e-12, err_msg=f"{name}:{key}")


def test_added_processes_save_and_load(tmp_path) -> None:
    from lava.proc.clp.prototype_lif.process import PrototypeLIF
    from lava.proc.io.source import RingBuffer
    from lava.proc.s4d.process import S4d, SigmaS4dDeltaLayer
    from lava.utils.serialization import load, save

    src = RingBuffer(data=np.ones((2, 3)))
    s4d = S4d(shape=(2,), a=np.array([0.5 + 0.25j, 0.2]), b=1.0, c=1.0)
    src.s_out.connect(s4d.a_in)
    protos = PrototypeLIF(shape=(2,), vth=5, sign_mode=1)
    layer = SigmaS4dDeltaLayer(shape=(2,), vth=0, a=0.5, b=1, c=1, d_states=2)
    save([src, s4d, protos, layer], tmp_path / "net")
    procs, _ = load(tmp_path / "net")
    assert [type(p).__name__ for p in procs] == ["RingBuffer", "S4d", "PrototypeLIF", "SigmaS4dDeltaLayer"]
    np.testing.assert_array_equal(procs[1].a.get(), [0.5 + 0.25j, 0.2])
    assert procs[2].proc_params["sign_mode"] == 1
    assert procs[3].conn_weights.get().tolist() == [[1, 1, 0, 0], [0, 0, 1, 1]]
