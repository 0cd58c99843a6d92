"""caldera-loihi: an open Loihi 2 emulator backend for Caldera.

* backend ``loihi``: bit-accurate ``fixed_pt`` models of the standard processes
  (:mod:`caldera_loihi.models`), mapped onto neuro-cores and chips at compile
  time under :class:`LoihiLimits` (:mod:`caldera_loihi.mapper`);
* after a run, :func:`report` gives cores, chips, per-process resources,
  per-step activity and estimated energy/time (:mod:`caldera_loihi.reporting`,
  figures in :mod:`caldera_loihi.energy`); ``caldera loihi report`` prints it;
* :func:`caldera_loihi.convert.to_fixed` turns a ``floating_pt`` LIF/Dense/Sparse
  network into ``fixed_pt`` parameters with a quantization report.
"""

from __future__ import annotations

import typing as ty

from caldera.errors import ParameterError
from caldera.lazy import lazy_exports

if ty.TYPE_CHECKING:
    from caldera_loihi.config import configure, system
    from caldera_loihi.energy import DAVIES2018, EnergyTable
    from caldera_loihi.limits import LOIHI1, LOIHI2, LoihiLimits
    from caldera_loihi.mapper import Mapping, MappingError
    from caldera_loihi.reporting import LoihiReport

__version__ = "0.1.0"

# The public names, imported on first use: the plugin is loaded at every session's first compile,
# whatever the backend, so loading it must not import the mapper, the report and their dependencies.
_LAZY = {
    "configure": "caldera_loihi.config",
    "system": "caldera_loihi.config",
    "DAVIES2018": "caldera_loihi.energy",
    "EnergyTable": "caldera_loihi.energy",
    "LOIHI1": "caldera_loihi.limits",
    "LOIHI2": "caldera_loihi.limits",
    "LoihiLimits": "caldera_loihi.limits",
    "Mapping": "caldera_loihi.mapper",
    "MappingError": "caldera_loihi.mapper",
    "LoihiReport": "caldera_loihi.reporting",
}


__getattr__, __dir__ = lazy_exports(globals(), _LAZY)


def _runtime_of(proc: ty.Any) -> ty.Any:
    rt = getattr(proc, "runtime", None)
    if rt is None:
        raise ParameterError(f"{getattr(proc, 'name', proc)!r} has not been run yet; run it on backend 'loihi' first")
    return rt


def _loihi_partitions(proc: ty.Any, rt: ty.Any) -> list:
    """The partitions run by the emulator (the one ``proc`` is in first), else a clear error."""
    parts = [p for p in rt.partitions if p.backend.name == "loihi"]
    if not parts:
        raise ParameterError(f"{proc.name!r} ran on backend {rt.backend!r}, not 'loihi': there is no Loihi report")
    return sorted(parts, key=lambda p: proc.id not in p.ids)


def _executor_of(proc: ty.Any) -> ty.Any:
    from caldera_loihi.executor import LoihiExecutor

    rt = _runtime_of(proc)
    part = _loihi_partitions(proc, rt)[0]
    ex = rt.executor if rt.group is None or part.index == 0 else None
    if not isinstance(ex, LoihiExecutor):
        raise ParameterError(
            f"the loihi partition of {proc.name!r} runs in another OS process; use report(), "
            "which fetches it, instead of mapping()"
        )
    return ex


def report(proc: ty.Any) -> LoihiReport:
    """The activity and energy report of the emulated part of the network ``proc`` belongs to.

    Works for plain ``loihi`` runs and for heterogeneous or parallel runs
    (``RunConfig(backend_map=..., partitions=...)``), where emulated
    partitions may run in other OS processes: their reports are fetched from
    there and merged (:meth:`LoihiReport.merge`).
    """
    from caldera_loihi.models import LoihiCoreModel
    from caldera_loihi.reporting import LoihiReport

    rt = _runtime_of(proc)
    reports = []
    for part in _loihi_partitions(proc, rt):
        if rt.group is None or part.index == 0:
            reports.append(rt.executor.report())
            continue
        pid = next((i for i in part.ids if isinstance(rt.net.models.get(i), LoihiCoreModel)), None)
        if pid is not None:
            reports.append(LoihiReport.from_dict(rt.group.get(pid, "loihi_report_dict")))
    if not reports:
        raise ParameterError("the loihi partitions hold no neuro-core process: nothing to report")
    return LoihiReport.merge(reports)


def mapping(proc: ty.Any) -> Mapping:
    """Where the network ``proc`` belongs to was placed (cores, chips, per-process resources)."""
    return _executor_of(proc).mapping


def map_network(root: ty.Any, limits: LoihiLimits | None = None, tag: str = "fixed_pt") -> Mapping:
    """Compile ``root``'s network for ``loihi`` and place it, without running it (raises MappingError if it won't fit).

    The processes stay free to be run later (on any backend).
    """
    from caldera.compiler import compile_network
    from caldera.run_config import RunConfig

    from caldera_loihi.executor import _refuse_float
    from caldera_loihi.mapper import Mapping

    net = compile_network(root, RunConfig(backend="loihi", tag=tag))
    _refuse_float(net.plan)
    return Mapping(net.plan.models, limits if limits is not None else config_limits())


def config_limits() -> LoihiLimits:
    from caldera_loihi.config import current

    return current()[0]


__all__ = [
    "LoihiLimits",
    "LOIHI2",
    "LOIHI1",
    "EnergyTable",
    "DAVIES2018",
    "Mapping",
    "MappingError",
    "LoihiReport",
    "configure",
    "system",
    "report",
    "mapping",
    "map_network",
]
