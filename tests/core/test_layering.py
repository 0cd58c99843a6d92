"""The rooms of the repository and what each may import (ARCHITECTURE.md), checked on the sources.

Every ``import`` statement counts, also those inside functions: an import
deferred into a function is still a dependency.
"""

from __future__ import annotations

import ast
import pathlib
import tomllib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
DIST_FOLDERS = sorted(p.parent for p in ROOT.glob("*/*/pyproject.toml")) + [ROOT / "core"]


def _dist(folder: pathlib.Path) -> dict:
    meta = tomllib.loads((folder / "pyproject.toml").read_text())["project"]
    reqs = [d.split(";")[0].replace(" ", "") for d in meta.get("dependencies", [])]
    deps = {
        d.split(";")[0].split("[")[0].split("=")[0].split(">")[0].split("<")[0].strip()
        for d in meta.get("dependencies", [])
    }
    src = folder / "src"
    packages = sorted(p.name for p in src.iterdir() if (p / "__init__.py").exists()) if src.is_dir() else []
    return {
        "name": meta["name"],
        "version": meta.get("version"),
        "deps": deps,
        "reqs": reqs,
        "folder": folder,
        "src": src,
        "packages": packages,
    }


DISTS = [_dist(f) for f in DIST_FOLDERS if (f / "pyproject.toml").exists()]
OWNER = {pkg: d["name"] for d in DISTS for pkg in d["packages"]}


def _modules(src: pathlib.Path) -> dict[str, set[str]]:
    """module name -> the absolute module names it imports (``from a import b`` counts as ``a`` and ``a.b``)."""
    out = {}
    for f in sorted(src.rglob("*.py")):
        name = ".".join(f.relative_to(src).with_suffix("").parts).removesuffix(".__init__")
        names: set[str] = set()
        for node in ast.walk(ast.parse(f.read_text(), str(f))):
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module)
                names |= {f"{node.module}.{a.name}" for a in node.names}
        out[name] = names
    return out


CORE = _modules(ROOT / "core" / "src")


def _imports_of(prefixes: tuple[str, ...]) -> dict[str, set[str]]:
    return {m: i for m, i in CORE.items() if any(m == p or m.startswith(p + ".") for p in prefixes)}


def _hits(imports: set[str], banned: tuple[str, ...]) -> list[str]:
    return sorted(i for i in imports if any(i == b or i.startswith(b + ".") for b in banned))


@pytest.mark.parametrize("dist", DISTS, ids=lambda d: d["name"])
def test_a_distribution_imports_only_what_it_declares(dist):
    """The core imports no plugin or library; a plugin or library imports only distributions it depends on."""
    bad = []
    for mod, imports in _modules(dist["src"]).items():
        for imp in imports:
            owner = OWNER.get(imp.split(".")[0])
            if owner is not None and owner != dist["name"] and owner not in dist["deps"]:
                bad.append(f"{mod} imports {imp} ({owner} is not a dependency of {dist['name']})")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("dist", [d for d in DISTS if d["folder"].parent.name == "plugins"], ids=lambda d: d["name"])
def test_a_backend_pins_the_distributions_of_its_release(dist):
    """A backend builds on the core's (and caldera-cpu's) internals: it requires exactly the versions it was
    released with, so that a newer core never meets an older backend."""
    versions = {d["name"]: d["version"] for d in DISTS}
    ours = [r for r in dist["reqs"] if r.split("=")[0].split(">")[0].split("<")[0] in versions]
    assert ours, f"{dist['name']} requires no distribution of this repository"
    for req in ours:
        name = req.split("=")[0].split(">")[0].split("<")[0]
        assert req == f"{name}=={versions[name]}", f"{dist['name']}: {req!r} should be {name}=={versions[name]}"


# The process descriptions (what a user writes and the standard processes) know nothing of execution.
DESCRIPTION = (
    "caldera.errors",
    "caldera.variable",
    "caldera.ports",
    "caldera.process",
    "caldera.run_conditions",
    "caldera.run_config",
    "caldera.protocols",
    "caldera.resources",
    "caldera.sync_domain",
    "caldera.model",
    "caldera.declarations",
    "caldera.arith",
    "caldera.kernels",
    "caldera.validation",
    "caldera.procs",
    "caldera.learning",
)
EXECUTION = (
    "caldera.compiler",
    "caldera.runtime",
    "caldera.executor",
    "caldera.parallel",
    "caldera.channels",
    "caldera.watchdog",
    "caldera.serialization",
    "caldera.plugins",
)


def test_descriptions_do_not_import_execution():
    bad = {m: _hits(i, EXECUTION) for m, i in _imports_of(DESCRIPTION).items()}
    assert not {m: h for m, h in bad.items() if h}


def test_the_arithmetic_imports_only_what_it_computes_with():
    allowed = ("caldera.arith", "caldera.errors", "caldera.variable", "caldera.process")  # process: type hints
    bad = {
        m: [i for i in imports if i.startswith("caldera.") and not _hits({i}, allowed)]
        for m, imports in _imports_of(("caldera.arith", "caldera.kernels", "caldera.validation")).items()
    }
    assert not {m: h for m, h in bad.items() if h}


def test_the_compiler_does_not_import_the_runtime_or_executors():
    bad = {
        m: _hits(i, ("caldera.runtime", "caldera.executor", "caldera.parallel", "caldera.serialization"))
        for m, i in _imports_of(("caldera.compiler",)).items()
    }
    assert not {m: h for m, h in bad.items() if h}


def test_executors_do_not_import_the_runtime():
    bad = {
        m: _hits(i, ("caldera.runtime", "caldera.serialization"))
        for m, i in _imports_of(("caldera.executor", "caldera.parallel", "caldera.channels")).items()
    }
    assert not {m: h for m, h in bad.items() if h}


def test_every_rule_sees_modules():
    """The rules above would pass vacuously if the module lists went stale."""
    assert len(_imports_of(DESCRIPTION)) >= 20
    assert len(_imports_of(("caldera.compiler",))) >= 8
    assert {"caldera.runtime", "caldera.executor", "caldera.parallel"} <= set(CORE)
    assert {"caldera_cpu", "caldera_loihi"} <= set(OWNER)


def test_backends_share_the_core_not_each_other():
    """A backend's models take their fields, checks and parameters from the core (caldera.declarations,
    caldera.kernels), never from another backend's models: of caldera_cpu the cython backend uses only the
    public rule caldera_cpu.plugin.accepts, and the loihi backend nothing."""
    allowed = {"caldera_cpu.plugin", "caldera_cpu.plugin.accepts"}
    cython = _modules(ROOT / "plugins" / "cython" / "src")
    loihi = _modules(ROOT / "plugins" / "loihi" / "src")
    assert cython and loihi
    bad = {m: sorted(i for i in imps if i.startswith("caldera_cpu") and i not in allowed) for m, imps in cython.items()}
    bad |= {m: sorted(i for i in imps if i.startswith(("caldera_cpu", "caldera_cython"))) for m, imps in loihi.items()}
    assert not {m: h for m, h in bad.items() if h}
