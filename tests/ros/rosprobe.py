"""A second ROS node for the tests: publishes messages into the node under test and records what it publishes.

Config (JSON, argv[1]): ``listen``: {topic: type}; ``wait_for``: topics that must have subscribers/publishers
before publishing; ``send``: list of {topic, type, data | fields, repeat, rate_hz}; ``until``: {topic: count}
of messages to wait for after the first send; ``timeout``. Prints one JSON line: {topic: [messages as data lists / field dicts]}.
"""

from __future__ import annotations

import importlib
import json
import sys
import time

import rospy


def cls_of(name: str) -> type:
    pkg, _, base = name.partition("/")
    return getattr(importlib.import_module(f"{pkg}.msg"), base)


def as_json(msg) -> object:
    if hasattr(msg, "data"):
        d = msg.data
        return list(d) if isinstance(d, (list, tuple)) else d
    if hasattr(msg, "angular"):
        return {
            "linear": [msg.linear.x, msg.linear.y, msg.linear.z],
            "angular": [msg.angular.x, msg.angular.y, msg.angular.z],
        }
    if hasattr(msg, "point"):
        return [msg.point.x, msg.point.y, msg.point.z]
    return str(msg)


def main() -> None:
    cfg = json.loads(sys.argv[1])
    rospy.init_node("probe", anonymous=True, disable_signals=True)
    got: dict[str, list] = {t: [] for t in cfg.get("listen", {})}
    stamps: dict[str, list] = {t: [] for t in cfg.get("listen", {})}
    for topic, typ in cfg.get("listen", {}).items():

        def cb(msg, topic=topic):
            stamps[topic].append(time.monotonic())
            got[topic].append(as_json(msg))

        rospy.Subscriber(topic, cls_of(typ), cb, queue_size=1000, tcp_nodelay=True)
    pubs = {}
    for s in cfg.get("send", []):
        if s["topic"] not in pubs:
            pubs[s["topic"]] = rospy.Publisher(s["topic"], cls_of(s["type"]), queue_size=1000, tcp_nodelay=True)
    deadline = time.monotonic() + cfg.get("timeout", 30)
    # wait until the node under test is connected to our publishers and subscribers
    while time.monotonic() < deadline and not all(p.get_num_connections() > 0 for p in pubs.values()):
        time.sleep(0.05)
    for topic in cfg.get("wait_for", []):
        while time.monotonic() < deadline and not got.get(topic):
            time.sleep(0.05)
    time.sleep(cfg.get("settle", 0.2))
    sent = []
    base = {t: len(v) for t, v in got.items()}  # `until` counts what arrives after the first send
    for s in cfg.get("send", []):
        cls = cls_of(s["type"])
        for _ in range(s.get("repeat", 1)):
            msg = cls()
            if "data" in s:
                msg.data = s["data"]
            pubs[s["topic"]].publish(msg)
            sent.append(time.monotonic())
            if s.get("rate_hz"):
                time.sleep(1.0 / s["rate_hz"])
        time.sleep(s.get("pause", 0.0))
    until = cfg.get("until", {})
    while time.monotonic() < deadline and any(len(got[t]) - base[t] < n for t, n in until.items()):
        time.sleep(0.05)
    time.sleep(cfg.get("linger", 0.0))
    waited = round(time.monotonic() - (deadline - cfg.get("timeout", 30)), 2)
    conns = {t: p.get_num_connections() for t, p in pubs.items()}
    print(json.dumps({"got": got, "stamps": stamps, "sent": sent, "waited_s": waited, "connections": conns}))


if __name__ == "__main__":
    main()
