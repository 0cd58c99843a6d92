"""``SyncDomain``: a named group of processes that share a synchronisation protocol.

The compiler puts every process into a domain: those named in
``RunConfig(custom_sync_domains=[...])`` into theirs, the others into one
default domain per protocol (``LoihiProtocol`` processes step in lockstep,
``AsyncProtocol`` processes run free). A process whose selected model does
not implement its domain's protocol is a compile error naming both.
"""

from __future__ import annotations

import typing as ty
from dataclasses import dataclass, field

from caldera.errors import ParameterError
from caldera.protocols import AbstractSyncProtocol


@dataclass
class SyncDomain:
    name: str
    protocol: AbstractSyncProtocol | type[AbstractSyncProtocol]
    processes: list = field(default_factory=list)

    def __post_init__(self) -> None:
        proto = self.protocol if isinstance(self.protocol, type) else type(self.protocol)
        if not (isinstance(proto, type) and issubclass(proto, AbstractSyncProtocol)):
            raise ParameterError(f"SyncDomain {self.name!r}: protocol must be a sync protocol, got {self.protocol!r}")
        self.protocol = proto
        self.processes = list(self.processes)

    def add_process(self, proc: ty.Any) -> None:
        self.processes.append(proc)

    def __repr__(self) -> str:
        return f"SyncDomain({self.name!r}, {self.protocol.__name__}, {[p.name for p in self.processes]})"


__all__ = ["SyncDomain"]
