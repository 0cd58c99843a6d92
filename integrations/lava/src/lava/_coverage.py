"""The coverage table of caldera-lava (``caldera lava coverage``; the README's *What is covered* lists it):
each Lava 0.10 module that is provided with its names provided or refused (and why), then the Lava modules
that are not provided, grouped by the reason recorded in ``lava._compat.MODULE_HINTS``."""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys

from lava._compat import LAVA_MODULES, MODULE_HINTS, lava_module_exists, module_hint


def _strip(hint: str | None) -> str:
    return re.sub(r"^not supported: ", "", hint or "not supported")


def provided_modules() -> list[str]:
    """The ``lava.*`` modules this package provides (those whose optional caldera distribution is missing
    are left out, as they do not import)."""
    import lava

    out = []
    for info in pkgutil.walk_packages(lava.__path__, "lava."):
        if info.name.split(".")[-1].startswith("_"):
            continue
        try:
            importlib.import_module(info.name)
        except ImportError:
            continue
        out.append(info.name)
    return out


def _refusal(module: str, name: str, error: Exception, hints: dict) -> str:
    hint = hints.get(name)
    if hint is None:
        sub = f"{module}.{name}"
        hint = module_hint(sub) if lava_module_exists(sub) else None
    if hint is None:
        msg = str(error)
        hint = msg.split("not provided by caldera-lava: ", 1)[-1] if "caldera-lava" in msg else msg
    return _strip(hint)


def coverage_markdown() -> str:
    """The table and the list, as Markdown."""
    provided = provided_modules()
    lines = [
        "| Lava module | provided (→ caldera) | not provided: why / caldera equivalent |",
        "|---|---|---|",
    ]
    for mod in sorted(m for m in provided if m in LAVA_MODULES):
        m = sys.modules[mod]
        hints = getattr(getattr(m, "__getattr__", None), "hints", None) or {}
        ok, no = [], []
        for name in LAVA_MODULES[mod]:
            try:
                getattr(m, name)
                ok.append(f"`{name}`")
            except (AttributeError, ImportError) as e:
                no.append(f"`{name}`: {_refusal(mod, name, e, hints)}")
        lines.append(f"| `{mod}` | {', '.join(ok) or '—'} | {'; '.join(no) or '—'} |")
    lines += ["", "Lava modules not provided at all (importing them raises an ImportError that says why):", ""]
    groups: dict[str | None, list[str]] = {}
    done = set(provided)
    for mod in LAVA_MODULES:
        if mod in done:
            continue
        parts = mod.split(".")
        key = next((".".join(parts[:i]) for i in range(len(parts), 0, -1) if ".".join(parts[:i]) in MODULE_HINTS), None)
        groups.setdefault(key, []).append(mod)
    for key in sorted(groups, key=lambda k: (k is None, k or "")):
        mods = groups[key]
        if key is None:
            lines += [f"- `{m}`: not supported" for m in sorted(mods)]
            continue
        star = ".*" if any(m != key for m in mods) else ""
        plural = "s" if len(mods) != 1 else ""
        lines.append(f"- `{key}`{star} ({len(mods)} module{plural}): {MODULE_HINTS[key]}")
    return "\n".join(lines) + "\n"


__all__ = ["coverage_markdown", "provided_modules"]
