"""Lava's ``lava.magma.core.sync.protocol``: ``AbstractSyncProtocol`` (caldera.protocols)."""

from caldera.protocols import AbstractSyncProtocol

from lava._compat import missing

__all__ = ["AbstractSyncProtocol"]
__getattr__ = missing(__name__)
