"""One real roscore (loopback, private ROS_HOME, free port) for the ROS tests of the session."""

from __future__ import annotations

import pytest

from tests.ros.rosenv import RosCore, ros_available


@pytest.fixture(scope="session")
def core(tmp_path_factory):
    why = ros_available()
    if why is not None:
        pytest.skip(why)
    c = RosCore(str(tmp_path_factory.mktemp("roshome")))
    c.start()
    yield c
    c.stop()
