"""Lava's ``lava.magma.core.process.ports.ports`` (caldera.ports).

``OutPort.connect``/``InPort.connect_from``, hierarchy, ``RefPort.connect_var``/``VarPort``, and the
virtual ports ``reshape``, ``flatten``, ``transpose`` and ``concat_with``. Shapes are checked when
connecting (``caldera.errors.PortConnectionError``, a ``ValueError``).
"""

from caldera.ports import (
    AbstractIOPort,
    AbstractPort,
    ConcatPort,
    InPort,
    OutPort,
    RefPort,
    ReshapePort,
    TransposePort,
    VarPort,
)
from caldera.ports import VirtualPort as AbstractVirtualPort

from lava._compat import missing

_INTERNAL = "not supported: an internal base class of Lava's ports; caldera.ports.AbstractPort is the common base"
__all__ = [
    "AbstractPort",
    "AbstractIOPort",
    "AbstractVirtualPort",
    "OutPort",
    "InPort",
    "RefPort",
    "VarPort",
    "ReshapePort",
    "ConcatPort",
    "TransposePort",
]
__getattr__ = missing(
    __name__,
    {
        "AbstractSrcPort": _INTERNAL,
        "AbstractDstPort": _INTERNAL,
        "AbstractRVPort": _INTERNAL,
        "ImplicitVarPort": "not supported: RefPort.connect_var(var) needs no implicit VarPort in caldera",
        "ConnectionConfigs": "not supported: connection configs apply to Loihi hardware only",
        "to_list": _INTERNAL,
        "is_disjoint": _INTERNAL,
        "create_port_id": _INTERNAL,
    },
)
