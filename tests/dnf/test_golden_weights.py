"""Every op chain recorded from lava-dnf 0.3 rebuilt with ``connect``: same weights (rtol 1e-9).

``data/*.json|npz`` come from ../shared/golden/lava-dnf-0.3; ``data/lava_extra`` adds edge cases (even and
oversized kernels, scalar widths, 3-D convolutions, 0-D populations), recorded by data/lava_extra/record.py.
"""

from __future__ import annotations

import json
import pathlib

import caldera_dnf as dnf
import numpy as np
import pytest
from caldera.procs import LIF, Dense, Sparse

DATA = pathlib.Path(__file__).parent / "data"
CASES = sorted(p.stem for p in DATA.glob("*.json"))
EXTRA = sorted(f"lava_extra/{p.stem}" for p in (DATA / "lava_extra").glob("*.json"))
KERNELS = {"SelectiveKernel": dnf.SelectiveKernel, "MultiPeakKernel": dnf.MultiPeakKernel}
OPS = {
    name: getattr(dnf, name)
    for name in (
        "Weights",
        "Convolution",
        "ReduceDims",
        "ExpandDims",
        "ReorderDims",
        "ReduceAlongDiagonal",
        "ExpandAlongDiagonal",
        "Flip",
    )
}


def _value(v):
    if isinstance(v, dict) and "array" in v:
        return dnf.Kernel(np.array(v["array"]), padding_value=v.get("padding_value", 0))
    if isinstance(v, dict) and "kernel" in v:
        return KERNELS[v["kernel"]](**{k: _value(x) for k, x in v["params"].items()})
    if isinstance(v, list) and v and all(isinstance(x, int) for x in v):
        return tuple(v)
    return v


def build_ops(spec: dict) -> list:
    return [OPS[o["op"]](**{k: _value(v) for k, v in o.get("params", {}).items()}) for o in spec["ops"]]


def test_all_golden_cases_present():
    assert len(CASES) == len(list(DATA.glob("*.npz"))) >= 28
    assert len(EXTRA) == len(list((DATA / "lava_extra").glob("*.npz"))) >= 14


@pytest.mark.filterwarnings("ignore:.*even size")
@pytest.mark.parametrize("name", CASES + EXTRA)
def test_connect_matches_lava_dnf(name):
    spec = json.loads((DATA / f"{name}.json").read_text())
    expected = np.load(DATA / f"{name}.npz")["weights"]
    src = LIF(shape=tuple(spec["src_shape"]))
    dst = LIF(shape=tuple(spec["dst_shape"]))
    conn = dnf.connect(src.s_out, dst.a_in, ops=build_ops(spec), connection_class=Dense)
    got = conn.weights.get()
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)
    # as lava-dnf does by default, a Sparse connection holds the same matrix
    sparse = dnf.connect(src.s_out, dst.a_in, ops=build_ops(spec), connection_class=Sparse)
    np.testing.assert_allclose(sparse.weights.get().toarray(), expected, rtol=1e-9, atol=1e-12)
