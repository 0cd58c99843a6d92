"""caldera-ros: a caldera network inside a ROS node.

``Node`` runs a network continuously between subscribed and published topics (``Input``/``Output``
bindings, encoders and decoders from ``caldera_ros.procs``); ``caldera ros run SPEC`` starts one from a
spec file. Encoders, decoders, message conversion (``caldera_ros.messages``), event binning and bag replay
(``caldera_ros.bag``, PyPI rosbags) work without ROS; only a started ``Node`` needs rospy (ROS 1).
"""

from caldera_ros.bag import ReplayResult, replay
from caldera_ros.bindings import DECODERS, ENCODERS, Input, Output, SpecError
from caldera_ros.clock import Pacer, StepClock
from caldera_ros.events import EventBinner
from caldera_ros.messages import MESSAGE_TYPES, Events, MessageError, message_definition
from caldera_ros.node import Node
from caldera_ros.procs import Argmax, LatencyEncoder, PopulationVector, RateEncoder, SpikeCounter, StateReader
from caldera_ros.realtime import RealTime
from caldera_ros.spec import load_spec, node_from_spec
from caldera_ros.transport import LoopbackTransport, Ros1Transport, Transport, TransportError

__version__ = "0.1.0"

__all__ = [
    "Node",
    "RealTime",
    "Input",
    "Output",
    "SpecError",
    "ENCODERS",
    "DECODERS",
    "load_spec",
    "node_from_spec",
    "replay",
    "ReplayResult",
    "Transport",
    "Ros1Transport",
    "LoopbackTransport",
    "TransportError",
    "StepClock",
    "Pacer",
    "EventBinner",
    "RateEncoder",
    "LatencyEncoder",
    "SpikeCounter",
    "PopulationVector",
    "Argmax",
    "StateReader",
    "MESSAGE_TYPES",
    "Events",
    "MessageError",
    "message_definition",
]
