"""``Node``: a caldera network running continuously inside a ROS node.

Subscribed topics go through encoders into the network (``Input``), the network runs with
``RunContinuous()`` paced by its step clock (``caldera_ros.clock``), and decoders turn what it sends into
messages on published topics (``Output``). Everything that can be checked is checked in ``build()``, before
ROS is touched; the network is compiled there too (a network split over several partitions forks its
children before rospy starts threads).

Latency: a message is converted in the ROS client's receiving thread and queued in the Injector; with the
wall clock, it also ends the wait of the current step (``wake_on_input``), so the next step takes it in at
once. The network's own thread publishes each step's outputs as the step ends (from the Extractors, in the
``Pacer``'s hook): no thread of the node's own stands between a step and its messages, and the ROS 1
publishers write to their subscribers' sockets directly (rospy without a ``queue_size``). ``start()`` moves
everything allocated so far out of the garbage collector's way (``gc.freeze``): a full collection of the
imported libraries' objects would otherwise stop every thread for tens of milliseconds now and then.
With ``realtime`` (``caldera_ros.realtime``), ``start()`` gives itself and every thread started after it
(the network's, rospy's) ``SCHED_FIFO``, locks the memory and sets CPU affinity, as far as permitted (one
warning otherwise); ``stop()`` gives the calling thread its scheduling back.

Faults: a message that does not convert is dropped and counted, with a log line at most every
``log_period`` seconds per input; a model that raises stops the network, the ``RunError`` (process name,
step, traceback) is logged and ``spin()`` returns 1; SIGINT or a ROS shutdown stops the network and returns 0.
A latched ``~status`` topic (``std_msgs/String``, JSON) reports steps, real-time factor, messages received,
dropped and malformed.
"""

from __future__ import annotations

import gc
import json
import sys
import threading
import time
import typing as ty

import caldera
import numpy as np
from caldera.errors import CalderaError
from caldera.run_config import RunConfig

from caldera_ros.bindings import Input, Output, SpecError, as_network
from caldera_ros.clock import CLOCKS, Pacer, StepClock
from caldera_ros.messages import MessageError
from caldera_ros.realtime import Applied, RealTime, apply_realtime


class RateLimitedLog:
    """At most one line per ``period`` seconds per key; the next line says how many were left out."""

    def __init__(self, log: ty.Callable[[str, str], None], period: float) -> None:
        self._log, self.period = log, period
        self._last: dict[str, float] = {}
        self._skipped: dict[str, int] = {}
        self._lock = threading.Lock()

    def __call__(self, key: str, level: str, text: str) -> bool:
        now = time.monotonic()
        with self._lock:
            if now - self._last.get(key, -1e18) < self.period:
                self._skipped[key] = self._skipped.get(key, 0) + 1
                return False
            skipped = self._skipped.pop(key, 0)
            self._last[key] = now
        self._log(level, text + (f" ({skipped} more like this not logged)" if skipped else ""))
        return True


class Node:
    def __init__(
        self,
        name: str,
        network: ty.Any,
        inputs: ty.Sequence[Input] = (),
        outputs: ty.Sequence[Output] = (),
        *,
        rate_hz: float | None = None,
        clock: str | None = None,
        clock_topic: str = "/clock",
        backend: str | None = None,
        tag: str | None = None,
        run_cfg: RunConfig | None = None,
        transport: ty.Any = None,
        status_period: float = 1.0,
        log_period: float = 2.0,
        anonymous: bool = False,
        switch_interval: float | None = 0.0005,
        wake_on_input: bool = True,
        freeze_gc: bool = True,
        realtime: ty.Any = None,
    ) -> None:
        self.name = name
        self.network = network
        self.inputs, self.outputs = list(inputs), list(outputs)
        self.rate_hz, self.clock_mode, self.clock_topic = rate_hz, clock, clock_topic
        self.backend, self.tag, self.run_cfg = backend, tag, run_cfg
        self.transport = transport
        self.status_period, self.log_period, self.anonymous = status_period, log_period, anonymous
        self.switch_interval = switch_interval
        self.wake_on_input, self.freeze_gc = wake_on_input, freeze_gc
        self.realtime = realtime  # checked in build(): RealTime.parse's forms
        self._rt: RealTime | None = None
        self._rt_applied: Applied | None = None
        self.runtime: ty.Any = None
        self.clock: StepClock | None = None
        self.error: BaseException | None = None
        self.published = 0
        self.received = 0
        self._threads: list[threading.Thread] = []
        self._done = threading.Event()
        self._t_start = 0.0
        self._step_start = 0
        self._root: ty.Any = None
        self._status_pub: ty.Any = None
        self._frozen = False

    # -- build (no ROS) -------------------------------------------------------------------------------------
    def _check(self) -> float | None:
        if not isinstance(self.name, str) or not self.name.strip("/"):
            raise SpecError(f"node name must be a non-empty string, got {self.name!r}")
        if self.rate_hz is not None and not (isinstance(self.rate_hz, (int, float)) and self.rate_hz > 0):
            raise SpecError(f"rate_hz must be a number > 0, got {self.rate_hz!r}")
        mode = self.clock_mode or ("wall" if self.rate_hz else "free")
        if mode not in CLOCKS:
            raise SpecError(f"clock must be one of {', '.join(CLOCKS)}, got {mode!r}")
        if mode != "free" and not self.rate_hz:
            raise SpecError(f"clock {mode!r} needs rate_hz (steps per second of that clock)")
        self.clock_mode = mode
        if not self.inputs and not self.outputs:
            raise SpecError("a node needs at least one input or output")
        self._rt = RealTime.parse(self.realtime)
        if self._rt is not None and mode == "free":
            raise SpecError(
                "realtime needs a paced clock (wall or topic): a free-running network would keep a CPU busy at "
                "real-time priority"
            )
        for i, b in enumerate(self.inputs):
            if not isinstance(b, Input):
                raise SpecError(f"inputs[{i}] must be a caldera_ros.Input, got {b!r}")
            if b.encoder == "events" and not self.rate_hz:
                raise SpecError(f"inputs[{i}]: events are binned per step of 1/rate_hz seconds: set rate_hz")
        for i, b in enumerate(self.outputs):
            if not isinstance(b, Output):
                raise SpecError(f"outputs[{i}] must be a caldera_ros.Output, got {b!r}")
        return 1.0 / self.rate_hz if self.rate_hz else None

    def build(self) -> None:
        """Check the bindings, add the node's processes to the network and compile it."""
        dt = self._check()
        procs = as_network(self.network)
        injectors = [b.build(procs, dt or 1e-3, f"inputs[{i}]") for i, b in enumerate(self.inputs)]
        extractors = [b.build(procs, f"outputs[{i}]") for i, b in enumerate(self.outputs)]
        buffers = [inj.buffer for inj in injectors]
        early = (lambda: max(len(b) for b in buffers)) if self.wake_on_input and buffers else None
        self.clock = StepClock(ty.cast(str, self.clock_mode), dt, early=early)
        # the pacer hangs off the smallest of the node's own ports
        ports = [inj.out_port for inj in injectors] + [ext.in_port.in_connections[0] for ext in extractors]
        port = min(ports, key=lambda p: int(np.prod(p.shape)))
        pacer = Pacer(shape=port.shape, clock=self.clock, name="ros_clock")
        port.connect(pacer.a_in)
        cfg = self.run_cfg if self.run_cfg is not None else RunConfig(backend=self.backend, tag=self.tag)
        self._root = pacer
        self.runtime = pacer.compile(cfg)

    # -- run with ROS ---------------------------------------------------------------------------------------
    def _default_transport(self) -> ty.Any:
        from caldera_ros.transport import Ros1Transport

        return Ros1Transport()

    def start(self) -> None:
        """Start ROS, subscribe and advertise, and start the network (``build()`` first if not done)."""
        if self.runtime is None:
            self.build()
        if self.transport is None:
            self.transport = self._default_transport()
        tr = self.transport
        if self._rt is not None:
            # this thread first: the network's thread and rospy's threads, started below, inherit it
            self._rt_applied = apply_realtime(self._rt)
        if self.switch_interval is not None:
            # the network thread, the subscriber threads and the publishers share the GIL: hand it over more
            # often than every 5 ms (Python's default), or a message may wait that long (the p99 latency)
            sys.setswitchinterval(min(sys.getswitchinterval(), self.switch_interval))
        tr.start(self.name, anonymous=self.anonymous)
        self._limited = RateLimitedLog(tr.log, self.log_period)
        if self._rt_applied is not None and self._rt_applied.problems:
            tr.log(
                "warn",
                f"caldera_ros: realtime ({self._rt.describe()}) not fully applied: "
                + "; ".join(self._rt_applied.problems)
                + f"; running with {self._rt_applied.describe(self._rt)}",
            )
        # no queue: the network's thread writes each message to the subscribers' sockets as the step ends
        pubs = [tr.publisher(b.topic, tr.message_class(b.type), queue_size=None) for b in self.outputs]
        self._status_pub = tr.publisher("~status", tr.message_class("std_msgs/String"), latch=True, queue_size=1)
        if self.clock_mode == "topic":
            tr.subscribe(self.clock_topic, tr.message_class("rosgraph_msgs/Clock"), self._on_clock, 10)
        self._t_start = time.monotonic()
        self._step_start = self.runtime.time_step
        self._root.hooks[:] = [self._publisher(b, pub) for b, pub in zip(self.outputs, pubs)]
        if self.freeze_gc and gc.get_freeze_count() == 0:  # a program that froze its own objects keeps its say
            gc.collect()
            gc.freeze()  # what exists now lives as long as the node: no full collection walks it again
            self._frozen = True
        self._root.run(caldera.RunContinuous())
        for i, b in enumerate(self.inputs):
            # rospy keeps every message it reads (no queue_size): the Injector's queue is the one that drops
            tr.subscribe(b.topic, tr.message_class(b.type), self._callback(i, b), None)
        t = threading.Thread(target=self._status_loop, name="caldera-ros-status", daemon=True)
        t.start()
        self._threads.append(t)
        tr.log("info", f"caldera_ros: {self.name} running: {self._describe()}")

    def _describe(self) -> str:
        rate = f"{self.rate_hz:g} Hz" if self.rate_hz else "free-running"
        return (
            f"{len(self.runtime.net.leaves)} processes on {self.runtime.backend}, clock {self.clock_mode} ({rate}); "
            f"in: {', '.join(b.topic for b in self.inputs) or '-'}; out: {', '.join(b.topic for b in self.outputs) or '-'}"
        )

    def _on_clock(self, msg: ty.Any) -> None:
        from caldera_ros.messages import _stamp_seconds

        try:
            assert self.clock is not None
            self.clock.set_time(_stamp_seconds(msg.clock))
        except (MessageError, AttributeError) as e:
            self._limited("clock", "warn", f"caldera_ros: bad clock message dropped ({e})")

    def _callback(self, i: int, b: Input) -> ty.Callable[[ty.Any], None]:
        kick = ty.cast(StepClock, self.clock).kick

        def on_message(msg: ty.Any) -> None:
            self.received += 1
            try:
                b.feed(msg)
            except (MessageError, CalderaError, ValueError, TypeError) as e:
                b.malformed += 1
                self._limited(
                    f"in{i}", "warn", f"caldera_ros: dropped a malformed message on {b.topic} (inputs[{i}]): {e}"
                )
                return
            kick()

        return on_message

    def _publisher(self, b: Output, pub: ty.Any) -> ty.Callable[[], None]:
        """The hook that publishes ``b``'s values at the end of each step, in the network's thread."""
        ext = b.extractor
        assert ext is not None
        buffer = ext.buffer
        cls = self.transport.message_class(b.type)
        stamp = self.transport.stamp if ty.cast(ty.Any, b.mtype).stamped else (lambda: None)
        state = {"steps": 0, "last": None}

        def publish() -> None:
            # every value the step delivered, in order (a change is never skipped); nothing waits here
            while len(buffer):
                item = buffer.get(block=False)
                if item is None:
                    break
                state["steps"] += 1
                last = state["last"]
                if state["steps"] % b.every or (b.on_change and last is not None and np.array_equal(item, last)):
                    continue
                state["last"] = item
                try:
                    pub.publish(b.message(cls, item, stamp()))
                    self.published += 1
                except Exception as e:  # noqa: BLE001 - ROS going down, a value that does not convert: keep running
                    self._limited(f"out:{b.topic}", "warn", f"caldera_ros: publishing on {b.topic} failed: {e}")

        return publish

    def status(self) -> dict:
        rt = self.runtime
        steps = rt.time_step - self._step_start if rt is not None else 0
        wall = max(time.monotonic() - self._t_start, 1e-9)
        return {
            "node": self.name,
            "state": rt.state if rt is not None else "built",
            "step": rt.time_step if rt is not None else 0,
            "uptime_s": round(wall, 4),
            "steps_per_s": round(steps / wall, 1),
            "real_time_factor": round(steps / (self.rate_hz * wall), 4) if self.rate_hz else None,
            "received": self.received,
            "dropped": sum(b.dropped for b in self.inputs),
            "malformed": sum(b.malformed for b in self.inputs),
            "published": self.published,
            "late_steps": self.clock.late if self.clock is not None else 0,
            "early_steps": self.clock.early_steps if self.clock is not None else 0,
            "master_restarts": getattr(self.transport, "reregistrations", 0),
            "realtime": self._rt_applied.describe(self._rt) if self._rt_applied is not None else "off",
        }

    def _publish_status(self) -> None:
        msg = self.transport.message_class("std_msgs/String")()
        msg.data = json.dumps(self.status())
        try:
            self._status_pub.publish(msg)
        except Exception:  # noqa: BLE001 - shutting down
            pass

    def _status_loop(self) -> None:
        while not self._done.wait(self.status_period):
            self._publish_status()

    def spin(self) -> int:
        """Run until ROS shuts down (0) or the network fails (1); then stop."""
        code = 0
        try:
            while not self.transport.is_shutdown():
                if self.runtime.state == "failed":
                    try:
                        self.runtime.wait()
                    except BaseException as e:  # noqa: BLE001 - reported here
                        self.error = e
                    self.transport.log("error", f"caldera_ros: the network failed, stopping {self.name}: {self.error}")
                    code = 1
                    break
                time.sleep(0.05)
        finally:
            self.stop(reason="network failed" if code else "shutdown")
        return code

    def stop(self, reason: str = "stopped") -> None:
        """Stop the network (its last state stays readable) and the node's threads; shut ROS down."""
        if self._done.is_set():
            return
        self._done.set()
        if self.runtime is not None and self.runtime.state != "stopped":
            try:
                self.runtime.stop()
            except BaseException as e:  # noqa: BLE001 - a failure already reported by spin()
                self.error = self.error or e
        for t in self._threads:
            t.join(timeout=5)
        if self._rt_applied is not None:  # the calling thread's scheduling and CPUs as they were; memory unlocked
            self._rt_applied.restore()
        if self._frozen:  # what start() froze may be collected again
            gc.unfreeze()
            self._frozen = False
        if self.transport is not None and self._status_pub is not None:
            self._publish_status()
            self.transport.shutdown(reason)

    def run(self) -> int:
        """``build()``, ``start()`` and ``spin()``: the whole life of the node; returns the exit code."""
        if self.runtime is None:
            self.build()
        try:
            self.start()
        except BaseException:
            self.stop(reason="start failed")
            raise
        return self.spin()


__all__ = ["Node", "RateLimitedLog"]
