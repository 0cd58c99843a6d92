"""Message <-> array conversion without ROS: duck-typed messages, exact values, malformed input rejected."""

from __future__ import annotations

import struct
from types import SimpleNamespace as NS

import numpy as np
import pytest
from caldera_ros import messages as m
from caldera_ros.messages import MessageError


def test_multiarray_and_scalars():
    np.testing.assert_array_equal(m.multiarray_to_array(NS(data=[1.5, -2.0, 3.0])), [1.5, -2.0, 3.0])
    np.testing.assert_array_equal(m.scalar_to_array(NS(data=2.5)), [2.5])
    with pytest.raises(MessageError, match="non-finite"):
        m.multiarray_to_array(NS(data=[1.0, float("nan")]))
    with pytest.raises(MessageError, match="not a sequence of numbers"):
        m.multiarray_to_array(NS(data=["a", "b"]))
    with pytest.raises(MessageError, match="no field 'data'"):
        m.multiarray_to_array(NS(values=[1.0]))
    with pytest.raises(MessageError, match="must be a number"):
        m.scalar_to_array(NS(data="3"))


def _image(encoding, h, w, pixels: bytes, step=None, big=0):
    return NS(
        encoding=encoding,
        height=h,
        width=w,
        step=step if step is not None else len(pixels) // h,
        is_bigendian=big,
        data=pixels,
    )


def test_images_with_padding_endianness_and_colour():
    # mono8 with 2 bytes of row padding
    img = _image("mono8", 2, 3, bytes([1, 2, 3, 0, 0, 4, 5, 6, 0, 0]), step=5)
    np.testing.assert_array_equal(m.image_to_array(img), [[1, 2, 3], [4, 5, 6]])
    be = _image("mono16", 1, 2, struct.pack(">HH", 258, 65535), big=1)
    np.testing.assert_array_equal(m.image_to_array(be), [[258, 65535]])
    le = _image("16UC1", 1, 2, struct.pack("<HH", 258, 7))
    np.testing.assert_array_equal(m.image_to_array(le), [[258, 7]])
    rgb = _image("rgb8", 1, 2, bytes([30, 60, 90, 0, 0, 3]))
    np.testing.assert_array_equal(m.image_to_array(rgb), [[60, 1]])
    f = _image("32FC1", 1, 2, struct.pack("<ff", 0.5, -1.25))
    np.testing.assert_array_equal(m.image_to_array(f), [[0.5, -1.25]])
    # rosbags hands uint8 arrays instead of bytes
    arr = _image("mono8", 1, 2, np.array([9, 8], dtype=np.uint8), step=2)
    np.testing.assert_array_equal(m.image_to_array(arr), [[9, 8]])


def test_bad_images():
    with pytest.raises(MessageError, match="encoding 'yuv422' is not supported"):
        m.image_to_array(_image("yuv422", 1, 1, b"\0\0"))
    with pytest.raises(MessageError, match="does not fit its 5 data bytes"):
        m.image_to_array(_image("mono8", 2, 3, bytes(5), step=3))
    with pytest.raises(MessageError, match="non-finite"):
        m.image_to_array(_image("32FC1", 1, 1, struct.pack("<f", float("inf"))))


def test_laserscan_invalid_readings_and_jointstate_order():
    scan = NS(ranges=[0.5, float("inf"), 0.05, 3.0, float("nan"), 11.0], range_min=0.1, range_max=10.0)
    np.testing.assert_array_equal(m.laserscan_to_array(scan), [0.5, 10, 10, 3.0, 10, 10])
    np.testing.assert_array_equal(m.laserscan_to_array(scan, invalid=0), [0.5, 0, 0, 3.0, 0, 0])
    js = NS(name=["a", "b", "c"], position=[1.0, 2.0, 3.0], velocity=[0.1, 0.2, 0.3], effort=[])
    np.testing.assert_array_equal(m.jointstate_to_array(js), [1, 2, 3])
    np.testing.assert_array_equal(m.jointstate_to_array(js, "velocity", ["c", "a"]), [0.3, 0.1])
    with pytest.raises(MessageError, match=r"lacks joints \['z'\]"):
        m.jointstate_to_array(js, joints=["a", "z"])
    with pytest.raises(MessageError, match="3 names but 0 effort"):
        m.jointstate_to_array(js, "effort", ["a"])


def test_events_from_rospy_and_rosbags_style_times():
    evs = [
        NS(x=3, y=4, ts=NS(secs=1, nsecs=500_000_000), polarity=True),
        NS(x=0, y=1, ts=NS(sec=2, nanosec=250_000_000), polarity=False),
    ]
    e = m.events_of(NS(events=evs, width=10, height=8))
    np.testing.assert_array_equal(e.x, [3, 0])
    np.testing.assert_array_equal(e.y, [4, 1])
    np.testing.assert_array_equal(e.t, [1.5, 2.25])
    np.testing.assert_array_equal(e.p, [True, False])
    assert (e.width, e.height, len(e)) == (10, 8, 2)
    with pytest.raises(MessageError, match="not dvs_msgs/Event"):
        m.events_of(NS(events=[NS(x=1)]))


def test_arrays_to_messages():
    class Vec:
        def __init__(self):
            self.x = self.y = self.z = 0.0

    class Twist:
        def __init__(self):
            self.linear, self.angular = Vec(), Vec()

    t = m.array_to_fields(Twist, np.array([0.5]), fields=["angular.z"], scale=2.0)
    assert (t.angular.z, t.linear.x) == (1.0, 0.0)
    t = m.array_to_fields(Twist, np.array([1.0, 2.0]), fields=m.TWIST_FIELDS[:2])
    assert (t.linear.x, t.linear.y) == (1.0, 2.0)

    class Multi:
        data: list = []

    assert m.array_to_multiarray(Multi, np.array([[1, 2], [3, 4]])).data == [1.0, 2.0, 3.0, 4.0]


def test_message_table_and_shipped_definitions():
    with pytest.raises(MessageError, match="'sensor_msgs/Imu' is not supported for inputs"):
        m.message_type("sensor_msgs/Imu", "in", "inputs[0]")
    with pytest.raises(MessageError, match="inputs\\[1\\]: message type 'geometry_msgs/Twist' is not supported"):
        m.message_type("geometry_msgs/Twist", "in", "inputs[1]")
    assert m.message_type("geometry_msgs/Twist", "out", "outputs[0]").fields == m.TWIST_FIELDS
    text = m.message_definition("dvs_msgs/EventArray")
    assert "Event[] events" in text and "Header header" in text
    assert "time ts" in m.message_definition("dvs_msgs/Event")
    with pytest.raises(MessageError, match="no message definition"):
        m.message_definition("dvs_msgs/Nope")


def test_shipped_event_array_has_the_dvs_msgs_checksum():
    """Same definition as the dvs_msgs package (rpg_dvs_ros): real event-camera drivers interoperate."""
    pytest.importorskip("genmsg")
    import genmsg.gentools
    import genmsg.msg_loader

    ctx = genmsg.msg_loader.MsgContext.create_default()
    for name in ("dvs_msgs/Event", "dvs_msgs/EventArray"):
        genmsg.msg_loader.load_msg_from_string(ctx, m.message_definition(name), name)
    header = "uint32 seq\ntime stamp\nstring frame_id\n"
    genmsg.msg_loader.load_msg_from_string(ctx, header, "std_msgs/Header")
    spec = ctx.get_registered("dvs_msgs/EventArray")
    assert genmsg.gentools.compute_md5(ctx, spec) == "5e8beee5a6c107e504c2e78903c224b8"
