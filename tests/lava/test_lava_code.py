"""Two of Lava's behaviours that caldera-lava follows for Lava code only (modules that import ``lava``):
unknown keyword arguments of processes are kept in ``proc_params``, and process models kept in the
other modules of a process's package (``process.py`` + ``models.py``) are found without an import."""

from __future__ import annotations

import importlib
import sys
import textwrap
import uuid
import warnings

import numpy as np
import pytest
from caldera.errors import NoModelError
from lava._lavacode import LavaCompatibilityWarning, file_imports_lava
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var
from lava.magma.core.run_conditions import RunSteps
from lava.magma.core.run_configs import Loihi1SimCfg, Loihi2SimCfg
from lava.proc.dense.process import Dense
from lava.proc.lif.process import LIF


# -- unknown keyword arguments -------------------------------------------------------------------
def test_unknown_keyword_arguments_are_kept_in_proc_params_with_a_warning() -> None:
    with pytest.warns(LavaCompatibilityWarning, match=r"LIF: keyword argument\(s\) 'vht' are not parameters") as rec:
        lif = LIF(shape=(2,), du=0.5, vht=3, bias_mant=1.0)
    assert rec[0].filename == __file__  # the warning points at the line that made the process
    assert lif.proc_params["vht"] == 3 and lif.proc_params["du"] == 0.5
    assert lif.vth.get().tolist() == [10]  # ignored otherwise: vth keeps its default
    with pytest.warns(LavaCompatibilityWarning, match=r"Dense: .*'sign_mode_typo', 'extra'"):
        dense = Dense(weights=np.eye(2), sign_mode_typo=1, extra="x")
    assert dense.proc_params["extra"] == "x"
    lif.run(condition=RunSteps(num_steps=2), run_cfg=Loihi2SimCfg())
    np.testing.assert_allclose(lif.v.get(), [2.0, 2.0])  # dv=0: the bias adds up, 1 + 1
    lif.stop()


def test_unknown_keyword_arguments_reach_a_user_model_through_a_subclass() -> None:
    class MyLIF(LIF):  # no __init__ of its own: LIF's takes the arguments
        pass

    class TaggedLIF(LIF):
        def __init__(self, **kwargs) -> None:
            super().__init__(**kwargs)
            self.marker = Var(shape=(1,), init=self.proc_params.get("marker", 0))

    with pytest.warns(LavaCompatibilityWarning, match="'gain'"):
        a = MyLIF(shape=(1,), gain=4)
    assert a.proc_params["gain"] == 4
    with pytest.warns(LavaCompatibilityWarning, match="'marker'"):
        b = TaggedLIF(shape=(1,), marker=7)
    assert b.marker.get().tolist() == [7] and b.proc_params["marker"] == 7


def test_caldera_code_keeps_its_type_error(tmp_path, monkeypatch) -> None:
    name = f"native_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text(
        textwrap.dedent(
            """
            from caldera.procs import LIF

            def make():
                return LIF(shape=(2,), vht=3)
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    mod = importlib.import_module(name)
    with pytest.raises(TypeError, match=r"LIF: unknown keyword argument\(s\) 'vht'; allowed: shape"):
        mod.make()
    assert not file_imports_lava(mod.__file__)


# -- default process names ---------------------------------------------------------------------------
def test_processes_made_by_lava_code_are_named_as_lava_names_them() -> None:
    from lava.proc.monitor.process import Monitor

    class Mine(AbstractProcess):  # a user's process made by Lava code
        def __init__(self, **kwargs) -> None:
            super().__init__(**kwargs)
            self.x = Var(shape=(1,), init=0)

    lif = LIF(shape=(2,), bias_mant=np.array([0.25, 0.5]), vth=10.0)
    mine, named = Mine(), LIF(shape=(1,), name="input")
    monitor = Monitor()
    assert lif.name == f"Process_{lif.id}" and mine.name == f"Process_{mine.id}"
    assert named.name == "input" and monitor.name == f"Process_{monitor.id}"
    monitor.probe(lif.v, 3)
    lif.run(condition=RunSteps(num_steps=3), run_cfg=Loihi1SimCfg())
    data = monitor.get_data()  # a Lava script looks its traces up under Lava's names
    lif.stop()
    assert list(data) == [f"Process_{lif.id}"]
    np.testing.assert_allclose(data[f"Process_{lif.id}"]["v"][:, :], [[0.25, 0.5], [0.5, 1.0], [0.75, 1.5]])


def test_caldera_code_keeps_caldera_names_in_the_same_interpreter(tmp_path, monkeypatch) -> None:
    name = f"native_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text("from caldera.procs import LIF\n\ndef make():\n    return LIF(shape=(2,))\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    lif = importlib.import_module(name).make()
    assert lif.name == f"LIF_{lif.id}"


# -- models in the other modules of a process's package --------------------------------------------
_PROCESS = """
{imp}

class Counter(AbstractProcess):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.count = Var(shape=kwargs.get("shape", (1,)), init=0)
"""
_MODELS = """
import numpy as np
{imp}
from {pkg}.process import Counter


@implements(proc=Counter, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyCounterFloat(PyLoihiProcessModel):
    count: np.ndarray = LavaPyType(np.ndarray, int)

    def run_spk(self):
        self.count += {step}


@implements(proc=Counter, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyCounterFixed(PyLoihiProcessModel):
    count: np.ndarray = LavaPyType(np.ndarray, int)

    def run_spk(self):
        self.count += {step} * 10
"""
_LAVA_PROC = (
    "from lava.magma.core.process.process import AbstractProcess\nfrom lava.magma.core.process.variable import Var"
)
_LAVA_MODEL = """from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol"""
_CALDERA_PROC = "from caldera import Process as AbstractProcess, Var"
_CALDERA_MODEL = """from caldera import implements, requires, tag, PyLoihiProcessModel, LavaPyType, LoihiProtocol
from caldera.resources import CPU"""


def _package(tmp_path, monkeypatch, proc_imp: str, model_imp: str, extra: dict | None = None) -> str:
    pkg = f"lavapkg_{uuid.uuid4().hex[:8]}"
    d = tmp_path / pkg
    d.mkdir()
    (d / "__init__.py").write_text("")
    (d / "process.py").write_text(_PROCESS.format(imp=proc_imp))
    (d / "models.py").write_text(_MODELS.format(imp=model_imp, pkg=pkg, step=1))
    for fname, text in (extra or {}).items():
        (d / fname).write_text(text.format(imp=model_imp, pkg=pkg, step=100))
    monkeypatch.syspath_prepend(str(tmp_path))
    return pkg


def test_models_in_a_sibling_module_are_found_as_lava_finds_them(tmp_path, monkeypatch) -> None:
    pkg = _package(tmp_path, monkeypatch, _LAVA_PROC, _LAVA_MODEL)
    Counter = importlib.import_module(f"{pkg}.process").Counter
    assert f"{pkg}.models" not in sys.modules  # nothing imported it
    c = Counter(shape=(2,))
    c.run(condition=RunSteps(num_steps=3), run_cfg=Loihi1SimCfg())
    assert c.count.get().tolist() == [3, 3]
    c.stop()
    c = Counter(shape=(1,))
    c.run(condition=RunSteps(num_steps=2), run_cfg=Loihi2SimCfg(select_tag="fixed_pt"))
    assert c.count.get().tolist() == [20]  # the fixed_pt model of models.py
    c.stop()


def test_a_sibling_module_that_fails_to_import_is_skipped_with_a_warning(tmp_path, monkeypatch) -> None:
    pkg = _package(tmp_path, monkeypatch, _LAVA_PROC, _LAVA_MODEL, {"broken.py": "raise RuntimeError('boom')\n"})
    Counter = importlib.import_module(f"{pkg}.process").Counter
    c = Counter()
    with pytest.warns(LavaCompatibilityWarning, match=rf"cannot import module '{pkg}.broken'.*RuntimeError: boom"):
        c.run(condition=RunSteps(num_steps=1), run_cfg=Loihi1SimCfg())
    assert c.count.get().tolist() == [1]
    c.stop()
    # fixed in place: the next compile tries it again (as Lava does), without a warning
    (tmp_path / pkg / "broken.py").write_text("FIXED = True\n")
    c = Counter()
    with warnings.catch_warnings():
        warnings.simplefilter("error", LavaCompatibilityWarning)
        c.run(condition=RunSteps(num_steps=2), run_cfg=Loihi1SimCfg())
    assert sys.modules[f"{pkg}.broken"].FIXED and c.count.get().tolist() == [2]
    c.stop()


def test_caldera_packages_are_not_scanned(tmp_path, monkeypatch) -> None:
    pkg = _package(tmp_path, monkeypatch, _CALDERA_PROC, _CALDERA_MODEL)
    Counter = importlib.import_module(f"{pkg}.process").Counter
    with pytest.raises(NoModelError, match="no process model implements Counter"):
        Counter().run(condition=RunSteps(num_steps=1), run_cfg=Loihi1SimCfg())
    assert f"{pkg}.models" not in sys.modules


def test_a_process_defined_in_lava_code_without_a_package_finds_models_in_its_module_only() -> None:
    class Lonely(AbstractProcess):  # this test module: models only where Lava would look (the module)
        def __init__(self, **kwargs) -> None:
            super().__init__(**kwargs)
            self.x = Var(shape=(1,), init=0)

    with pytest.raises(NoModelError, match="Lonely"):
        Lonely().run(condition=RunSteps(num_steps=1), run_cfg=Loihi1SimCfg())
