"""``caldera profile`` / ``caldera view`` / ``caldera report``: run a user script and look at what it did.

Each command executes the script as ``python script.py ARGS`` would (``__name__ == "__main__"``, its own
``sys.argv``), notes every network it builds, and then prints or writes what was asked for. Scripts are
never imported by scanning: only the file named on the command line runs.
"""

from __future__ import annotations

import argparse
import pathlib
import runpy
import sys
import typing as ty


class ScriptError(Exception):
    """The script named on the command line could not be run."""


def run_script(path: str, argv: list[str], progress: bool = False) -> tuple[dict, list]:
    """Run ``path`` as ``__main__``; returns its globals and the runtimes of the networks it built."""
    from caldera import runtime as _rt

    p = pathlib.Path(path)
    if not p.is_file():
        raise ScriptError(f"no such script: {path!r} (give the path of a Python file that builds and runs a network)")
    before = set(map(id, _rt._LIVE))
    old_argv, old_path = sys.argv, list(sys.path)
    sys.argv = [str(p), *argv]
    sys.path.insert(0, str(p.resolve().parent))
    if progress:
        _rt.DEFAULT_PROGRESS = True
    try:
        env = runpy.run_path(str(p), run_name="__main__")
    except SystemExit as e:
        if e.code not in (None, 0):
            raise ScriptError(f"{path} exited with status {e.code}") from e
        env = {}
    finally:
        sys.argv = old_argv
        sys.path[:] = old_path
        _rt.DEFAULT_PROGRESS = False
    runtimes = [rt for rt in list(_rt._LIVE) if id(rt) not in before]
    runtimes.sort(key=lambda rt: rt.net.leaves[0].id)
    return env, runtimes


# -- caldera profile ---------------------------------------------------------------------------
def configure_profile(p: argparse.ArgumentParser) -> None:
    p.add_argument("script", help="a Python script that builds and runs networks")
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments passed to the script")
    p.add_argument("--json", metavar="PATH", help="also write the profile as JSON to PATH")
    p.add_argument("--limit", type=int, default=None, help="show only the N most expensive processes")


def run_profile(args: argparse.Namespace) -> int:
    from caldera.profiler import Profiler

    prof = Profiler()
    try:
        with prof:
            run_script(args.script, args.args, progress=True)
    except ScriptError as e:
        print(f"caldera profile: {e}", file=sys.stderr)
        return 2
    print(prof.table(limit=args.limit))
    if args.json:
        prof.to_json(args.json)
        print(f"profile written to {args.json}")
    return 0


# -- caldera view ------------------------------------------------------------------------------
def configure_view(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="a network saved with caldera.save (.npz), or a Python script that builds networks")
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments passed to the script")
    p.add_argument(
        "-o",
        "--output",
        default="network.html",
        help="where to draw it: .html (default network.html), .svg, .png, .dot",
    )


def _numbered(out: pathlib.Path, k: int, total: int) -> pathlib.Path:
    return out if total == 1 else out.with_name(f"{out.stem}-{k + 1}{out.suffix}")


def run_view(args: argparse.Namespace) -> int:
    from caldera.errors import CalderaError
    from caldera.netview import view

    path = pathlib.Path(args.file)
    try:
        if path.suffix == ".py":
            _, runtimes = run_script(args.file, args.args)
            roots = [rt.net.leaves[0] for rt in runtimes]
            if not roots:
                print(f"caldera view: {args.file} built no network (nothing was compiled or run)", file=sys.stderr)
                return 2
        else:
            import caldera

            if not path.is_file():
                raise ScriptError(f"no such file: {args.file!r}")
            roots = [next(iter(caldera.load(path).values()))]
        out = pathlib.Path(args.output)
        for k, root in enumerate(roots):
            written = view(root, _numbered(out, k, len(roots)))
            print(f"network of {root.name} drawn to {written}")
    except (ScriptError, CalderaError) as e:
        print(f"caldera view: {e}", file=sys.stderr)
        return 2
    return 0


# -- caldera report ----------------------------------------------------------------------------
def configure_report(p: argparse.ArgumentParser) -> None:
    p.add_argument("script", help="a Python script that builds and runs networks (with Monitors to see spikes)")
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments passed to the script")
    p.add_argument("-o", "--output", default="report.html", help="the HTML file to write (default report.html)")
    p.add_argument("--title", default=None)


def run_report(args: argparse.Namespace) -> int:
    from caldera.errors import CalderaError
    from caldera.profiler import Profiler
    from caldera.run_report import report

    prof = Profiler()
    try:
        with prof:
            _, runtimes = run_script(args.script, args.args, progress=True)
        if not runtimes:
            print(f"caldera report: {args.script} built no network (nothing was compiled or run)", file=sys.stderr)
            return 2
        out = pathlib.Path(args.output)
        for k, rt in enumerate(runtimes):
            written = report(rt.net.leaves[0], _numbered(out, k, len(runtimes)), profiler=prof, title=args.title)
            print(f"report of {rt.net.leaves[0].name} written to {written}")
    except (ScriptError, CalderaError) as e:
        print(f"caldera report: {e}", file=sys.stderr)
        return 2
    return 0


COMMANDS: dict[str, tuple[str, ty.Callable, ty.Callable]] = {
    "profile": ("run a script under the profiler and print where the time went", configure_profile, run_profile),
    "view": ("draw the process graph of a saved network or of the networks a script builds", configure_view, run_view),
    "report": ("run a script and write a self-contained HTML report of its run", configure_report, run_report),
}
