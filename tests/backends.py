"""Which backends a test run must have: ``CALDERA_REQUIRE_BACKENDS`` (comma-separated names).

``nox -s tests`` (CI) installs every distribution and sets it to every backend the
repository builds, so that a backend that is missing or broken (a C extension that
was not built, a plugin that lost its models) fails the run instead of being
skipped. A developer who installed only some distributions leaves it unset: the
tests of the missing ones are skipped, with the reason.
"""

from __future__ import annotations

import importlib
import importlib.util
import os

import pytest

ENV = "CALDERA_REQUIRE_BACKENDS"

#: backend -> (distribution folder, import name of its plugin package)
DISTRIBUTION = {
    "cpu": ("plugins/cpu", "caldera_cpu"),
    "cython": ("plugins/cython", "caldera_cython"),
    "loihi": ("plugins/loihi", "caldera_loihi"),
}


def required() -> set[str]:
    return {b.strip() for b in os.environ.get(ENV, "").split(",") if b.strip()}


def unavailable(backend: str) -> str | None:
    """None when ``backend`` is installed and usable, else why not."""
    from caldera import plugins

    folder, package = DISTRIBUTION.get(backend, (None, None))
    if package is not None and importlib.util.find_spec(package) is None:
        return f"backend {backend!r} is not installed (pip install ./{folder})"
    if backend == "cython":
        try:
            importlib.import_module("caldera_cython._kernels")
        except ImportError as e:
            return f"caldera-cython is installed but its compiled kernels do not load ({e}); rebuild it"
    if backend not in plugins.backends():
        return f"backend {backend!r} is not registered by any installed plugin"
    return None


def require(backend: str) -> None:
    """Skip the calling test when ``backend`` is unavailable, or fail it when the run requires it."""
    why = unavailable(backend)
    if why is None:
        return
    if backend in required():
        pytest.fail(f"{why}; {ENV} requires it", pytrace=False)
    pytest.skip(why)
