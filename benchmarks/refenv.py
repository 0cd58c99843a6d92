"""The reference systems' environments, created on demand in one cache folder.

The benchmarks compare caldera with systems that cannot share its interpreter:

- ``lava``: Lava 0.10 with lava-dnf 0.3 and lava-optimization 0.5 (W1, W3's MPC QP, W4). Lava 0.10 runs on
  Python 3.10 only, so this environment needs a Python 3.10 interpreter: pyenv's (``pyenv install 3.10``; its
  ``versions`` folder under ``pyenv root``, ``$PYENV_ROOT`` or ``~/.pyenv``, pyenv on PATH or not),
  ``python3.10`` on ``PATH``, or one that ``uv python find 3.10`` knows, in that order;
  ``CALDERA_PYTHON310=/path/to/python3.10`` names one explicitly.
- ``brian2``: Brian2 with its Cython code generation (W2), on the Python running this script.

(W3's Max-Cut reference, dwave-samplers, installs with pip into caldera's own environment.)

Each environment is a virtualenv ``<cache>/<name>`` where ``<cache>`` is ``$CALDERA_BENCH_CACHE``, else
``$XDG_CACHE_HOME/caldera-bench``, else ``~/.cache/caldera-bench``. It is created the first time it is
needed (a few minutes: pip downloads the packages) and reused afterwards; deleting the folder starts over.

``python benchmarks/refenv.py [lava] [brian2]`` creates them and prints their interpreters;
``--where`` only prints the cache folder.
"""

from __future__ import annotations

import glob
import os
import pathlib
import shutil
import subprocess
import sys

ENVS: dict[str, dict] = {
    "lava": {
        "python": "3.10",
        "packages": ["lava-nc==0.10.0", "lava-dnf==0.3.0", "lava-optimization==0.5.0"],
        "check": "import lava.magma.core.run_configs, lava.lib.dnf.connect.connect, lava.lib.optimization",
        "what": "Lava 0.10 + lava-dnf 0.3 + lava-optimization 0.5",
    },
    "brian2": {
        "python": None,  # the interpreter running the benchmarks
        "packages": ["brian2", "numpy<2.3", "cython"],
        "check": "import brian2",
        "what": "Brian2 (cython target)",
    },
}


class RefEnvError(RuntimeError):
    """A reference environment cannot be created; the message says what is missing."""


def cache_dir() -> pathlib.Path:
    given = os.environ.get("CALDERA_BENCH_CACHE")
    if given:
        return pathlib.Path(given).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(pathlib.Path.home() / ".cache")
    return pathlib.Path(base) / "caldera-bench"


def venv_dir(name: str) -> pathlib.Path:
    if name not in ENVS:
        raise RefEnvError(f"unknown reference environment {name!r}; known: {', '.join(ENVS)}")
    return cache_dir() / name


def python(name: str) -> pathlib.Path:
    """Where the environment's interpreter is (whether or not it exists yet)."""
    return venv_dir(name) / "bin" / "python"


def _ok(py: str | os.PathLike, code: str) -> bool:
    try:
        return subprocess.run([str(py), "-c", code], capture_output=True, timeout=600).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _version_key(p: str) -> list[int]:
    return [int(x) if x.isdigit() else 0 for x in pathlib.Path(p).parent.parent.name.split(".")]


def find_python(version: str) -> str | None:
    """An interpreter of ``version`` (e.g. "3.10"): $CALDERA_PYTHON310, pyenv, PATH, then uv."""
    want = tuple(int(x) for x in version.split("."))
    probe = f"import sys, venv; assert sys.version_info[:2] == {want!r}"
    candidates: list[str] = []
    explicit = os.environ.get("CALDERA_PYTHON" + version.replace(".", ""))
    if explicit:
        candidates.append(explicit)
    roots: list[str] = []
    pyenv = shutil.which("pyenv")
    if pyenv:
        try:
            roots.append(subprocess.run([pyenv, "root"], capture_output=True, text=True, timeout=30).stdout.strip())
        except (OSError, subprocess.TimeoutExpired):
            pass
    # pyenv's versions also when pyenv itself is not on PATH (a non-interactive shell, CI)
    roots += [os.environ.get("PYENV_ROOT", ""), str(pathlib.Path.home() / ".pyenv")]
    for root in dict.fromkeys(r for r in roots if r):
        found = glob.glob(os.path.join(root, "versions", f"{version}.*", "bin", "python"))
        candidates += sorted(found, key=_version_key, reverse=True)
    on_path = shutil.which(f"python{version}")
    if on_path:
        candidates.append(on_path)
    uv = shutil.which("uv")
    if uv:
        try:
            r = subprocess.run([uv, "python", "find", version], capture_output=True, text=True, timeout=60)
            if r.returncode == 0 and r.stdout.strip():
                candidates.append(r.stdout.strip())
        except (OSError, subprocess.TimeoutExpired):
            pass
    for c in candidates:
        if _ok(c, probe):
            return c
    return None


def ensure(name: str, log=print) -> pathlib.Path:
    """The interpreter of environment ``name``, created first if missing or broken; RefEnvError if impossible."""
    spec = ENVS.get(name)
    if spec is None:
        raise RefEnvError(f"unknown reference environment {name!r}; known: {', '.join(ENVS)}")
    py = python(name)
    if py.exists() and _ok(py, spec["check"]):
        return py
    base = sys.executable if spec["python"] is None else find_python(spec["python"])
    if base is None:
        raise RefEnvError(
            f"{spec['what']} needs Python {spec['python']}, and none was found (looked at $CALDERA_PYTHON"
            f"{spec['python'].replace('.', '')}, pyenv's versions/{spec['python']}.*, python{spec['python']} on PATH "
            f"and `uv python find {spec['python']}`). Install one, e.g. `pyenv install {spec['python']}` or "
            f"`uv python install {spec['python']}`, or set CALDERA_PYTHON{spec['python'].replace('.', '')}"
        )
    where = venv_dir(name)
    log(f"[refenv] creating {where} ({spec['what']}) from {base}; pip install {' '.join(spec['packages'])} (once)")
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        if not py.exists():
            subprocess.run([base, "-m", "venv", str(where)], check=True, capture_output=True, text=True, timeout=600)
        r = subprocess.run(
            [str(py), "-m", "pip", "install", "--disable-pip-version-check", "-q", *spec["packages"]],
            capture_output=True,
            text=True,
            timeout=3600,
        )
    except subprocess.CalledProcessError as e:
        raise RefEnvError(f"could not create {where} with {base}: {(e.stderr or e.stdout or '').strip()[-400:]}") from e
    except (OSError, subprocess.SubprocessError) as e:
        raise RefEnvError(f"could not create {where} with {base}: {e}") from e
    if r.returncode != 0:
        tail = " | ".join((r.stderr or r.stdout).strip().splitlines()[-4:])
        raise RefEnvError(f"pip install {' '.join(spec['packages'])} into {where} failed: {tail}")
    if not _ok(py, spec["check"]):
        raise RefEnvError(f"{where} was created but `{spec['check']}` fails there")
    return py


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if "--where" in args:
        print(cache_dir())
        return 0
    names = args or list(ENVS)
    status = 0
    for n in names:
        try:
            print(f"{n}: {ensure(n)}")
        except RefEnvError as e:
            print(f"{n}: {e}", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
