"""Step 7: what runs beside the lockstep: async models' thread channels and the sync domains."""

from __future__ import annotations

import threading
import typing as ty

from caldera.compiler.ordering import Plan
from caldera.compiler.wiring import Link
from caldera.errors import CompileError
from caldera.model import PyAsyncProcessModel
from caldera.process import Process
from caldera.protocols import AsyncProtocol, LoihiProtocol
from caldera.run_config import RunConfig
from caldera.sync_domain import SyncDomain


def thread_channels_for_async(models: dict[int, ty.Any], links: list[Link], plan: Plan) -> None:
    """Async models run in their own thread: their message queues become thread-safe blocking channels."""
    if not plan.async_models:
        return
    from caldera.channels import ThreadChannel

    plan.abort = threading.Event()
    for link in links:
        src, dst = models[link.src], models[link.dst]
        if isinstance(src, PyAsyncProcessModel) or isinstance(dst, PyAsyncProcessModel):
            ch = ThreadChannel(plan.abort, name=link.label(models))
            link.replace(models, ch, ch)


def sync_domains(run_cfg: RunConfig, leaves: list[Process], models: dict[int, ty.Any]) -> list[SyncDomain]:
    """Check custom sync domains against the selected models; put every other process in a default one."""
    leaf_ids = {p.id for p in leaves}
    placed: dict[int, str] = {}
    domains = []
    for dom in run_cfg.custom_sync_domains:
        if not isinstance(dom, SyncDomain):
            raise CompileError(f"custom_sync_domains holds {dom!r}, not a caldera.sync_domain.SyncDomain")
        members = []
        for proc in dom.processes:
            stack = [proc]
            while stack:
                q = stack.pop()
                stack.extend(q.sub_procs.values())
                if q.id not in leaf_ids:
                    continue
                if q.id in placed:
                    raise CompileError(f"{q.name} is in two sync domains: {placed[q.id]!r} and {dom.name!r}")
                model = models[q.id]
                proto = model.implements_protocol
                if proto is not None and not issubclass(proto, dom.protocol):
                    raise CompileError(
                        f"{q.name}'s model {type(model).__name__} implements {proto.__name__}, but sync domain "
                        f"{dom.name!r} uses {dom.protocol.__name__}"
                    )
                placed[q.id] = dom.name
                members.append(q)
        domains.append(SyncDomain(dom.name, dom.protocol, members))
    defaults: dict[type, SyncDomain] = {}
    for p in leaves:
        if p.id in placed:
            continue
        proto = AsyncProtocol if isinstance(models[p.id], PyAsyncProcessModel) else LoihiProtocol
        dom = defaults.get(proto)
        if dom is None:
            dom = defaults[proto] = SyncDomain(f"{proto.__name__}_default", proto, [])
            domains.append(dom)
        dom.processes.append(p)
    return domains


__all__ = ["thread_channels_for_async", "sync_domains"]
