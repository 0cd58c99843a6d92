"""Sessions: tests, lint, bench, demo. ``nox -s tests`` is what CI runs (.ci/run)."""

from __future__ import annotations

import pathlib

import nox

ROOT = pathlib.Path(__file__).parent
# The default sessions: what `python3 -m nox` (the README's test command, and .ci/run) runs, in order.
nox.options.sessions = ["tests"]
nox.options.reuse_existing_virtualenvs = True

# Every distribution in the repository, core first; a session installs the ones present.
DISTRIBUTIONS = [
    "core",
    "plugins/cpu",
    "plugins/cython",
    "plugins/loihi",
    "libs/optim",
    "libs/dnf",
    "libs/dl",
    "integrations/nengo",
    "integrations/ros",
    "integrations/lava",
]
TEST_DEPS = [
    "pytest>=8",
    "hypothesis>=6",
    "matplotlib>=3.7",
    "tqdm>=4.60",
    "pytest-timeout>=2",
    # real solvers and model formats the optimization library is tested against
    "cvxpy>=1.4",
    "dimod>=0.12",
    # caldera-dl: sklearn's bundled digits, the NIR format and snnTorch (the reference it is compared with)
    "scikit-learn>=1.3",
    "nir>=1.0",
    "snntorch>=0.9",
]
# PyTorch, pinned: the CPU build of this version is what the machines have; an unpinned torch (caldera-dl's own
# requirement is a range) resolves to a multi-GB CUDA build. Installed before anything that depends on torch.
TORCH = "torch==2.13.0"


def _install_all(session: nox.Session) -> None:
    present = [d for d in DISTRIBUTIONS if (ROOT / d / "pyproject.toml").exists()]
    if "libs/dl" in present:
        session.install(TORCH)  # first: caldera-dl's torch requirement is then already satisfied
    session.install(*(f"./{d}" for d in present))


@nox.session(python="3.11")
def tests(session: nox.Session) -> None:
    """Install every distribution and run the test suite (slow tests excluded unless -- -m slow)."""
    _install_all(session)
    session.install(*TEST_DEPS)
    args = session.posargs or ["-m", "not slow"]
    session.run("pytest", "tests", *args)


@nox.session(python="3.11")
def lint(session: nox.Session) -> None:
    session.install("ruff>=0.5")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python="3.11")
def bench(session: nox.Session) -> None:
    """Benchmarks, side by side with the reference systems (Lava 0.10 in a Python 3.10 venv when possible)."""
    _install_all(session)
    session.install("tqdm>=4.60")
    session.run("python", "benchmarks/w1.py", *session.posargs)


@nox.session(python="3.11")
def demo(session: nox.Session) -> None:
    session.install("./core[plot]", "./plugins/cpu")
    session.run("python", "examples/demo.py", *session.posargs)
