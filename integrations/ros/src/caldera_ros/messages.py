"""ROS messages <-> NumPy arrays, for the message types the bridge understands.

The conversions read and write message fields by name only, so they work on rospy's generated classes, on
the dataclasses that PyPI ``rosbags`` deserializes bags into, and on any object with the same fields; no ROS
installation is needed here. A message that does not fit (wrong type, wrong size, unknown image encoding,
non-finite numbers) raises ``MessageError`` with the reason; the node drops it and counts it.

``dvs_msgs/EventArray`` (event cameras) is not in Debian's ROS: its definition ships with this package
(``caldera_ros/msg/dvs_msgs``) and ``message_definition`` returns it, for genpy or rosbags to build the type.
"""

from __future__ import annotations

import importlib.resources
import math
import typing as ty
from dataclasses import dataclass

import numpy as np
from caldera.errors import CalderaError


class MessageError(CalderaError, ValueError):
    """A message that cannot be converted; the message says why."""


@dataclass
class Events:
    """The events of one ``dvs_msgs/EventArray``: columns ``x``, rows ``y``, times ``t`` (s), polarities ``p``."""

    x: np.ndarray
    y: np.ndarray
    t: np.ndarray
    p: np.ndarray
    width: int = 0
    height: int = 0

    def __len__(self) -> int:
        return len(self.t)


def _stamp_seconds(stamp: ty.Any) -> float:
    """A ROS time (rospy ``Time``/genpy, rosbags ``sec/nanosec``, or a float) in seconds."""
    if isinstance(stamp, (int, float)):
        return float(stamp)
    if hasattr(stamp, "to_sec"):
        return float(stamp.to_sec())
    secs = getattr(stamp, "secs", getattr(stamp, "sec", None))
    nsecs = getattr(stamp, "nsecs", getattr(stamp, "nanosec", None))
    if secs is None or nsecs is None:
        raise MessageError(f"not a ROS time: {type(stamp).__name__}")
    return float(secs) + 1e-9 * float(nsecs)


def _finite(name: str, arr: np.ndarray) -> np.ndarray:
    # the sum of finite values is finite unless it overflows: one pass in the common case, two when in doubt
    if arr.dtype.kind != "f":
        return arr
    with np.errstate(over="ignore", invalid="ignore"):
        total = arr.sum()
    if not math.isfinite(total) and not np.isfinite(arr).all():
        raise MessageError(f"{name} holds non-finite values")
    return arr


def _numbers(name: str, values: ty.Any) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as e:
        raise MessageError(f"{name} is not a sequence of numbers ({e})") from None
    if arr.ndim != 1:
        raise MessageError(f"{name} is not a flat sequence of numbers (shape {arr.shape})")
    return arr


# -- messages -> arrays -----------------------------------------------------------------------------------
def _field(msg: ty.Any, name: str) -> ty.Any:
    try:
        return getattr(msg, name)
    except AttributeError:
        raise MessageError(f"message of type {type(msg).__name__} has no field {name!r}") from None


def multiarray_to_array(msg: ty.Any) -> np.ndarray:
    return _finite("data", _numbers("data", _field(msg, "data")))


def scalar_to_array(msg: ty.Any) -> np.ndarray:
    v = _field(msg, "data")
    if isinstance(v, (bool, str, bytes)) or not isinstance(v, (int, float, np.number)):
        raise MessageError(f"data must be a number, got {type(v).__name__}")
    return _finite("data", np.array([float(v)]))


_IMAGE_DTYPES = {
    "mono8": ("u1", 1),
    "8UC1": ("u1", 1),
    "mono16": ("u2", 1),
    "16UC1": ("u2", 1),
    "32FC1": ("f4", 1),
    "64FC1": ("f8", 1),
    "rgb8": ("u1", 3),
    "bgr8": ("u1", 3),
    "rgba8": ("u1", 4),
    "bgra8": ("u1", 4),
}


def image_to_array(msg: ty.Any) -> np.ndarray:
    """A ``sensor_msgs/Image`` as a (height, width) float array; colour images become the mean of R, G, B."""
    enc = _field(msg, "encoding")
    if enc not in _IMAGE_DTYPES:
        raise MessageError(f"image encoding {enc!r} is not supported; supported: {', '.join(_IMAGE_DTYPES)}")
    kind, channels = _IMAGE_DTYPES[enc]
    h, w, step = int(_field(msg, "height")), int(_field(msg, "width")), int(_field(msg, "step"))
    dt = np.dtype(kind).newbyteorder(">" if getattr(msg, "is_bigendian", 0) else "<")
    row = w * channels * dt.itemsize
    raw = _field(msg, "data")
    buf = np.frombuffer(bytes(raw) if not isinstance(raw, np.ndarray) else raw.tobytes(), dtype=np.uint8)
    if h < 1 or w < 1 or step < row or buf.size < step * (h - 1) + row:
        raise MessageError(f"image {w}x{h} ({enc}, step {step}) does not fit its {buf.size} data bytes")
    rows = np.lib.stride_tricks.as_strided(buf, shape=(h, row), strides=(step, 1))
    img = np.ascontiguousarray(rows).view(dt).reshape(h, w, channels).astype(float)
    if channels > 1:
        img = img[..., :3].mean(axis=2)
    else:
        img = img[..., 0]
    return _finite("image data", img)


def laserscan_to_array(msg: ty.Any, invalid: float | None = None) -> np.ndarray:
    """The ranges of a ``sensor_msgs/LaserScan``; readings outside [range_min, range_max] (or non-finite)
    become ``invalid`` (default: range_max, "nothing seen")."""
    r = _numbers("ranges", _field(msg, "ranges"))
    lo, hi = float(_field(msg, "range_min")), float(_field(msg, "range_max"))
    fill = hi if invalid is None else float(invalid)
    bad = ~np.isfinite(r) | (r < lo) | (r > hi)
    return np.where(bad, fill, r)


def jointstate_to_array(msg: ty.Any, field: str = "position", joints: ty.Sequence[str] | None = None) -> np.ndarray:
    """One field (position, velocity or effort) of a ``sensor_msgs/JointState``, in the order of ``joints``."""
    if field not in ("position", "velocity", "effort"):
        raise MessageError(f"JointState field must be position, velocity or effort, got {field!r}")
    vals = _finite(field, _numbers(field, _field(msg, field)))
    if joints is None:
        return vals
    names = list(_field(msg, "name"))
    if len(names) != len(vals):
        raise MessageError(f"JointState has {len(names)} names but {len(vals)} {field} values")
    try:
        return vals[[names.index(j) for j in joints]]
    except ValueError:
        missing = [j for j in joints if j not in names]
        raise MessageError(f"JointState lacks joints {missing}") from None


def events_of(msg: ty.Any) -> Events:
    """The events of a ``dvs_msgs/EventArray`` as arrays."""
    evs = _field(msg, "events")
    try:
        n = len(evs)
        x = np.fromiter((e.x for e in evs), dtype=np.int64, count=n)
        y = np.fromiter((e.y for e in evs), dtype=np.int64, count=n)
        t = np.fromiter((_stamp_seconds(e.ts) for e in evs), dtype=float, count=n)
        p = np.fromiter((bool(e.polarity) for e in evs), dtype=bool, count=n)
    except (AttributeError, TypeError) as e:
        raise MessageError(f"events are not dvs_msgs/Event ({e})") from None
    return Events(x, y, t, p, int(getattr(msg, "width", 0)), int(getattr(msg, "height", 0)))


# -- arrays -> messages ------------------------------------------------------------------------------------
def _set(msg: ty.Any, path: str, value: ty.Any) -> None:
    *head, last = path.split(".")
    obj = msg
    for part in head:
        obj = getattr(obj, part)
    setattr(obj, last, value)


def array_to_multiarray(cls: type, arr: np.ndarray, **_: ty.Any) -> ty.Any:
    msg = cls()
    msg.data = [float(v) for v in np.asarray(arr, dtype=float).reshape(-1)]
    return msg


def array_to_scalar(cls: type, arr: np.ndarray, **_: ty.Any) -> ty.Any:
    msg = cls()
    msg.data = float(np.asarray(arr, dtype=float).reshape(-1)[0])
    return msg


TWIST_FIELDS = ("linear.x", "linear.y", "linear.z", "angular.x", "angular.y", "angular.z")


def array_to_fields(
    cls: type, arr: np.ndarray, fields: ty.Sequence[str], scale: ty.Any = 1.0, stamp: ty.Any = None
) -> ty.Any:
    """A message whose numeric ``fields`` (dotted paths) take the array's values times ``scale``."""
    vals = np.asarray(arr, dtype=float).reshape(-1) * np.broadcast_to(np.asarray(scale, dtype=float), (len(fields),))
    msg = cls()
    if stamp is not None and hasattr(msg, "header"):
        msg.header.stamp = stamp
    for f, v in zip(fields, vals):
        _set(msg, f, float(v) if math.isfinite(v) else 0.0)
    return msg


# -- the table ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MessageType:
    """How one ROS message type converts: ``to_array(msg, **options)`` and/or ``from_array(cls, arr, ...)``."""

    name: str
    to_array: ty.Callable[..., ty.Any] | None = None
    from_array: ty.Callable[..., ty.Any] | None = None
    #: for from_array: the numeric fields filled from the array, in order (None: data fields)
    fields: tuple[str, ...] | None = None
    stamped: bool = False


MESSAGE_TYPES: dict[str, MessageType] = {
    t.name: t
    for t in [
        MessageType("std_msgs/Float32MultiArray", multiarray_to_array, array_to_multiarray),
        MessageType("std_msgs/Float64MultiArray", multiarray_to_array, array_to_multiarray),
        MessageType("std_msgs/Float32", scalar_to_array, array_to_scalar),
        MessageType("std_msgs/Float64", scalar_to_array, array_to_scalar),
        MessageType("sensor_msgs/Image", image_to_array),
        MessageType("sensor_msgs/LaserScan", laserscan_to_array),
        MessageType("sensor_msgs/JointState", jointstate_to_array),
        MessageType("dvs_msgs/EventArray", events_of),
        MessageType("geometry_msgs/Twist", None, array_to_fields, TWIST_FIELDS),
        MessageType("geometry_msgs/Vector3", None, array_to_fields, ("x", "y", "z")),
        MessageType("geometry_msgs/Point", None, array_to_fields, ("x", "y", "z")),
        MessageType("geometry_msgs/PointStamped", None, array_to_fields, ("point.x", "point.y", "point.z"), True),
    ]
}


def message_type(name: str, direction: str, where: str) -> MessageType:
    """The entry for ``name``; ``direction`` is "in" (subscribed) or "out" (published)."""
    t = MESSAGE_TYPES.get(name)
    ok = t is not None and (t.to_array if direction == "in" else t.from_array) is not None
    if not ok:
        able = [n for n, m in MESSAGE_TYPES.items() if (m.to_array if direction == "in" else m.from_array)]
        raise MessageError(
            f"{where}: message type {name!r} is not supported for {'inputs' if direction == 'in' else 'outputs'}; "
            f"supported: {', '.join(able)}"
        )
    return t  # type: ignore[return-value]


def message_definition(name: str) -> str:
    """The ``.msg`` text of a message type shipped with this package (``dvs_msgs/Event``, ``dvs_msgs/EventArray``)."""
    pkg, _, base = name.partition("/")
    res = importlib.resources.files("caldera_ros") / "msg" / pkg / f"{base}.msg"
    if not res.is_file():
        raise MessageError(f"no message definition for {name!r} ships with caldera-ros")
    return res.read_text()


SHIPPED_MESSAGES = ("dvs_msgs/Event", "dvs_msgs/EventArray")

__all__ = [
    "MessageError",
    "Events",
    "MessageType",
    "MESSAGE_TYPES",
    "message_type",
    "message_definition",
    "SHIPPED_MESSAGES",
    "events_of",
    "image_to_array",
    "laserscan_to_array",
    "jointstate_to_array",
    "multiarray_to_array",
    "scalar_to_array",
    "array_to_fields",
    "array_to_multiarray",
    "array_to_scalar",
    "TWIST_FIELDS",
]
