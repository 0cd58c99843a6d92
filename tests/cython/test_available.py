"""The cython backend is there: its compiled kernels load and its plugin registers the backend and its models."""

from __future__ import annotations

from tests.backends import require


def test_cython_backend_is_built():
    require("cython")  # skips with the reason, or fails when CALDERA_REQUIRE_BACKENDS names cython
    from caldera import plugins
    from caldera.procs import LIF, Dense, Sparse

    assert plugins.backends()["cython"].name == "cython"
    for proc in (LIF, Dense, Sparse):
        compiled = [m for plugin, m in plugins.models_for(proc, "cython") if plugin == "cython"]
        assert {t for m in compiled for t in m.tags} >= {"floating_pt", "fixed_pt"}, proc.__name__
        assert all(hasattr(m, "make_kernel") for m in compiled), proc.__name__
