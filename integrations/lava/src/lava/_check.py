"""``caldera lava check SCRIPT...``: which of a Lava script's ``lava.*`` names caldera-lava provides.

The script is *parsed*, never run: every ``import lava...`` and ``from lava... import ...`` (also
inside functions, and in the code cells of a Jupyter notebook) is resolved against caldera-lava. Each
name is reported as provided (with the caldera object behind it) or not, with the caldera equivalent
or the reason. The exit status is 0 when every name is provided, 1 otherwise, 2 on a bad argument.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import importlib
import json
import pathlib
import sys
import typing as ty

from lava._compat import module_message, name_message


@dataclasses.dataclass
class Finding:
    file: str
    line: int
    lava_name: str  # "lava.proc.lif.process.LIF" or a module path
    provided: bool
    detail: str  # the caldera object behind it, or why not / the equivalent


def _ipython_only(line: str) -> bool:
    s = line.strip()
    return s.startswith(("%", "!")) or (s.endswith("?") and s.rstrip("?").replace(".", "").isidentifier())


def _sources(path: pathlib.Path) -> list[tuple[str, int, str]]:
    """(file, first line, code) pieces of a .py file or of a notebook's code cells."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        nb = json.loads(text)
        out = []
        for i, cell in enumerate(nb.get("cells", [])):
            if cell.get("cell_type") == "code":
                src = cell.get("source", "")
                src = "".join(src) if isinstance(src, list) else src
                # IPython magics, shell escapes and `name?` help requests are not Python
                src = "\n".join("" if _ipython_only(ln) else ln for ln in src.splitlines())
                out.append((f"{path}[cell {i}]", 1, src))
        return out
    return [(str(path), 1, text)]


def _imports(code: str) -> ty.Iterator[tuple[int, str, str | None]]:
    """(line, module, name or None) for every import of a ``lava`` module in ``code``."""
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name == "lava" or a.name.startswith("lava."):
                    yield node.lineno, a.name, None
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "lava" or node.module.startswith("lava."):
                for a in node.names:
                    yield node.lineno, node.module, a.name


def _describe(obj: ty.Any) -> str:
    mod = getattr(obj, "__module__", None)
    qual = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if isinstance(obj, type(sys)):
        return f"module {obj.__name__}"
    if mod and qual:
        return f"{mod}.{qual}"
    return type(obj).__name__


def check_name(module: str, name: str | None) -> tuple[bool, str]:
    """Whether ``module`` (and ``name`` in it) is provided, and the caldera object or the reason."""
    try:
        mod = importlib.import_module(module)
    except ImportError as e:
        return False, str(e) or module_message(module)
    if name is None:
        return True, f"module {module}"
    if name == "*":
        return True, f"the names of {module}: {', '.join(getattr(mod, '__all__', [])) or '-'}"
    try:
        return True, _describe(getattr(mod, name))
    except (AttributeError, ImportError):
        pass
    try:  # `from lava.proc import io`: a submodule
        return True, _describe(importlib.import_module(f"{module}.{name}"))
    except ImportError as e:
        if getattr(e, "name", None) == f"{module}.{name}" and "is not provided" in str(e):
            return False, str(e)
    return False, name_message(module, name, getattr(getattr(mod, "__getattr__", None), "hints", None))


def check_file(path: pathlib.Path) -> list[Finding]:
    findings = []
    for fname, first, code in _sources(path):
        try:
            imports = list(_imports(code))
        except SyntaxError as e:
            findings.append(Finding(fname, (e.lineno or 1) + first - 1, "-", False, f"cannot parse: {e.msg}"))
            continue
        for line, module, name in imports:
            ok, detail = check_name(module, name)
            lava_name = module if name is None else f"{module}.{name}"
            findings.append(Finding(fname, line + first - 1, lava_name, ok, detail))
    return findings


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="lava_command")
    c = sub.add_parser("check", help="list a Lava script's lava.* names that caldera-lava does not provide")
    c.add_argument("scripts", nargs="+", help="Python files or Jupyter notebooks (.ipynb); they are not run")
    c.add_argument("-a", "--all", action="store_true", help="also list the names that are provided")
    c.add_argument("--json", action="store_true", help="print one JSON list of findings")
    sub.add_parser("coverage", help="print which Lava 0.10 modules and names caldera-lava provides (Markdown)")


def run(args: argparse.Namespace) -> int:
    if getattr(args, "lava_command", None) == "coverage":
        from lava._coverage import coverage_markdown

        print(coverage_markdown(), end="")
        return 0
    if getattr(args, "lava_command", None) != "check":
        print("usage: caldera lava check SCRIPT [SCRIPT ...] [--all] [--json] | caldera lava coverage", file=sys.stderr)
        return 2
    findings: list[Finding] = []
    for s in args.scripts:
        p = pathlib.Path(s)
        if not p.is_file():
            print(f"caldera lava check: {s}: no such file", file=sys.stderr)
            return 2
        findings += check_file(p)
    missing = [f for f in findings if not f.provided]
    if args.json:
        print(json.dumps([dataclasses.asdict(f) for f in findings], indent=1))
        return 1 if missing else 0
    for f in findings if args.all else missing:
        mark = "ok " if f.provided else "NOT"
        print(f"{f.file}:{f.line}: {mark} {f.lava_name}\n    {f.detail}")
    n = len({f.lava_name for f in findings})
    print(
        f"{n} lava name(s) imported, {len({f.lava_name for f in missing})} not provided by caldera-lava"
        + ("" if missing else ": the script's imports all resolve")
    )
    return 1 if missing else 0


__all__ = ["check_file", "check_name", "configure", "run", "Finding"]
