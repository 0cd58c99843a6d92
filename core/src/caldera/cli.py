"""The ``caldera`` command line: ``caldera plugins`` and whatever plugins add."""

from __future__ import annotations

import argparse
import collections
import sys
import typing as ty

from caldera import __version__, plugins


def _plugins(args: argparse.Namespace) -> int:
    dists = plugins.distributions()
    counts = collections.Counter(p for p, _ in plugins.process_models())
    backends = plugins.backends()
    default = plugins.default_backend()
    print(f"caldera {__version__}")
    names = sorted(set(dists) | set(counts) | {b.plugin for b in backends.values()})
    if not names:
        print("no plugins installed: pip install ./plugins/cpu (caldera-cpu) for the NumPy backend")
        return 0
    print(f"{'plugin':<12} {'distribution':<18} {'version':<9} {'models':>6}  backends")
    for n in names:
        dname, ver = dists.get(n, ("(registered)", "-"))
        bl = [
            f"{b.name}{' (default)' if default is not None and b.name == default.name else ''} prio={b.priority}"
            for b in backends.values()
            if b.plugin == n
        ]
        print(f"{n:<12} {dname:<18} {ver:<9} {counts.get(n, 0):>6}  {', '.join(bl) or '-'}")
    for name, why in sorted(plugins.FAILED.items()):
        print(f"{name:<12} FAILED TO LOAD: {why}")
    if args.verbose:
        print()
        for plug, m in plugins.process_models():
            proc = m.implements_process.__name__ if m.implements_process else "?"
            print(f"  {plug:<10} {proc:<16} {m.__name__:<32} tags={','.join(m.tags)}")
    return 0


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, ty.Callable]]:
    parser = argparse.ArgumentParser(prog="caldera", description="Caldera neuromorphic framework")
    parser.add_argument("--version", action="version", version=f"caldera {__version__}")
    sub = parser.add_subparsers(dest="command")
    runners: dict[str, ty.Callable] = {}
    p = sub.add_parser("plugins", help="list installed plugins, backends and model counts")
    p.add_argument("-v", "--verbose", action="store_true", help="also list every registered model")
    runners["plugins"] = _plugins
    from caldera.tools_cli import COMMANDS  # profile, view, report

    for name, (help_, configure, run) in COMMANDS.items():
        sp = sub.add_parser(name, help=help_)
        configure(sp)
        runners[name] = run
    for name, (help_, configure, run) in sorted(plugins.cli_commands().items()):
        sp = sub.add_parser(name, help=help_)
        configure(sp)
        runners[name] = run
    return parser, runners


def main(argv: list[str] | None = None) -> int:
    parser, runners = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 0
    return int(runners[args.command](args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
