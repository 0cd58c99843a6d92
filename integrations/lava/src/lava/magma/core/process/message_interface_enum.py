"""Lava's ``lava.magma.core.process.message_interface_enum``: ``ActorType``.

Accepted by ``lava.magma.runtime.runtime.Runtime``; caldera runs a network in one OS process (or in
parallel partitions chosen with ``RunConfig(partitions=...)``), not one actor per process model.
"""

from enum import IntEnum

from lava._compat import missing


class ActorType(IntEnum):
    MultiProcessing = 0


__all__ = ["ActorType"]
__getattr__ = missing(__name__)
