"""Offline replay of a recorded ROS 1 bag through a node's inputs, without ROS (PyPI ``rosbags``).

``replay(node, bag)`` builds the node's network with a free clock, maps each message's record time onto the
node's steps (``1 / rate_hz`` seconds each, from the first message on the node's input topics), runs the
network up to that step, feeds the message through the same conversion and encoder as the live node, and
records every output every step. Messages that do not convert are counted as malformed, as in the node.
The message definitions stored in the bag are used, so ``dvs_msgs`` bags need nothing installed.
"""

from __future__ import annotations

import math
import pathlib
import typing as ty
from dataclasses import dataclass, field

import caldera
import numpy as np

from caldera_ros.bindings import SpecError
from caldera_ros.messages import MessageError


@dataclass
class ReplayResult:
    #: per output topic, the decoded value of every step, shape (steps, *shape)
    outputs: dict[str, np.ndarray] = field(default_factory=dict)
    steps: int = 0
    messages: int = 0
    malformed: int = 0
    dropped: int = 0

    def save(self, path: str | pathlib.Path) -> None:
        np.savez(path, **{t.strip("/").replace("/", "__"): a for t, a in self.outputs.items()})


def _drain(node: ty.Any, rows: list[list[np.ndarray]]) -> None:
    for i, b in enumerate(node.outputs):
        while True:
            item = b.extractor.buffer.get(block=False)
            if item is None:
                break
            rows[i].append(item)


def replay(node: ty.Any, bag: str | pathlib.Path, steps: int | None = None) -> ReplayResult:
    """Replay ``bag`` through ``node`` (a ``caldera_ros.Node``, not started); see the module docstring."""
    try:
        from rosbags.highlevel import AnyReader
    except ImportError:
        raise SpecError("bag replay needs PyPI rosbags: pip install 'caldera-ros[bag]'") from None
    if not node.rate_hz:
        raise SpecError("replay maps bag time onto steps of 1/rate_hz seconds: the node needs rate_hz")
    node.clock_mode = "free"
    for b in node.outputs:
        b.queue = max(b.queue, 4096)
    if node.runtime is None:
        node.build()
    dt = 1.0 / node.rate_hz
    by_topic = {b.topic: b for b in node.inputs}
    rows: list[list[np.ndarray]] = [[] for _ in node.outputs]
    result = ReplayResult()
    root, rt = node._root, node.runtime
    start = rt.time_step

    def advance(to: int) -> None:
        while rt.time_step < to:
            root.run(caldera.RunSteps(min(to - rt.time_step, 1024)))
            _drain(node, rows)

    with AnyReader([pathlib.Path(bag)]) as reader:
        conns = [c for c in reader.connections if c.topic in by_topic]
        missing = sorted(set(by_topic) - {c.topic for c in reader.connections})
        if missing:
            raise SpecError(f"{bag}: no messages on the input topic(s) {missing}")
        t0: float | None = None
        for conn, stamp, raw in reader.messages(connections=conns):
            t = stamp * 1e-9
            t0 = t if t0 is None else t0
            target = start + int(math.floor((t - t0) / dt + 1e-9))
            if steps is not None and target >= start + steps:
                break
            advance(target)
            b = by_topic[conn.topic]
            result.messages += 1
            try:
                b.feed(reader.deserialize(raw, conn.msgtype))
            except (MessageError, caldera.CalderaError, ValueError, TypeError):
                b.malformed += 1
    queued = max((len(b.injector.buffer) for b in node.inputs), default=0)
    end = start + steps if steps is not None else max(rt.time_step + queued, rt.time_step + 1)
    advance(end)
    rt.stop()
    result.steps = rt.time_step - start
    result.malformed = sum(b.malformed for b in node.inputs)
    result.dropped = sum(b.dropped for b in node.inputs)
    for b, r in zip(node.outputs, rows):
        result.outputs[b.topic] = np.stack(r) if r else np.zeros((0, *b.extractor.in_port.shape))
    return result


__all__ = ["replay", "ReplayResult"]
