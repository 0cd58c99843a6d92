"""``caldera loihi ...``: print a run's report, map or run a network description file, show the limits."""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

from caldera.errors import CalderaError

HELP = "Loihi 2 emulator: run a network description and print its activity/energy report, or show a mapping"


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="loihi_command", required=True)
    r = sub.add_parser("report", help="print a saved report (JSON), or run a network description and report it")
    r.add_argument("path", help="a report saved with LoihiReport.save(), or a network description .json")
    r.add_argument("--steps", type=int, default=None, help="steps to run a description for (default: its 'steps')")
    r.add_argument("--plot", metavar="PNG", help="also write a plot of activity per core per step")
    r.add_argument("--save", metavar="JSON", help="also save the report as JSON")
    r.add_argument("--show-steps", type=int, default=10, help="how many steps to list (default 10)")
    _system_args(r)
    m = sub.add_parser("map", help="place a network description onto cores and chips without running it")
    m.add_argument("path", help="a network description .json")
    _system_args(m)
    lim = sub.add_parser("limits", help="print the limits and the energy table in use")
    _system_args(lim)


def _system_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--limits", metavar="JSON", help="LoihiLimits fields to override, as a JSON file")
    p.add_argument("--energy", metavar="JSON", help="EnergyTable fields to override, as a JSON file")
    p.add_argument("--chips", type=int, help="chips in the system (overrides chips_per_system)")


def _system(args: argparse.Namespace):
    import dataclasses

    from caldera_loihi.config import current

    limits, energy = current()
    if args.limits:
        limits = dataclasses.replace(limits, **json.loads(pathlib.Path(args.limits).read_text()))
    if args.chips is not None:
        limits = dataclasses.replace(limits, chips_per_system=args.chips)
    if args.energy:
        energy = dataclasses.replace(energy, **json.loads(pathlib.Path(args.energy).read_text()))
    return limits, energy


def _is_report(path: pathlib.Path) -> bool:
    try:
        return "format" in json.loads(path.read_text()) and "cores_used" in json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return False


def _run_report(args: argparse.Namespace) -> int:
    import caldera

    from caldera_loihi import config, netfile
    from caldera_loihi.reporting import LoihiReport

    path = pathlib.Path(args.path)
    if not path.exists():
        print(f"caldera loihi report: {path} does not exist", file=sys.stderr)
        return 2
    limits, energy = _system(args)
    if _is_report(path):
        rep = LoihiReport.load(path)
        if args.energy:
            rep.energy_table = energy.to_dict()
    else:
        spec, net = netfile.load(path)
        steps = args.steps if args.steps is not None else int(spec.get("steps", 100))
        root = next(iter(net.values()))
        with config.system(limits, energy):
            root.run(
                condition=caldera.RunSteps(num_steps=steps),
                run_cfg=caldera.RunConfig(backend="loihi", tag=spec.get("tag", "fixed_pt")),
            )
        from caldera_loihi import report

        rep = report(root)
        root.stop()
    print(rep.format(max_steps=args.show_steps))
    if args.save:
        rep.save(args.save)
        print(f"report saved to {args.save}")
    if args.plot:
        rep.plot(args.plot)
        print(f"activity plot written to {args.plot}")
    return 0


def _run_map(args: argparse.Namespace) -> int:
    from caldera_loihi import map_network, netfile

    limits, _ = _system(args)
    spec, net = netfile.load(args.path)
    m = map_network(next(iter(net.values())), limits=limits, tag=spec.get("tag", "fixed_pt"))
    print(f"{limits.name}: {m.cores_used} cores on {m.chips_used} chip(s), {m.tiles_used} tiles")
    print(
        f"{'core':>5} {'chip':>4} {'tile':>7} {'process':<20} {'neurons':>13} {'synapses':>9} {'mem B':>8} "
        f"{'fan-in':>6} {'fan-out':>7}"
    )
    for c in m.cores:
        print(
            f"{c.index:>5} {c.chip:>4} {f'({c.tile_x},{c.tile_y})':>7} {c.process[:20]:<20} "
            f"{f'{c.neurons[0]}..{c.neurons[1] - 1}':>13} {c.synapses:>9} {c.memory_bytes:>8} {c.fan_in:>6} "
            f"{c.fan_out:>7}"
        )
    hosts = [p.name for p in m.processes.values() if p.role == "host"]
    if hosts:
        print(f"on the host: {', '.join(hosts)}")
    return 0


def _run_limits(args: argparse.Namespace) -> int:
    limits, energy = _system(args)
    print(json.dumps({"limits": limits.to_dict(), "energy": energy.to_dict()}, indent=2))
    return 0


def run(args: argparse.Namespace) -> int:
    try:
        return {"report": _run_report, "map": _run_map, "limits": _run_limits}[args.loihi_command](args)
    except (CalderaError, TypeError, ValueError) as e:
        print(f"caldera loihi {args.loihi_command}: {e}", file=sys.stderr)
        return 1


def main(argv: list[str] | None = None) -> int:
    """Run ``caldera loihi`` on its own (``python -m caldera_loihi.cli``)."""
    parser = argparse.ArgumentParser(prog="caldera loihi", description=HELP)
    configure(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
