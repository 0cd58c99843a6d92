"""Lava's ``lava.magma.core.sync.protocols.async_protocol``: ``AsyncProtocol`` (caldera.protocols)."""

from caldera.protocols import AsyncProtocol

from lava._compat import missing

__all__ = ["AsyncProtocol"]
__getattr__ = missing(__name__)
