"""The compiler: from the process that is run to models wired for execution.

:func:`compile_network` is the whole pipeline; each step is a module of this package:

1. :mod:`~caldera.compiler.collection` — every process connected to the root;
2. :mod:`~caldera.compiler.selection` — a backend and a model per process, hierarchy expanded;
3. :mod:`~caldera.compiler.building` — model instances, Vars materialised and checked;
4. :mod:`~caldera.compiler.wiring` — message queues between model ports;
5. :mod:`~caldera.compiler.ordering` — the static order of a step (cycles rejected);
6. :mod:`~caldera.compiler.partitioning` — partitions, one or more per backend;
7. :mod:`~caldera.compiler.concurrency` — async models' channels and the sync domains.

The compiler knows processes, models and backends; it never imports the runtime
or an executor (a backend makes its executor from a :class:`Plan`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from caldera.backend import Backend
from caldera.compiler.building import build_model, build_models, materialize_var
from caldera.compiler.collection import collect_processes
from caldera.compiler.concurrency import sync_domains, thread_channels_for_async
from caldera.compiler.ordering import Plan, order, subplan
from caldera.compiler.partitioning import AUTO_PARTITION_MIN_COST, Partition, assign_partitions, split_plan
from caldera.compiler.selection import CPU_PLUGIN_HINT, select_backend, select_model, select_models, user_models
from caldera.compiler.wiring import Link, wire
from caldera.errors import CompileError
from caldera.model import AbstractPyProcessModel
from caldera.process import Process
from caldera.run_config import RunConfig


@dataclass
class CompiledNetwork:
    """Everything the runtime needs to run a network; made by :func:`compile_network`."""

    processes: list[Process]  # every process, hierarchical parents included
    leaves: list[Process]
    models: dict[int, AbstractPyProcessModel]
    plan: Plan
    backend: Backend
    run_cfg: RunConfig
    model_classes: dict[int, type]
    partitions: list[Partition] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    #: the step the network resumes from (a loaded network continues where it was saved)
    start_time_step: int = 0
    sync_domains: list = field(default_factory=list)


def _check_free(root: Process) -> None:
    for p in collect_processes(root):
        if p._runtime is not None:
            raise CompileError(
                f"{p.name} already belongs to a compiled network; a process can be part of one network only"
            )


def compile_network(
    root: Process, run_cfg: RunConfig | None = None, *, local_partition: int | None = None
) -> CompiledNetwork:
    """Compile the network ``root`` belongs to, for ``run_cfg`` (default: ``RunConfig()``).

    With ``local_partition`` (an MPI rank's own partition) only that partition's models get their state;
    the others are shells (ports, no Vars: see :func:`~caldera.compiler.building.build_model`), so a rank's
    memory holds its share of the network, not the whole of it.
    """
    run_cfg = run_cfg if run_cfg is not None else RunConfig()
    if not isinstance(run_cfg, RunConfig):
        raise CompileError(f"run_cfg must be a caldera.RunConfig, got {type(run_cfg).__name__}")
    _check_free(root)
    sel = select_models(root, run_cfg)
    strict = run_cfg.value_checks == "strict"
    if local_partition is None:
        models = build_models(sel.leaves, sel.model_classes, strict=strict)
        partitions = None
    else:  # partitions first: they decide which models this rank builds in full
        partitions = assign_partitions(sel.leaves, sel.model_classes, run_cfg, sel.backends, sel.processes)
        mine = partitions[local_partition].ids if local_partition < len(partitions) else set()
        models = build_models(sel.leaves, sel.model_classes, strict=strict, state=mine)
    links: list[Link] = []
    feeders = wire(models, sel.leaves, links)
    plan = order(sel.leaves, models, feeders)
    thread_channels_for_async(models, links, plan)
    if partitions is None:
        partitions = assign_partitions(sel.leaves, sel.model_classes, run_cfg, sel.backends, sel.processes)
    split_plan(partitions, plan)
    domains = sync_domains(run_cfg, sel.leaves, models)
    start = max(int(getattr(p, "_start_time_step", 0)) for p in sel.processes)
    for m in models.values():
        m.time_step = start
    return CompiledNetwork(
        processes=sel.processes,
        leaves=sel.leaves,
        models=models,
        plan=plan,
        backend=partitions[0].backend,
        run_cfg=run_cfg,
        model_classes=sel.model_classes,
        partitions=partitions,
        links=links,
        start_time_step=start,
        sync_domains=domains,
    )


__all__ = [
    "compile_network",
    "CompiledNetwork",
    "Plan",
    "Partition",
    "Link",
    "subplan",
    "select_model",
    "select_backend",
    "user_models",
    "collect_processes",
    "build_model",
    "materialize_var",
    "AUTO_PARTITION_MIN_COST",
    "CPU_PLUGIN_HINT",
]
