"""The Lava 0.10 equivalence suite: every recorded scenario, rebuilt and run on every installed backend.

Exact for ``fixed_pt``; ``rtol=1e-9, atol=1e-12`` for ``floating_pt``. The
learning scenarios belong to ``caldera.learning`` and run once it exists.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from caldera import plugins
from caldera.compiler import select_model  # noqa: F401  (import check: the core is importable)

from tests.backends import require

from . import scenario

NAMES = scenario.names()
TAGS = ("floating_pt", "fixed_pt")
#: the tags each backend of this repository runs the suite in; a backend that loses its models fails, it is
#: not skipped (the Loihi emulator is fixed point only, by design)
EXPECTED = {"cpu": {"floating_pt", "fixed_pt"}, "cython": {"floating_pt", "fixed_pt"}, "loihi": {"fixed_pt"}}
#: the expected backends (skipped with the reason when not installed, failed when required), then any other
BACKENDS = [*EXPECTED, *sorted(set(plugins.backends()) - set(EXPECTED))]


def _claims(backend: str, tag: str) -> bool:
    return any(tag in m.tags and plugins.backends()[backend].accepts(m) for _, m in plugins.process_models())


def _compare(name: str, got: dict, want: dict) -> None:
    fixed = "fixed_pt" in name
    for key in want:
        g, w = got[key], want[key]
        assert g.shape == w.shape, f"{name} {key}: shape {g.shape} != {w.shape}"
        if fixed:
            if not np.array_equal(g, w):
                t, *idx = np.argwhere(g != w)[0]
                pytest.fail(
                    f"{name} {key}: first difference at step {t + 1}, index {idx}: "
                    f"got {g[(t, *idx)]}, Lava {w[(t, *idx)]}"
                )
        else:
            np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12, err_msg=f"{name} {key}")


def test_suite_is_complete():
    assert len(NAMES) == 84
    assert sum("learning" in n for n in NAMES) == 3


@pytest.mark.parametrize("backend", sorted(EXPECTED))
def test_backend_claims_exactly_its_expected_tags(backend: str) -> None:
    """The explicit table above matches the installed models (a new or a lost tag is noticed)."""
    require(backend)
    assert {tag for tag in TAGS if _claims(backend, tag)} == EXPECTED[backend]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", NAMES)
def test_scenario(name: str, backend: str) -> None:
    spec, _ = scenario.load(name)
    if "learning" in name and importlib.util.find_spec("caldera.learning") is None:
        pytest.skip("learning rules are the learning issue's (caldera.learning is not there yet)")
    if backend in EXPECTED:
        require(backend)
        if spec["tag"] not in EXPECTED[backend]:
            pytest.skip(f"backend {backend} runs no {spec['tag']} models (by design)")
    elif not _claims(backend, spec["tag"]):  # a backend from outside this repository
        pytest.skip(f"backend {backend} claims no {spec['tag']} models")
    got, want = scenario.run(name, backend=backend)
    _compare(name, got, want)


@pytest.mark.parametrize("name", [n for n in NAMES if "learning" not in n and "split_runs" not in n])
def test_scenario_in_chunks(name: str) -> None:
    """Running a plain scenario in several chunks gives the same traces."""
    spec, _ = scenario.load(name)
    steps = spec["steps"]
    chunks = [1, steps // 3, steps - 1 - steps // 3]
    got, want = scenario.run(name, chunks=chunks)
    _compare(name, got, want)
