"""caldera-dnf registers its models through its own entry point and imports no backend plugin."""

from __future__ import annotations

import subprocess
import sys

from caldera.plugins import get_plugin_manager
from caldera_dnf.models import PyGaussPatternModel, PyRateCodeSpikeGenModel


def test_models_registered_through_entry_point():
    pm = get_plugin_manager()
    models = [m for ms in pm.hook.caldera_process_models() for m in ms]
    assert PyGaussPatternModel in models and PyRateCodeSpikeGenModel in models


def test_library_imports_no_backend():
    code = (
        "import sys, caldera_dnf, caldera_dnf.plot, caldera_dnf.models; "
        "print([m for m in sys.modules if m.startswith('caldera_cpu')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
