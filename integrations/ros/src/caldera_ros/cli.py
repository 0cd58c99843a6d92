"""``caldera ros``: run a node from a spec, check a spec, replay a bag through a spec's encoders."""

from __future__ import annotations

import argparse
import sys


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="ros_command")
    r = sub.add_parser("run", help="start the node of a spec (needs rospy and a ROS master)")
    r.add_argument("spec", help="node spec (YAML/JSON), see caldera_ros.spec")
    for opt in ("name", "network", "clock", "backend", "tag"):
        r.add_argument(f"--{opt}", help=f"override the spec's {opt}")
    r.add_argument("--rate-hz", type=float, help="override the spec's rate_hz")
    r.add_argument("--partitions", type=int, help="override the spec's partitions")
    r.add_argument(
        "--realtime",
        type=int,
        nargs="?",
        const=10,
        metavar="PRIORITY",
        help="real-time mode: SCHED_FIFO at PRIORITY (1-99, default 10) for the network's and rospy's threads, "
        "memory locked; normal scheduling with one warning where not permitted",
    )
    r.add_argument(
        "--realtime-cpus", metavar="LIST", help="with --realtime: run the node's threads on these CPUs (0,1)"
    )
    c = sub.add_parser("check", help="build the node of a spec without starting ROS (errors name the entry)")
    c.add_argument("spec")
    p = sub.add_parser("replay", help="replay a recorded ROS 1 bag through a spec's inputs (PyPI rosbags, no ROS)")
    p.add_argument("spec")
    p.add_argument("bag")
    p.add_argument("--out", default="replay.npz", help="where to write the decoded outputs (.npz)")
    p.add_argument("--steps", type=int, help="steps to run (default: the bag's duration)")


def _overrides(args: argparse.Namespace, spec: dict) -> dict:
    keys = ("name", "network", "clock", "backend", "tag", "rate_hz", "partitions")
    out = {k: getattr(args, k, None) for k in keys if getattr(args, k, None) is not None}
    prio, cpus = getattr(args, "realtime", None), getattr(args, "realtime_cpus", None)
    if prio is not None or cpus is not None:
        from caldera_ros.bindings import SpecError

        if prio is None and not spec.get("realtime"):
            raise SpecError("--realtime-cpus needs --realtime (or realtime in the spec)")
        rt = spec.get("realtime")
        rt = dict(rt) if isinstance(rt, dict) else {"priority": rt} if isinstance(rt, int) and rt is not True else {}
        if prio is not None:
            rt["priority"] = prio
        if cpus is not None:
            try:
                rt["cpus"] = [int(c) for c in cpus.split(",") if c.strip()]
            except ValueError:
                raise SpecError(f"--realtime-cpus must be CPU numbers separated by commas, got {cpus!r}") from None
        out["realtime"] = rt
    return out


def run(args: argparse.Namespace) -> int:
    from caldera.errors import CalderaError

    from caldera_ros.spec import PARAMS, load_spec, node_from_spec

    cmd = getattr(args, "ros_command", None)
    if cmd is None:
        print("usage: caldera ros {run,check,replay} SPEC ...  (caldera ros -h)", file=sys.stderr)
        return 2
    try:
        spec = load_spec(args.spec)
        if cmd == "check":
            node = node_from_spec(spec)
            node.build()
            print(f"{args.spec}: OK: {node._describe()}")
            node.runtime.stop()
            return 0
        if cmd == "replay":
            from caldera_ros.bag import replay

            result = replay(node_from_spec(spec), args.bag, steps=args.steps)
            result.save(args.out)
            print(f"replayed {result.messages} messages in {result.steps} steps; wrote {args.out}")
            return 0
        from caldera_ros.transport import Ros1Transport

        transport = Ros1Transport()
        name = args.name or spec.get("name") or "caldera"
        params = transport.private_params(str(name), PARAMS)
        node = node_from_spec(
            spec, {**params, **_overrides(args, {**spec, **params}), "name": name}, transport=transport
        )
        return node.run()
    except CalderaError as e:
        print(f"caldera ros {cmd}: {e}", file=sys.stderr)
        return 2
