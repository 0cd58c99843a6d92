"""caldera-ros: a caldera network inside a ROS node.

Encoders and decoders (``caldera_ros.procs``), message conversion (``caldera_ros.messages``), event binning and
bag replay work without ROS; ``Node`` needs rospy (ROS 1) only when it starts.
"""

from caldera_ros.messages import MESSAGE_TYPES, Events, MessageError, message_definition
from caldera_ros.procs import Argmax, LatencyEncoder, PopulationVector, RateEncoder, SpikeCounter, StateReader

__version__ = "0.1.0"

__all__ = [
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
