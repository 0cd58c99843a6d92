"""The ``loihi`` executor: the core's in-process step engine, plus mapping at build and activity counting.

The mapping runs when the executor is built (at compile time, before the
first step), so a network that does not fit fails before it runs. After every
step the executor reads what each neuro-core model did (spikes, active
neurons, inputs received by synapses) and accumulates, per core and per step:
spikes, synaptic operations, neuron updates, spike messages and hops.
"""

from __future__ import annotations

import typing as ty

import numpy as np
from caldera.compiler import Plan
from caldera.errors import ParameterError
from caldera.executor import InProcessExecutor

from caldera_loihi import config
from caldera_loihi.mapper import Mapping
from caldera_loihi.models import CONVERT_HINT, LoihiCoreModel


class _Counters:
    """Per-step, per-core counts for the first ``limit`` steps (growing by doubling); later steps are folded into
    running totals, so a long or continuous run keeps a bounded memory."""

    PER_CORE = ("spikes", "synops", "active")
    PER_STEP = ("messages", "hops_ew", "hops_ns", "chip_crossings", "host_in")

    def __init__(self, n_cores: int, limit: int) -> None:
        self.n = 0  # steps counted
        self.limit = limit
        self.cap = min(64, limit)
        self.n_cores = n_cores
        for name in self.PER_CORE:
            setattr(self, name, np.zeros((self.cap, n_cores), np.int64))
        for name in self.PER_STEP:
            setattr(self, name, np.zeros(self.cap, np.int64))
        self.scratch_core = {name: np.zeros((1, n_cores), np.int64) for name in self.PER_CORE}
        self.scratch_step = {name: np.zeros(1, np.int64) for name in self.PER_STEP}
        self.folded = {
            "steps": 0,
            "energy_pj": 0.0,
            "time_ns": 0.0,
            "time_ns_max": 0.0,
            **{name: np.zeros(n_cores, np.int64) for name in self.PER_CORE},
            **{name: 0 for name in self.PER_STEP},
        }

    @property
    def recorded(self) -> int:
        return min(self.n, self.limit)

    def row(self) -> tuple[dict, dict, int]:
        """Where this step's counts go: arrays and row index (a zeroed scratch row past the limit)."""
        if self.n < self.limit:
            if self.n >= self.cap:
                self.cap = min(self.cap * 2, self.limit)
                for name in (*self.PER_CORE, *self.PER_STEP):
                    a = getattr(self, name)
                    b = np.zeros((self.cap, *a.shape[1:]), np.int64)
                    b[: a.shape[0]] = a
                    setattr(self, name, b)
            return ({k: getattr(self, k) for k in self.PER_CORE}, {k: getattr(self, k) for k in self.PER_STEP}, self.n)
        for a in (*self.scratch_core.values(), *self.scratch_step.values()):
            a[...] = 0
        return self.scratch_core, self.scratch_step, 0


class LoihiExecutor(InProcessExecutor):
    """Runs a partition as the chip would and counts its activity; ``report()`` summarises it."""

    def __init__(self, plan: Plan) -> None:
        _refuse_float(plan)
        self.limits, self.energy = config.current()
        self.mapping = Mapping(plan.models, self.limits)
        super().__init__(plan)
        m = self.mapping
        self.counters = _Counters(m.cores_used, config.max_recorded_steps())
        self._neurons_per_core = np.asarray(
            [c.neurons[1] - c.neurons[0] if m.processes[c.process].role == "neuron" else 0 for c in m.cores], np.int64
        )
        # per neuron group: model, its cores, first row of each core, and per neuron the float64 matrix
        # [routes, E-W hops, N-S hops, chip crossings] of one spike (None when its spikes go nowhere)
        self._neurons = []
        for g in m._groups:
            if g.neuron is not None:
                msg = np.stack(m._msg[id(g.neuron)], axis=1).astype(np.float64)
                self._neurons.append((g.neuron, np.asarray(g.cores), g.starts, msg if msg.any() else None))
        # per synapse: model, destination cores, synapses per (input, core) as float64, from the host?, label
        self._synapses = [
            (
                r.model,
                np.asarray(r.group.cores),
                r.fan_out_per_core.astype(np.float64),
                r.source is None or not isinstance(r.source, LoihiCoreModel),
                m.label(r.model),
            )
            for r in m._routes
        ]
        self.process_synops: dict[str, int] = {m.label(r.model): 0 for r in m._routes}
        for model in plan.models:
            if isinstance(model, LoihiCoreModel):
                model._loihi_executor = self

    def run_steps(
        self, num_steps: int, should_stop: ty.Callable[[], bool] | None = None, progress: ty.Any = None
    ) -> int:
        done = 0
        for _ in range(num_steps):
            if super().run_steps(1, should_stop, progress) == 0:
                break
            self._count()
            done += 1
        return done

    def _count(self) -> None:
        c = self.counters
        core, step, t = c.row()
        for model, cores, starts, msg in self._neurons:
            s = getattr(model, "last_spikes", None)
            if s is None:
                continue
            s = np.asarray(s).reshape(-1)
            a = np.asarray(model.last_active).reshape(-1)
            if cores.size == 1:
                core["spikes"][t, cores[0]] += np.count_nonzero(s)
                core["active"][t, cores[0]] += np.count_nonzero(a)
            else:
                core["spikes"][t, cores] += np.add.reduceat(s != 0, starts, dtype=np.int64)
                core["active"][t, cores] += np.add.reduceat(a, starts, dtype=np.int64)
            if msg is not None:
                m_ew_ns_x = (s != 0).astype(np.float64) @ msg  # exact: integer counts far below 2**53
                step["messages"][t] += int(m_ew_ns_x[0])
                step["hops_ew"][t] += int(m_ew_ns_x[1])
                step["hops_ns"][t] += int(m_ew_ns_x[2])
                step["chip_crossings"][t] += int(m_ew_ns_x[3])
        for model, cores, fan, from_host, label in self._synapses:
            x = getattr(model, "last_input", None)
            if x is None:
                continue
            nz = (np.asarray(x).reshape(-1) != 0).astype(np.float64)  # one entry per matrix column
            ops = (nz @ fan).astype(np.int64)
            core["synops"][t, cores] += ops
            self.process_synops[label] += int(ops.sum())
            if from_host:
                step["host_in"][t] += int(nz.sum())
        if c.n >= c.limit:
            self._fold(core, step)
        c.n += 1

    def _fold(self, core: dict, step: dict) -> None:
        """Add a step past the recording limit to the running totals, its energy and time included."""
        from caldera_loihi.reporting import step_costs

        f = self.counters.folded
        for k in core:
            f[k] += core[k][0]
        for k in step:
            f[k] += int(step[k][0])
        e, t = step_costs(
            self.energy,
            core["synops"],
            core["active"],
            self._neurons_per_core,
            step["messages"],
            step["hops_ew"],
            step["hops_ns"],
            step["chip_crossings"],
            self.mapping.tiles_used,
        )
        f["steps"] += 1
        f["energy_pj"] += float(e[0])
        f["time_ns"] += float(t[0])
        f["time_ns_max"] = max(f["time_ns_max"], float(t[0]))

    def report(self) -> ty.Any:
        """The activity and energy report of everything run so far (:class:`caldera_loihi.reporting.LoihiReport`)."""
        from caldera_loihi.reporting import LoihiReport

        return LoihiReport.from_executor(self)


def _refuse_float(plan: Plan) -> None:
    floats = [m for m in plan.models if "floating_pt" in getattr(type(m), "tags", ())]
    if floats:
        names = ", ".join(f"{type(m.process).__name__} {m.process_name!r}" for m in floats)
        raise ParameterError(f"floating_pt models selected for {names}; {CONVERT_HINT}")


__all__ = ["LoihiExecutor"]
