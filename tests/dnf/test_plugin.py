"""caldera-dnf registers its models through its own entry point and imports no backend plugin."""

from __future__ import annotations

import subprocess
import sys

from caldera.plugins import get_plugin_manager
from caldera_dnf.models import PyGaussPatternModel, PyRateCodeSpikeGenModel


def test_models_registered_through_entry_point():
    pm = get_plugin_manager()
    models = [m for ms in pm.hook.caldera_process_models(process_class=None, backend=None) for m in ms]
    assert PyGaussPatternModel in models and PyRateCodeSpikeGenModel in models


def test_models_offered_only_for_its_own_processes():
    """Asked for a model of another library's process, the plugin returns none (and imports none)."""
    from caldera.procs import LIF
    from caldera_dnf.inputs import GaussPattern

    pm = get_plugin_manager()
    dnf = pm.get_plugin("dnf")
    assert dnf.caldera_process_models(process_class=LIF) == []

    class MyPattern(GaussPattern):  # a user's subclass still counts as the library's
        pass

    assert PyGaussPatternModel in dnf.caldera_process_models(process_class=MyPattern)


def test_library_imports_no_backend():
    code = (
        "import sys, caldera_dnf, caldera_dnf.plot, caldera_dnf.models; "
        "print([m for m in sys.modules if m.startswith('caldera_cpu')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
