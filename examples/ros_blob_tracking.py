"""A dynamic neural field in a ROS node tracks a blob moving through an event-camera stream.

A synthetic event camera (256 x 192 pixels) sees a bright blob circling the image: pixels inside the blob
send events, the rest a little noise, one ``dvs_msgs/EventArray`` every 10 ms. The node bins the events per
1 ms step into a 24 x 32 frame (8 x 8 pixels per neuron), a relay population turns them into spikes that
drive a selective DNF (local excitation, global inhibition: one peak wins), and a population-vector decoder
publishes the peak's position as ``geometry_msgs/PointStamped`` (in camera pixels) at 100 Hz. The camera
process listens to that topic and reports how far the estimate is from the blob's true position.

    roscore &                                     # any ROS 1 master (ROS_MASTER_URI)
    python examples/ros_blob_tracking.py          # node + camera in a second process, about 6 s

    python examples/ros_blob_tracking.py --loopback   # the same without ROS (in-process topics)

Needs caldera, caldera-cpu, caldera-dnf, caldera-ros (and rospy for the ROS run).
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import threading
import time

import numpy as np

SENSOR = (192, 256)  # rows, columns
CELL = 8  # pixels per neuron, each way
FIELD = (SENSOR[0] // CELL, SENSOR[1] // CELL)
RADIUS = 14.0  # blob radius, pixels
PERIOD = 4.0  # seconds per revolution


def blob_centre(t: float) -> tuple[float, float]:
    """(row, column) of the blob in pixels at time t (seconds)."""
    a = 2 * math.pi * t / PERIOD
    return SENSOR[0] / 2 + 55 * math.sin(a), SENSOR[1] / 2 + 80 * math.cos(a)


def events(t0: float, dt: float, rng: np.random.Generator, rate_blob: float = 8e3, rate_noise: float = 2e3):
    """Events of [t0, t0 + dt): Poisson in the blob (rate per second over its area) and uniform noise."""
    n_blob, n_noise = rng.poisson(rate_blob * dt), rng.poisson(rate_noise * dt)
    t = np.sort(rng.uniform(t0, t0 + dt, n_blob))
    cy, cx = np.array([blob_centre(s) for s in t]).T.reshape(2, -1)
    r = RADIUS * np.sqrt(rng.uniform(0, 1, n_blob))
    a = rng.uniform(0, 2 * math.pi, n_blob)
    y = np.concatenate([cy + r * np.sin(a), rng.uniform(0, SENSOR[0], n_noise)])
    x = np.concatenate([cx + r * np.cos(a), rng.uniform(0, SENSOR[1], n_noise)])
    ts = np.concatenate([t, rng.uniform(t0, t0 + dt, n_noise)])
    p = rng.uniform(size=len(ts)) < 0.5
    keep = (y >= 0) & (y < SENSOR[0]) & (x >= 0) & (x < SENSOR[1])
    order = np.argsort(ts[keep])
    return x[keep][order].astype(int), y[keep][order].astype(int), ts[keep][order], p[keep][order]


def build_network(tag: str = "floating_pt"):
    """relay (event frames -> spikes) -> selective DNF; returns the processes by name."""
    import caldera_dnf as dnf
    from caldera.procs import LIF

    relay = LIF(shape=FIELD, du=1.0, dv=1.0, vth=0.5, name="relay")  # spikes in the step of its input
    field = dnf.lif_field(FIELD, tag=tag, name="field")
    dnf.connect(relay.s_out, field.a_in, [dnf.Weights(60)], weight_scale=1)
    kernel = dnf.SelectiveKernel(amp_exc=20, width_exc=[1.5, 1.5], global_inh=-12)
    dnf.connect(field.s_out, field.a_in, [dnf.Convolution(kernel)], weight_scale=1)
    return {"relay": relay, "field": field}


def make_node(transport=None, backend: str | None = None):
    from caldera_ros import Input, Node, Output

    net = build_network()
    return Node(
        "blob_tracker",
        net,
        inputs=[
            Input("/dvs/events", "dvs_msgs/EventArray", "relay.a_in", encoder="events", options={"downsample": CELL})
        ],
        outputs=[
            Output(
                "/target",
                "geometry_msgs/PointStamped",
                "field.s_out",
                decoder="population",
                # (row, column) of the activity's centroid, in camera pixels (cell centres)
                options={
                    "window": 20,
                    "vectors": [
                        (r * CELL + CELL / 2, c * CELL + CELL / 2) for r in range(FIELD[0]) for c in range(FIELD[1])
                    ],
                    "default": [float("nan"), float("nan")],
                    "fields": ["point.y", "point.x"],
                },
                every=10,
            )
        ],
        rate_hz=1000,
        backend=backend,
        transport=transport,
    )


class Camera:
    """Publishes the events every 10 ms (wall clock) and scores the node's estimates against the truth."""

    def __init__(self, publish, duration: float, seed: int = 1) -> None:
        self.publish, self.duration = publish, duration
        self.rng = np.random.default_rng(seed)
        self.t0 = 0.0
        self.errors: list[tuple[float, float]] = []
        self.sent = 0
        self.messages = 0

    def on_target(self, x: float, y: float) -> None:
        t = time.monotonic() - self.t0
        if math.isfinite(x) and math.isfinite(y):
            cy, cx = blob_centre(t)
            self.errors.append((t, math.hypot(cx - x, cy - y)))

    def run(self, make_msg) -> None:
        self.t0 = time.monotonic()
        k = 0
        while (t := time.monotonic() - self.t0) < self.duration:
            x, y, ts, p = events(k * 0.01, 0.01, self.rng)
            self.publish(make_msg(x, y, ts, p))
            self.sent += len(ts)
            self.messages += 1
            k += 1
            time.sleep(max(0.0, (k * 0.01) - (time.monotonic() - self.t0)))
            del t

    def report(self) -> dict:
        # after the field has formed its peak, while the camera streams
        late = [e for t, e in self.errors if 1.0 < t < self.duration]
        return {
            "messages": self.messages,
            "events": self.sent,
            "estimates": len(self.errors),
            "median_error_px": round(float(np.median(late)), 1) if late else None,
            "p90_error_px": round(float(np.percentile(late, 90)), 1) if late else None,
            "cell_px": CELL,
        }


def _plain_events(x, y, ts, p):
    from types import SimpleNamespace as NS

    evs = [NS(x=int(a), y=int(b), ts=float(t), polarity=bool(q)) for a, b, t, q in zip(x, y, ts, p)]
    return NS(header=None, width=SENSOR[1], height=SENSOR[0], events=evs)


def run_loopback(duration: float, backend: str | None) -> dict:
    from caldera_ros import LoopbackTransport

    tr = LoopbackTransport()
    node = make_node(tr, backend)
    cam = Camera(lambda m: tr.publish("/dvs/events", m), duration)
    tr.on_publish.append(lambda topic, m: cam.on_target(m.point.x, m.point.y) if topic == "/target" else None)
    node.start()
    threading.Thread(target=lambda: (cam.run(_plain_events), tr.shutdown("done")), daemon=True).start()
    code = node.spin()
    return {**cam.report(), "exit": code, "node": node.status()}


def run_camera(duration: float) -> None:
    """The second process of the ROS run: a rospy node with the camera."""
    import rospy
    from caldera_ros import Ros1Transport
    from geometry_msgs.msg import PointStamped

    tr = Ros1Transport()
    EventArray, Event = tr.message_class("dvs_msgs/EventArray"), tr.message_class("dvs_msgs/Event")
    rospy.init_node("synthetic_camera", disable_signals=True)
    pub = rospy.Publisher("/dvs/events", EventArray, queue_size=10)
    cam = Camera(pub.publish, duration)
    rospy.Subscriber("/target", PointStamped, lambda m: cam.on_target(m.point.x, m.point.y), queue_size=100)
    deadline = time.monotonic() + 30
    while pub.get_num_connections() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)

    def make(x, y, ts, p):
        msg = EventArray(height=SENSOR[0], width=SENSOR[1])
        msg.events = [
            Event(x=int(a), y=int(b), ts=rospy.Time.from_sec(float(t)), polarity=bool(q))
            for a, b, t, q in zip(x, y, ts, p)
        ]
        return msg

    cam.run(make)
    time.sleep(0.3)
    print(json.dumps(cam.report()), flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=5.0, help="seconds of camera stream")
    ap.add_argument("--backend", default=None, help="caldera backend (default: the installed default)")
    ap.add_argument("--loopback", action="store_true", help="run without ROS (in-process topics)")
    ap.add_argument("--camera", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.camera:
        run_camera(args.duration)
        return 0
    if args.loopback:
        res = run_loopback(args.duration, args.backend)
        print(json.dumps(res))
        return res["exit"]
    import rospy

    node = make_node(backend=args.backend)
    node.build()  # before ROS starts its threads
    cam = subprocess.Popen(
        [sys.executable, __file__, "--camera", "--duration", str(args.duration)], stdout=subprocess.PIPE, text=True
    )

    def finish() -> None:
        out, _ = cam.communicate()
        print(out.strip().splitlines()[-1] if out.strip() else "camera failed", flush=True)
        rospy.signal_shutdown("camera done")

    node.start()
    threading.Thread(target=finish, daemon=True).start()
    code = node.spin()
    print(json.dumps({"exit": code, "node": node.status()}), flush=True)
    return code or cam.returncode or 0


if __name__ == "__main__":
    raise SystemExit(main())
