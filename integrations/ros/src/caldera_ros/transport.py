"""What the node needs from a ROS client library, and its ROS 1 (rospy) implementation.

``Transport`` is the whole interface between ``caldera_ros.Node`` and ROS: start a node, look up message
classes, subscribe, advertise, read parameters, log, and tell when ROS shuts down. A ROS 2 (rclpy)
implementation would be a second class with these methods (see the README); the node does not change.

``Ros1Transport`` imports rospy only in ``start()``, so the rest of caldera-ros works without ROS. rospy does
not re-register with a restarted master; this transport does: a thread watches the master and, when it comes
back without knowing this node, registers every publication and subscription again and reconnects the
subscriptions to the current publishers.
"""

from __future__ import annotations

import threading
import typing as ty

from caldera.errors import CalderaError

from caldera_ros.messages import SHIPPED_MESSAGES, message_definition


class TransportError(CalderaError, RuntimeError):
    """ROS is missing or refused something."""


class Transport(ty.Protocol):
    def start(self, name: str, anonymous: bool = False) -> None: ...
    def message_class(self, type_name: str) -> type: ...
    def subscribe(
        self, topic: str, cls: type, callback: ty.Callable[[ty.Any], None], queue_size: int | None
    ) -> ty.Any: ...
    def publisher(self, topic: str, cls: type, latch: bool = False, queue_size: int | None = 10) -> ty.Any: ...
    def param(self, name: str, default: ty.Any = None) -> ty.Any: ...
    def stamp(self) -> ty.Any: ...
    def is_shutdown(self) -> bool: ...
    def shutdown(self, reason: str) -> None: ...
    def log(self, level: str, text: str) -> None: ...


def _dynamic_class(type_name: str) -> type:
    """A genpy class for a message type that ships with caldera-ros (Debian has no dvs_msgs)."""
    import genpy.dynamic

    deps = [n for n in SHIPPED_MESSAGES if n != type_name and n.split("/")[0] == type_name.split("/")[0]]
    sep = "\n" + "=" * 80 + "\n"
    text = message_definition(type_name)
    for dep in deps:
        text += f"{sep}MSG: {dep}\n{message_definition(dep)}"
    text += f"{sep}MSG: std_msgs/Header\nuint32 seq\ntime stamp\nstring frame_id\n"
    return genpy.dynamic.generate_dynamic(type_name, text)[type_name]


class Ros1Transport:
    """ROS 1 through rospy (Debian: python3-rospy and the message packages)."""

    def __init__(self, watch_master_s: float = 0.5) -> None:
        self.watch_master_s = watch_master_s
        self._classes: dict[str, type] = {}
        self._watch: threading.Thread | None = None
        self.reregistrations = 0

    def _rospy(self) -> ty.Any:
        try:
            import rospy
        except ImportError as e:
            raise TransportError(
                "the ROS node needs rospy (ROS 1): on Debian `apt-get install ros-core python3-rospy "
                "python3-std-msgs python3-sensor-msgs python3-geometry-msgs`, and a Python that sees it "
                f"(a venv with --system-site-packages on /usr/bin/python3) ({e})"
            ) from None
        return rospy

    def start(self, name: str, anonymous: bool = False) -> None:
        rospy = self._rospy()
        rospy.init_node(name, anonymous=anonymous, disable_signals=False)
        self._watch = threading.Thread(target=self._watch_master, name="caldera-ros-master", daemon=True)
        self._watch.start()

    def message_class(self, type_name: str) -> type:
        if type_name not in self._classes:
            if type_name in SHIPPED_MESSAGES:
                cls = _dynamic_class(type_name)
            else:
                import importlib

                pkg, _, base = type_name.partition("/")
                try:
                    cls = getattr(importlib.import_module(f"{pkg}.msg"), base)
                except (ImportError, AttributeError) as e:
                    raise TransportError(f"message type {type_name!r} is not installed ({e})") from None
            self._classes[type_name] = cls
        return self._classes[type_name]

    def subscribe(self, topic: str, cls: type, callback: ty.Callable[[ty.Any], None], queue_size: int | None) -> ty.Any:
        """Array fields arrive as NumPy arrays over the message's own bytes (rospy's ``numpy_msg``), not as
        tuples of Python numbers: the conversions take them as they are."""
        from rospy.numpy_msg import numpy_msg

        rospy = self._rospy()
        if hasattr(cls, "deserialize_numpy"):
            cls = numpy_msg(cls)
        return rospy.Subscriber(topic, cls, callback, queue_size=queue_size, tcp_nodelay=True)

    def publisher(self, topic: str, cls: type, latch: bool = False, queue_size: int | None = 10) -> ty.Any:
        """``queue_size=None``: ``publish()`` writes to the subscribers' sockets in the calling thread (no
        queue, no thread of rospy's in between); a number: rospy's queue and thread per subscriber."""
        import warnings

        rospy = self._rospy()
        with warnings.catch_warnings():  # rospy warns about every publisher without a queue_size, wanted or not
            warnings.filterwarnings("ignore", message=".*explicit keyword argument 'queue_size'")
            return rospy.Publisher(topic, cls, queue_size=queue_size, latch=latch, tcp_nodelay=True)

    def param(self, name: str, default: ty.Any = None) -> ty.Any:
        return self._rospy().get_param(name, default)

    def private_params(self, node_name: str, keys: ty.Iterable[str]) -> dict:
        """The node's private parameters among ``keys``, read from the master before the node starts
        (the network must be built, and its partitions forked, before rospy starts its threads)."""
        import os

        import rosgraph

        self._rospy()
        ns = os.environ.get("ROS_NAMESPACE", "/").rstrip("/")
        base = f"{ns}/{node_name.strip('/')}"
        master = rosgraph.Master(base)
        out = {}
        for k in keys:
            try:
                out[k] = master.getParam(f"{base}/{k}")
            except rosgraph.MasterError:
                pass  # not set
            except OSError as e:
                raise TransportError(f"no ROS master at {rosgraph.get_master_uri()} ({e}); start roscore") from None
        return out

    def stamp(self) -> ty.Any:
        return self._rospy().Time.now()

    def is_shutdown(self) -> bool:
        return bool(self._rospy().is_shutdown())

    def shutdown(self, reason: str) -> None:
        self._rospy().signal_shutdown(reason)

    def log(self, level: str, text: str) -> None:
        rospy = self._rospy()
        {"debug": rospy.logdebug, "info": rospy.loginfo, "warn": rospy.logwarn, "error": rospy.logerr}[level](text)

    # -- master restarts ------------------------------------------------------------------------------------
    def _watch_master(self) -> None:

        import rosgraph
        import rospy

        caller = rospy.get_name()
        master = rosgraph.Master(caller)
        while not rospy.is_shutdown():
            rospy.rostime.wallsleep(self.watch_master_s)
            try:
                master.lookupNode(caller)
                continue  # the master knows us
            except rosgraph.MasterError:
                pass  # a master that does not know this node: a new one
            except OSError:
                continue  # no master right now; rospy keeps its peer connections meanwhile
            try:
                self._register_again(master)
            except Exception as e:  # noqa: BLE001 - the master may go away again; try next round
                rospy.logwarn(f"caldera_ros: re-registering with the master failed ({e}); retrying")

    def _register_again(self, master: ty.Any) -> None:
        import xmlrpc.client

        import rospy
        from rospy.impl.registration import get_topic_manager

        uri = rospy.get_node_uri()
        tm = get_topic_manager()
        for topic, type_ in tm.get_publications():
            master.registerPublisher(topic, type_, uri)
        for topic, type_ in tm.get_subscriptions():
            pubs = master.registerSubscriber(topic, type_, uri)
            # what the master would tell us: connect to the topic's current publishers
            xmlrpc.client.ServerProxy(uri).publisherUpdate("/master", topic, pubs)
        self.reregistrations += 1
        rospy.loginfo(f"caldera_ros: the ROS master restarted; registered {rospy.get_name()} again")


class _Plain:
    """A message without ROS: fields with defaults, nested messages built on access (see ``LoopbackTransport``)."""

    _fields: dict[str, ty.Any] = {}

    def __init__(self, **kw: ty.Any) -> None:
        for k, v in self._fields.items():
            setattr(self, k, v() if callable(v) else v)
        for k, v in kw.items():
            setattr(self, k, v)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={getattr(self, k)!r}' for k in self._fields)})"


def _plain(name: str, **fields: ty.Any) -> type:
    return type(name.replace("/", "_"), (_Plain,), {"_fields": fields, "_type": name})


_VEC = _plain("geometry_msgs/Vector3", x=0.0, y=0.0, z=0.0)
_HEADER = _plain("std_msgs/Header", seq=0, stamp=0.0, frame_id="")
PLAIN_TYPES: dict[str, type] = {
    "std_msgs/String": _plain("std_msgs/String", data=""),
    "std_msgs/Float32": _plain("std_msgs/Float32", data=0.0),
    "std_msgs/Float64": _plain("std_msgs/Float64", data=0.0),
    "std_msgs/Float32MultiArray": _plain("std_msgs/Float32MultiArray", data=list),
    "std_msgs/Float64MultiArray": _plain("std_msgs/Float64MultiArray", data=list),
    "geometry_msgs/Vector3": _VEC,
    "geometry_msgs/Point": _plain("geometry_msgs/Point", x=0.0, y=0.0, z=0.0),
    "geometry_msgs/Twist": _plain("geometry_msgs/Twist", linear=_VEC, angular=_VEC),
    "geometry_msgs/PointStamped": _plain(
        "geometry_msgs/PointStamped", header=_HEADER, point=_plain("geometry_msgs/Point", x=0.0, y=0.0, z=0.0)
    ),
    "rosgraph_msgs/Clock": _plain("rosgraph_msgs/Clock", clock=0.0),
}


class LoopbackTransport:
    """In-process topics without ROS: for tests, and for driving a ``Node`` from Python.

    ``publish(topic, msg)`` calls the node's subscribers on the caller's thread; what the node publishes is
    kept in ``published[topic]`` (and passed to ``on_publish`` callbacks). Messages of any type may be plain
    objects with the right fields (``PLAIN_TYPES`` has classes for the common ones).
    """

    def __init__(self) -> None:
        self.subscribers: dict[str, list[ty.Callable[[ty.Any], None]]] = {}
        self.published: dict[str, list[ty.Any]] = {}
        self.on_publish: list[ty.Callable[[str, ty.Any], None]] = []
        self.logs: list[tuple[str, str]] = []
        self.params: dict[str, ty.Any] = {}
        self.name = ""
        self._shutdown = threading.Event()
        self._lock = threading.Lock()

    def start(self, name: str, anonymous: bool = False) -> None:
        self.name = "/" + name.strip("/")

    def message_class(self, type_name: str) -> type:
        return PLAIN_TYPES.get(type_name) or _plain(type_name)

    def subscribe(self, topic: str, cls: type, callback: ty.Callable[[ty.Any], None], queue_size: int | None) -> None:
        self.subscribers.setdefault(topic, []).append(callback)

    def publisher(self, topic: str, cls: type, latch: bool = False, queue_size: int | None = 10) -> ty.Any:
        if topic.startswith("~"):
            topic = f"{self.name}/{topic[1:]}"
        outer = self

        class _Pub:
            def publish(self, msg: ty.Any) -> None:
                with outer._lock:
                    outer.published.setdefault(topic, []).append(msg)
                for cb in outer.on_publish:
                    cb(topic, msg)

        return _Pub()

    def publish(self, topic: str, msg: ty.Any) -> None:
        for cb in self.subscribers.get(topic, []):
            cb(msg)

    def param(self, name: str, default: ty.Any = None) -> ty.Any:
        return self.params.get(name, default)

    def stamp(self) -> float:
        import time

        return time.time()

    def is_shutdown(self) -> bool:
        return self._shutdown.is_set()

    def shutdown(self, reason: str) -> None:
        self._shutdown.set()

    def log(self, level: str, text: str) -> None:
        with self._lock:
            self.logs.append((level, text))


__all__ = ["Transport", "Ros1Transport", "LoopbackTransport", "TransportError", "PLAIN_TYPES"]
