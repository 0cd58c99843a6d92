"""Sessions: tests, lint, bench, demo. ``nox -s tests`` is what CI runs (.ci/run)."""

from __future__ import annotations

import os
import pathlib
import shutil

import nox

ROOT = pathlib.Path(__file__).parent
# The default sessions: what `python3 -m nox` (the README's test command, and .ci/run) runs, in order.
nox.options.sessions = ["tests", "ros", "nengo"]
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
    "rosbags>=0.10",  # caldera-ros bag replay, tested without ROS
    "pytest>=8",
    "hypothesis>=6",
    "matplotlib>=3.7",
    "tqdm>=4.60",
    "pytest-timeout>=2",
    # real solvers and model formats the optimization library is tested against
    "cvxpy>=1.4",
    "dimod>=0.12",
    "networkx>=3",  # caldera-optim: MIS compared with networkx's approximation
    # caldera-dl: sklearn's bundled digits, the NIR format and snnTorch (the reference it is compared with)
    "scikit-learn>=1.3",
    "nir>=1.0",
    "nirtorch>=1.0",
    "snntorch>=0.9",
    # partitions on MPI ranks (tests/mpi): mpi4py and MPICH's wheel, which brings mpiexec
    "mpi4py>=4.0",
    "mpich>=4.2",
]
# PyTorch, pinned: the CPU build of this version is what the machines have; an unpinned torch (caldera-dl's own
# requirement is a range) resolves to a multi-GB CUDA build. Installed before anything that depends on torch.
TORCH = "torch==2.13.0"


def _install_all(session: nox.Session) -> None:
    present = [d for d in DISTRIBUTIONS if (ROOT / d / "pyproject.toml").exists()]
    if "libs/dl" in present:
        session.install(TORCH)  # first: caldera-dl's torch requirement is then already satisfied
    session.install(*(f"./{d}" for d in present))


CHROMIUM = "/usr/bin/chromium"  # Debian's: the run report is tested in it (Playwright drives it; no browser download)


def _browser(session: nox.Session) -> None:
    """Debian's chromium (apt-get, when missing and root) and Playwright without its own browsers."""
    session.env["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1"
    if not os.path.exists(CHROMIUM) and shutil.which("apt-get") and os.geteuid() == 0:
        apt_env = {"DEBIAN_FRONTEND": "noninteractive"}
        session.run("apt-get", "update", "-q", external=True, env=apt_env)
        session.run("apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium", external=True, env=apt_env)
    session.install("playwright>=1.40")
    if os.path.exists(CHROMIUM):
        session.env["CALDERA_REQUIRE_BROWSER"] = "1"  # the browser tests fail instead of skipping
    else:
        session.warn(f"{CHROMIUM} is missing (apt-get install chromium, as root): the browser tests will skip")


@nox.session(python="3.11")
def tests(session: nox.Session) -> None:
    """Install every distribution and run the test suite (slow tests excluded unless -- -m slow)."""
    _install_all(session)
    session.install(*TEST_DEPS)
    _browser(session)
    args = session.posargs or ["-m", "not slow"]
    # every backend installed above must work: a missing or broken one fails the run (tests/backends.py)
    present = [d for d in DISTRIBUTIONS if (ROOT / d / "pyproject.toml").exists()]
    backends = [d.split("/")[1] for d in present if d.startswith("plugins/")]
    session.run("pytest", "tests", *args, env={"CALDERA_REQUIRE_BACKENDS": ",".join(backends)})


# Nengo 4.1's own backend test suite: the pytest version its plugin (pytest_nengo) works with, and its fixtures.
NENGO_SUITE_DEPS = [
    "pytest==8.3.5",
    "pytest-xdist==3.8.0",
    "pytest-allclose==1.0.0",
    "pytest-plt==1.1.1",
    "pytest-rng==1.0.0",
    "matplotlib>=3.7",
    "scipy>=1.11",
    "setuptools<81",  # nengo/tests/test_simulator.py imports pkg_resources, which setuptools 81 dropped
]


@nox.session(python="3.11")
def nengo(session: nox.Session) -> None:
    """Nengo's own test suite against caldera_nengo.Simulator, then the check of its counts (tests/nengo).

    Runs with a private HOME (Nengo's decoder cache lives there) and the configuration in
    integrations/nengo/suite/pytest.ini (the simulator and the unsupported tests, each with its reason).
    """
    # with caldera-cython installed its backend is the default one: the suite runs the compiled kernels
    session.install("./core", "./plugins/cpu", "./plugins/cython", "./plugins/loihi", "./integrations/nengo")
    session.install(*NENGO_SUITE_DEPS)
    tmp = pathlib.Path(session.create_tmp()).resolve()
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    xml = tmp / "nengo-suite.xml"
    workers = session.posargs or ["-n", "2"]
    ini = str(ROOT / "integrations/nengo/suite/pytest.ini")
    suite = ["--pyargs", "nengo", "-c", ini, "-p", "no:cacheprovider", "-q", "-rfE", f"--junitxml={xml}", *workers]
    # failures are counted by the check below, against the recorded minimum
    session.run("python", "-m", "pytest", *suite, env={"HOME": str(home)}, success_codes=[0, 1])
    check = [str(ROOT / "tests/nengo/test_suite_counts.py"), "-q", "-p", "no:cacheprovider"]
    session.run("python", "-m", "pytest", *check, env={"HOME": str(home), "CALDERA_NENGO_SUITE_XML": str(xml)})


@nox.session(python="3.11")
def lint(session: nox.Session) -> None:
    session.install("ruff>=0.5")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python="3.11")
def bench(session: nox.Session) -> None:
    """W1-W5 beside their reference systems; `nox -s bench -- w2 w4` picks workloads, `-- --short` takes fewer
    repetitions of the real sizes, `-- --quick` smoke sizes.

    The reference environments (Lava 0.10 on Python 3.10, Brian2) are created on first use in a cache folder
    (benchmarks/refenv.py; `CALDERA_BENCH_CACHE` moves it); without a Python 3.10 the session stops with a
    message saying how to get one. Writes benchmarks/results/summary-<timestamp>.md and .png.
    """
    _install_all(session)
    session.install("tqdm>=4.60", "matplotlib>=3.7", "dwave-samplers", "dimod>=0.12", "python-constraint2")
    if (ROOT / "libs/dl/pyproject.toml").exists():  # W5: digits from scikit-learn, snnTorch as the reference
        # pytest: w5_dl.py fetches lava-dl's PilotNet fixture with the helper in tests/dl/conftest.py
        session.install("scikit-learn>=1.3", "snntorch>=0.9", "pytest>=8")
    session.run("python", "benchmarks/run_all.py", *session.posargs)


@nox.session(python="3.11")
def demo(session: nox.Session) -> None:
    session.install("./core[plot]", "./plugins/cpu")
    session.run("python", "examples/demo.py", *session.posargs)


# ROS 1 from Debian for the ros session (installed by the session itself when missing; needs root)
ROS_APT = [
    "ros-core",
    "python3-rospy",
    "python3-std-msgs",
    "python3-sensor-msgs",
    "python3-geometry-msgs",
    "python3-rosbag",
    "python3-genpy",
    "python3-genmsg",
    "python3-venv",
]


@nox.session(python=False)
def ros(session: nox.Session) -> None:
    """caldera-ros against a real ROS 1 master: Debian's ROS packages, a venv on the system Python that sees
    its rospy, pip's numpy >= 2 ahead of any Debian numpy."""
    import subprocess

    def installed(pkg: str) -> bool:
        q = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True)
        return q.stdout.strip() == "install ok installed"

    missing = [p for p in ROS_APT if not installed(p)]
    if missing:
        env = {"DEBIAN_FRONTEND": "noninteractive"}
        session.run("apt-get", "update", "-q", external=True, env=env)
        session.run("apt-get", "install", "-y", "-q", "--no-install-recommends", *missing, external=True, env=env)
    venv = ROOT / ".nox" / "ros-system"
    py = str(venv / "bin" / "python")
    if not (venv / "bin" / "python").exists():
        session.run("/usr/bin/python3", "-m", "venv", "--system-site-packages", str(venv), external=True)
    session.run(
        py, "-m", "pip", "install", "-q", "numpy>=2", "./core", "./plugins/cpu", "./libs/dnf",
        "./integrations/ros[bag]", "pytest>=8", "pytest-timeout>=2", external=True,
    )  # fmt: skip
    session.run(
        py,
        "-c",
        "import numpy, rospy, caldera_ros, caldera.plugins as p; "
        "assert int(numpy.__version__.split('.')[0]) >= 2, ('Debian numpy wins', numpy.__file__); "
        "assert 'cpu' in p.backends(); print('numpy', numpy.__version__, 'rospy', rospy.__file__)",
        external=True,
    )
    session.run(py, "-m", "pytest", "tests/ros", "-q", *session.posargs, external=True)
