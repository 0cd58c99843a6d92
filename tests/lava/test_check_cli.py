"""``caldera lava check``: lists a script's lava.* names that caldera-lava does not provide (script not run)."""

from __future__ import annotations

import json

import pytest
from caldera import cli

SCRIPT = """\
import numpy as np
import lava.proc.lif.process
from lava.proc.lif.process import LIF
from lava.proc.dense.process import Dense
from lava.magma.core.run_configs import Loihi1HwCfg, Loihi2SimCfg
from lava.proc.spiker.process import Spiker32bit
from lava.proc import io

def later():
    from lava.proc.graded.process import loihi2round

raise SystemExit("the script must not run")
"""


def test_check_lists_unsupported_names(tmp_path, capsys) -> None:
    p = tmp_path / "script.py"
    p.write_text(SCRIPT)
    assert cli.main(["lava", "check", str(p)]) == 1
    out = capsys.readouterr().out
    assert "lava.magma.core.run_configs.Loihi1HwCfg" in out and "Loihi2HwCfg" in out
    assert "lava.proc.spiker.process.Spiker32bit" in out and "no CPU model" in out
    assert f"{p}:10: NOT lava.proc.graded.process.loihi2round" in out
    assert "NOT lava.proc.lif.process.LIF" not in out
    assert "8 lava name(s) imported, 3 not provided" in out


def test_check_json_and_all(tmp_path, capsys) -> None:
    p = tmp_path / "script.py"
    p.write_text(SCRIPT)
    assert cli.main(["lava", "check", "--json", str(p)]) == 1
    found = {f["lava_name"]: f for f in json.loads(capsys.readouterr().out)}
    assert found["lava.proc.lif.process.LIF"]["provided"]
    assert found["lava.proc.lif.process.LIF"]["detail"] == "caldera.procs.lif.LIF"
    assert found["lava.proc.io"]["provided"]
    assert not found["lava.magma.core.run_configs.Loihi1HwCfg"]["provided"]


def test_check_notebook_skips_ipython_syntax(tmp_path, capsys) -> None:
    nb = {
        "cells": [
            {"cell_type": "markdown", "source": ["from lava.nothing import X"]},
            {
                "cell_type": "code",
                "source": ["%matplotlib inline\n", "from lava.proc.lif.process import LIF\n", "LIF?"],
            },
        ]
    }
    p = tmp_path / "nb.ipynb"
    p.write_text(json.dumps(nb))
    assert cli.main(["lava", "check", str(p)]) == 0
    assert "1 lava name(s) imported, 0 not provided" in capsys.readouterr().out


def test_check_bad_arguments(tmp_path, capsys) -> None:
    assert cli.main(["lava", "check", str(tmp_path / "missing.py")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert cli.main(["lava"]) == 2


def test_coverage_command_is_the_readme_list(capsys) -> None:
    import importlib.util
    import pathlib

    if any(importlib.util.find_spec(m) is None for m in ("caldera_dnf", "caldera_optim", "caldera_dl")):
        pytest.skip("the README's list is made with caldera-dnf, caldera-optim and caldera-dl installed")
    assert cli.main(["lava", "coverage"]) == 0
    out = capsys.readouterr().out
    assert "| `lava.networks.network` | `NetworkList`, `Network`, `AlgebraicVector`, `AlgebraicMatrix` | — |" in out
    assert "- `lava.utils.slurm` (1 module): not supported: SLURM boards" in out
    assert "| `lava.proc.s4d.process` | `S4d`, `SigmaS4dDelta`, `SigmaS4dDeltaLayer` | — |" in out
    assert "| `lava.proc.clp.nsm.process` | `Readout`, `Allocator` | — |" in out
    readme = (pathlib.Path(__file__).parents[2] / "integrations/lava/README.md").read_text(encoding="utf-8")
    assert out in readme, "integrations/lava/README.md: paste the output of `caldera lava coverage` into the list"
