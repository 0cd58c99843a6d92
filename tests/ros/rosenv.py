"""Helpers of the ROS tests: the private roscore (caldera_ros.roscore) and a second ROS node (rosprobe.py)."""

from __future__ import annotations

import os
import subprocess
import sys

from caldera_ros.roscore import RosCore, free_port, ros_available

__all__ = ["RosCore", "free_port", "ros_available", "probe"]


def probe(env: dict, config: dict, timeout: float = 60) -> dict:
    """Run tests/ros/rosprobe.py (a second ROS node, in its own process) with ``config``; its JSON result."""
    import json

    here = os.path.dirname(os.path.abspath(__file__))
    out = subprocess.run(
        [sys.executable, os.path.join(here, "rosprobe.py"), json.dumps(config)],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if out.returncode != 0:
        raise AssertionError(f"probe failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])
