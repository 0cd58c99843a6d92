"""Plugins load without heavy imports; entry points are read without importlib.metadata, correctly."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from caldera import entry_points, lazy, plugins
from caldera.hookspecs import hookimpl


def test_entry_points_match_importlib_metadata():
    """The direct reader finds exactly what importlib.metadata finds for the ``caldera`` group."""
    fast = sorted(entry_points.entry_points("caldera"))
    slow = sorted(entry_points.entry_points_via_metadata("caldera"))
    assert fast == slow
    assert any(name == "cpu" for name, *_ in fast)


def test_parse_entry_points_sections_comments_and_extras():
    text = textwrap.dedent(
        """
        # a comment
        [console_scripts]
        caldera = caldera.cli:main

        [caldera]
        cpu = caldera_cpu.plugin
        ; another comment
        extra = pkg.mod:obj.attr [fast]
        [other]
        x = y
        """
    )
    assert entry_points.parse_entry_points(text, "caldera") == [
        ("cpu", "caldera_cpu.plugin"),
        ("extra", "pkg.mod:obj.attr"),
    ]
    assert entry_points.parse_entry_points(text, "missing") == []


def test_name_and_version_from_metadata_or_folder(tmp_path):
    info = tmp_path / "my_plugin-1.2.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: my-plugin\nVersion: 1.2.3\n\nName: not-this\n")
    assert entry_points.name_and_version(str(info), info.name) == ("my-plugin", "1.2.3")
    bare = tmp_path / "other-0.9.dist-info"
    bare.mkdir()
    assert entry_points.name_and_version(str(bare), bare.name) == ("other", "0.9")


def test_lazy_module_imports_on_first_attribute():
    mod = lazy.lazy_module("json")  # already imported: the module itself
    assert mod is json
    stand_in = lazy.lazy_module("xml.dom.minidom") if "xml.dom.minidom" not in sys.modules else None
    if stand_in is not None:
        assert "xml.dom.minidom" not in sys.modules
        assert callable(stand_in.parseString)
        assert "xml.dom.minidom" in sys.modules
    missing = lazy.lazy_module("caldera_no_such_module_xyz")
    with pytest.raises(ModuleNotFoundError):
        missing.anything  # noqa: B018 - the failure comes at first use


def test_is_sparse_tells_scipy_matrices_without_importing_scipy():
    from caldera.variable import is_sparse

    sp = pytest.importorskip("scipy.sparse")
    assert is_sparse(sp.csr_matrix((2, 2))) and is_sparse(sp.coo_array((2, 2)))
    assert not is_sparse([[1, 0]]) and not is_sparse(np.zeros((2, 2)))


def test_compiling_a_dense_network_does_not_import_scipy():
    """A LIF -> Dense -> LIF network compiles and runs with every installed plugin loaded, scipy untouched."""
    code = textwrap.dedent(
        """
        import sys, caldera
        from caldera.procs import LIF, Dense
        a = LIF(shape=(3,), bias_mant=100, vth=10)
        d = Dense(weights=[[1, 2, 3]] * 3)
        b = LIF(shape=(3,), vth=10)
        a.s_out.connect(d.s_in); d.a_out.connect(b.a_in)
        a.run(condition=caldera.RunSteps(num_steps=3), run_cfg=caldera.RunConfig(backend="cpu", tag="fixed_pt"))
        a.stop()
        from caldera import plugins
        print(sorted(plugins.distributions()), "scipy.sparse" in sys.modules, "importlib.metadata" in sys.modules)
        other = ("caldera_cython.models", "caldera_loihi.models", "caldera_optim.models", "caldera_dnf.models")
        print("MODELS", [m for m in other if m in sys.modules])
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    first, second = out.stdout.strip().splitlines()
    assert second == "MODELS []"  # no other plugin imported its models for a cpu network of LIF and Dense
    loaded, scipy_loaded, metadata_loaded = first.rsplit(" ", 2)
    assert "cpu" in loaded
    assert scipy_loaded == "False"
    assert metadata_loaded == "False"


class _Lazy:
    """A test plugin: models for one process class and one backend, counted when it is asked."""

    def __init__(self, model):
        self.model, self.asked = model, []

    @hookimpl
    def caldera_process_models(self, process_class, backend):
        self.asked.append((process_class, backend))
        if process_class is not None and (process_class is not self.model.implements_process or backend != "cpu"):
            return []
        return [self.model]


def test_process_models_asks_with_the_request_and_keeps_answers():
    from caldera.model import PyLoihiProcessModel, implements
    from caldera.process import Process

    class Thing(Process):
        pass

    class Other(Process):
        pass

    @implements(proc=Thing)
    class ThingModel(PyLoihiProcessModel):
        pass

    plugin = _Lazy(ThingModel)
    plugins.register(plugin, name="lazy-test")
    try:
        assert not [m for _, m in plugins.process_models(Other, "cpu") if m is ThingModel]
        assert not [m for _, m in plugins.process_models(Other, "cpu") if m is ThingModel]
        assert plugin.asked == [(Other, "cpu")]  # a declined request is remembered
        assert ("lazy-test", ThingModel) in plugins.process_models(Thing, "cpu")
        assert ("lazy-test", ThingModel) in plugins.process_models(Other, "loihi")  # kept once returned
        assert len(plugin.asked) == 2
        assert ("lazy-test", ThingModel) in plugins.process_models()
    finally:
        plugins.unregister(plugin)
    assert all(m is not ThingModel for _, m in plugins.process_models())
