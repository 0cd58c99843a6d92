"""caldera-lava's import paths: Lava's names resolve to caldera's objects; the others fail loudly, naming the
Lava path and the caldera equivalent or why it is not supported."""

from __future__ import annotations

import importlib
import pkgutil

import caldera
import caldera.learning
import caldera.procs
import lava
import pytest
from lava._compat import LAVA_MODULES, lava_module_exists


def _our_modules() -> list[str]:
    return sorted(
        m.name for m in pkgutil.walk_packages(lava.__path__, "lava.") if not m.name.split(".")[-1].startswith("_")
    )


def _import_or_skip_missing_lib(name: str):
    try:
        return importlib.import_module(name)
    except ImportError as e:  # a lava.lib.* module whose caldera distribution is not installed
        assert "pip install caldera-" in str(e), str(e)
        pytest.skip(str(e))


@pytest.mark.parametrize("modname", _our_modules())
def test_every_module_is_a_lava_010_module(modname: str) -> None:
    assert lava_module_exists(modname), f"{modname} is not a Lava 0.10 import path"
    mod = _import_or_skip_missing_lib(modname)
    # what a module exports is a Lava name of that module
    extra = [n for n in getattr(mod, "__all__", []) if n not in LAVA_MODULES.get(modname, ())]
    assert not extra, f"{modname} exports names Lava 0.10's {modname} does not have: {extra}"


@pytest.mark.parametrize("modname", [m for m in _our_modules() if m in LAVA_MODULES])
def test_every_lava_name_resolves_or_says_why_not(modname: str) -> None:
    """Each public name of the Lava module is either provided or refused with a message naming it."""
    mod = _import_or_skip_missing_lib(modname)
    for name in LAVA_MODULES[modname]:
        try:
            getattr(mod, name)
        except AttributeError as e:
            msg = str(e)
            assert f"{modname}.{name}" in msg and "not provided by caldera-lava" in msg, msg
            assert len(msg) > len(f"{modname}.{name} (Lava 0.10) is not provided by caldera-lava: "), msg


def test_same_objects_as_caldera() -> None:
    from lava.magma.core.decorator import implements, requires, tag
    from lava.magma.core.model.py.model import PyLoihiProcessModel
    from lava.magma.core.process.process import AbstractProcess
    from lava.magma.core.process.variable import Var
    from lava.proc.dense.process import Dense, LearningDense
    from lava.proc.io.sink import RingBuffer as Sink
    from lava.proc.io.source import RingBuffer as Source
    from lava.proc.learning_rules.stdp_learning_rule import STDPLoihi
    from lava.proc.lif.models import PyLifModelBitAcc
    from lava.proc.lif.process import LIF

    assert AbstractProcess is caldera.Process and Var is caldera.Var
    assert PyLoihiProcessModel is caldera.PyLoihiProcessModel
    assert (implements, requires, tag) == (caldera.implements, caldera.requires, caldera.tag)
    assert LIF is caldera.procs.LIF and Dense is caldera.procs.Dense and LearningDense is caldera.procs.LearningDense
    assert Source is caldera.procs.RingBuffer and Sink is caldera.procs.RingBufferSink
    assert STDPLoihi is caldera.learning.STDPLoihi
    assert PyLifModelBitAcc.implements_process is LIF


def test_lava_name_caldera_lacks_raises_import_error_with_equivalent() -> None:
    with pytest.raises(ImportError) as ei:
        from lava.proc.sdn.models import ReLU  # noqa: F401
    msg = str(ei.value)
    assert "lava.proc.sdn.models.ReLU" in msg and "not provided by caldera-lava" in msg and "ActivationMode.RELU" in msg


def test_attribute_access_raises_attribute_error_and_hasattr_works() -> None:
    import lava.magma.core.run_configs as rc

    with pytest.raises(AttributeError, match=r"lava\.magma\.core\.run_configs\.Loihi1HwCfg.*Loihi2HwCfg"):
        rc.Loihi1HwCfg  # noqa: B018
    assert not hasattr(rc, "Loihi1HwCfg")
    assert hasattr(rc, "Loihi2SimCfg")


def test_a_name_lava_never_had_is_called_so() -> None:
    with pytest.raises(ImportError, match=r"lava\.proc\.lif\.process\.LIFF is not a name of Lava 0\.10's"):
        from lava.proc.lif.process import LIFF  # noqa: F401


def test_unsupported_lava_module_says_why() -> None:
    with pytest.raises(ModuleNotFoundError, match=r"lava\.utils\.slurm \(Lava 0\.10\) is not provided.*SLURM"):
        importlib.import_module("lava.utils.slurm")
    with pytest.raises(ModuleNotFoundError, match="not provided by caldera-lava"):
        from lava.magma.compiler.builders.py_builder import PyProcessBuilder  # noqa: F401


def test_a_module_lava_never_had() -> None:
    with pytest.raises(ModuleNotFoundError, match="not a module of Lava 0.10"):
        importlib.import_module("lava.proc.nonexistent")


def test_star_import_gives_the_lava_names() -> None:
    ns: dict = {}
    exec("from lava.proc.atrlif.process import *", ns)
    assert ns["ATRLIF"] is caldera.procs.ATRLIF
    assert "np" not in ns and "missing" not in ns


def test_proc_io_package_imports_its_modules() -> None:
    from lava.proc import io

    assert io.sink.RingBuffer is caldera.procs.RingBufferSink
    assert io.source.RingBuffer is caldera.procs.RingBuffer
