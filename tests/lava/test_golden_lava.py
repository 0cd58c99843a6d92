"""Every Lava 0.10 golden scenario, rebuilt through ``lava.*`` names, on every installed backend that claims
its tag: exact for ``fixed_pt``, ``rtol=1e-9, atol=1e-12`` for ``floating_pt`` (as tests/golden)."""

from __future__ import annotations

import numpy as np
import pytest
from caldera import plugins

from . import golden_lava

NAMES = golden_lava.names()
BACKENDS = sorted(plugins.backends())


def _claims(backend: str, tag: str) -> bool:
    b = plugins.backends()[backend]
    return any(tag in m.tags and b.accepts(m) for _, m in plugins.process_models())


def _compare(name: str, got: dict, want: dict) -> None:
    for key in want:
        g, w = got[key], want[key]
        assert g.shape == w.shape, f"{name} {key}: shape {g.shape} != {w.shape}"
        if "fixed_pt" in name:
            if not np.array_equal(g, w):
                t, *idx = np.argwhere(g != w)[0]
                pytest.fail(
                    f"{name} {key}: first difference at step {t + 1}, index {idx}: {g[(t, *idx)]} != {w[(t, *idx)]}"
                )
        else:
            np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12, err_msg=f"{name} {key}")


def test_every_scenario_is_rebuilt():
    assert len(NAMES) == 84


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", NAMES)
def test_scenario_through_lava_names(name: str, backend: str) -> None:
    spec, _ = golden_lava.load(name)
    if not _claims(backend, spec["tag"]):
        pytest.skip(f"backend {backend} claims no {spec['tag']} models")
    got, want = golden_lava.run(name, backend=backend)
    _compare(name, got, want)


@pytest.mark.parametrize("name", [n for n in NAMES if n.endswith("_s0") and "split_runs" not in n])
def test_scenario_in_chunks_through_lava_names(name: str) -> None:
    spec, _ = golden_lava.load(name)
    steps = spec["steps"]
    got, want = golden_lava.run(name, chunks=[1, steps // 3, steps - 1 - steps // 3])
    _compare(name, got, want)
