"""Fixtures of the caldera-dl tests: lava-dl 0.6.0's netx test networks with their ground truth.

The wheel (about 70 MB) is downloaded once with pip into a cache outside the
repository (``$CALDERA_CACHE``, default ``~/.cache/caldera``) and its netx test
folder unpacked there; tests that need it are skipped, with the reason, only
when the package registry cannot be reached.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import zipfile

import pytest

WHEEL = "lava_dl-0.6.0-py3-none-any.whl"
PREFIX = "tests/lava/lib/dl/netx/"


def cache_dir() -> pathlib.Path:
    return pathlib.Path(os.environ.get("CALDERA_CACHE", pathlib.Path.home() / ".cache" / "caldera")) / "lava-dl"


def _fetch() -> pathlib.Path | str:
    root = cache_dir()
    target = root / "netx"
    if (target / "gts" / "pilotnet_sdnn" / "output.npy").exists():
        return target
    root.mkdir(parents=True, exist_ok=True)
    wheel = root / WHEEL
    if not wheel.exists():
        cmd = [sys.executable, "-m", "pip", "download", "lava-dl==0.6.0", "--no-deps", "--python-version", "3.10"]
        cmd += ["--only-binary=:all:", "--disable-pip-version-check", "-q", "-d", str(root)]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        if res.returncode != 0 or not wheel.exists():
            return f"could not download lava-dl 0.6.0 from the package registry: {res.stderr.strip()[-300:]}"
    tmp = root / "netx.partial"
    with zipfile.ZipFile(wheel) as z:
        for name in z.namelist():
            if name.startswith(PREFIX) and not name.endswith("/"):
                dest = tmp / name[len(PREFIX) :]
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(z.read(name))
    tmp.rename(target)
    return target


@pytest.fixture(scope="session")
def netx_fixtures() -> pathlib.Path:
    """The folder holding lava-dl's ``tiny.net``, ``mnist.net`` and ``gts/...`` ground truth."""
    got = _fetch()
    if isinstance(got, str):
        pytest.skip(got)
    return got
