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
    c = sub.add_parser("check", help="build the node of a spec without starting ROS (errors name the entry)")
    c.add_argument("spec")
    p = sub.add_parser("replay", help="replay a recorded ROS 1 bag through a spec's inputs (PyPI rosbags, no ROS)")
    p.add_argument("spec")
    p.add_argument("bag")
    p.add_argument("--out", default="replay.npz", help="where to write the decoded outputs (.npz)")
    p.add_argument("--steps", type=int, help="steps to run (default: the bag's duration)")


def _overrides(args: argparse.Namespace) -> dict:
    keys = ("name", "network", "clock", "backend", "tag", "rate_hz", "partitions")
    return {k: getattr(args, k, None) for k in keys if getattr(args, k, None) is not None}


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
        node = node_from_spec(spec, {**params, **_overrides(args), "name": name}, transport=transport)
        return node.run()
    except CalderaError as e:
        print(f"caldera ros {cmd}: {e}", file=sys.stderr)
        return 2
