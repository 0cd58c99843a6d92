"""Lava's ``lava.magma.core.sync.domain``: ``SyncDomain`` (caldera.sync_domain)."""

from caldera.sync_domain import SyncDomain

from lava._compat import missing

__all__ = ["SyncDomain"]
__getattr__ = missing(__name__)
