"""The activity and energy report of a run on the ``loihi`` backend: build, print, save, load, plot.

Energies and times are estimates from the per-operation figures of an
:class:`caldera_loihi.energy.EnergyTable` (by default Davies et al. 2018,
Table 2), applied to the counted activity; see :mod:`caldera_loihi.energy`.
"""

from __future__ import annotations

import json
import pathlib
import typing as ty
from dataclasses import dataclass, field

import numpy as np
from caldera.errors import ParameterError

from caldera_loihi.energy import EnergyTable
from caldera_loihi.limits import LoihiLimits

FORMAT_VERSION = 1


def step_costs(
    table: EnergyTable,
    synops: np.ndarray,
    active: np.ndarray,
    neurons_per_core: np.ndarray,
    messages: np.ndarray,
    hops_ew: np.ndarray,
    hops_ns: np.ndarray,
    chip_crossings: np.ndarray,
    tiles_used: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Estimated energy (pJ) and time (ns) of each step from its counts (``(steps, cores)`` and ``(steps,)``).

    Energy: synaptic ops, active and inactive neuron updates, spike messages and their hops. Time: cores work
    in parallel, so the busiest core's neuron updates and synaptic ops, plus the mesh-wide barrier.
    """
    inactive = np.maximum(neurons_per_core[None, :] - active, 0)
    energy = (
        synops.sum(axis=1) * table.synop_pj
        + active.sum(axis=1) * table.neuron_active_pj
        + inactive.sum(axis=1) * table.neuron_inactive_pj
        + messages * table.spike_in_tile_pj
        + hops_ew * table.hop_ew_pj
        + hops_ns * table.hop_ns_pj
        + chip_crossings * table.chip_hop_pj
    )
    per_core = active * table.neuron_active_ns + inactive * table.neuron_inactive_ns + synops * table.synop_ns
    busiest = per_core.max(axis=1) if per_core.shape[1] else np.zeros(per_core.shape[0])
    return energy, busiest + table.barrier_ns(tiles_used)


@dataclass
class LoihiReport:
    """What a run used and did, per core, per process and per step, with energy and time estimates.

    The per-step arrays cover the first ``recorded_steps`` steps (``configure(max_recorded_steps=...)``);
    later steps are in ``folded`` (per-core totals, and their energy and time computed with the table the
    run was compiled with) and count in every total.
    """

    limits: dict
    energy_table: dict
    steps: int
    cores_used: int
    chips_used: int
    tiles_used: int
    cores: list[dict]
    processes: list[dict]
    spikes_per_core: np.ndarray  # (steps, cores)
    synops_per_core: np.ndarray  # (steps, cores)
    active_per_core: np.ndarray  # (steps, cores): neuron updates of active neurons
    messages: np.ndarray  # (steps,) spike messages (one per source neuron and destination core)
    hops_ew: np.ndarray
    hops_ns: np.ndarray
    chip_crossings: np.ndarray
    host_inputs: np.ndarray  # (steps,) inputs arriving from host processes
    recorded_steps: int = -1  # -1: all steps
    folded: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.recorded_steps < 0:
            self.recorded_steps = self.steps

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def from_executor(cls, ex: ty.Any) -> LoihiReport:
        m, c = ex.mapping, ex.counters
        n, r = c.n, c.recorded
        folded = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in c.folded.items()}
        procs = [p.to_dict() for p in m.processes.values()]
        for p in procs:
            cores = [int(x) for x in p["cores"]]
            if p["role"] == "neuron":
                p["spikes"] = int(c.spikes[:r, cores].sum() + c.folded["spikes"][cores].sum())
                p["neuron_updates"] = int(p["neurons"] * n)
                p["active_updates"] = int(c.active[:r, cores].sum() + c.folded["active"][cores].sum())
            elif p["role"] == "synapse":
                p["synops"] = int(ex.process_synops.get(p["name"], 0))
            p["cores"] = cores
        return cls(
            ex.limits.to_dict(),
            ex.energy.to_dict(),
            n,
            m.cores_used,
            m.chips_used,
            m.tiles_used,
            [ci.to_dict() for ci in m.cores],
            procs,
            c.spikes[:r].copy(),
            c.synops[:r].copy(),
            c.active[:r].copy(),
            c.messages[:r].copy(),
            c.hops_ew[:r].copy(),
            c.hops_ns[:r].copy(),
            c.chip_crossings[:r].copy(),
            c.host_in[:r].copy(),
            r,
            folded,
        )

    @classmethod
    def merge(cls, reports: list[LoihiReport]) -> LoihiReport:
        """One report for several emulated partitions of one run (``RunConfig(partitions=N)``).

        Each partition was mapped on its own: their cores are numbered one after the other and their chips
        are counted separately. Spikes crossing partitions reach synapses as host inputs. Per-step times are
        the slowest partition's (cores of all partitions work in parallel).
        """
        if len(reports) == 1:
            return reports[0]
        first = reports[0]
        if any(r.steps != first.steps or r.recorded_steps != first.recorded_steps for r in reports):
            raise ParameterError("LoihiReport.merge: the reports cover different numbers of steps")
        cores, procs, core_off, chip_off = [], [], 0, 0
        for r in reports:
            for c in r.cores:
                cores.append({**c, "index": c["index"] + core_off, "chip": c["chip"] + chip_off})
            for p in r.processes:
                procs.append({**p, "cores": [i + core_off for i in p["cores"]]})
            core_off += r.cores_used
            chip_off += r.chips_used
        folded: dict = {}
        if any(r.folded for r in reports):
            fs = [r.folded for r in reports]
            folded = {k: [x for f in fs for x in f[k]] for k in ("spikes", "synops", "active")}
            folded.update(
                {
                    k: sum(f[k] for f in fs)
                    for k in ("messages", "hops_ew", "hops_ns", "chip_crossings", "host_in", "energy_pj")
                }
            )
            folded["steps"] = fs[0]["steps"]
            folded["time_ns"] = max(f["time_ns"] for f in fs)  # a lower bound: slowest partition's sum
            folded["time_ns_max"] = max(f["time_ns_max"] for f in fs)

        def cat(name: str) -> np.ndarray:
            return np.concatenate([getattr(r, name) for r in reports], axis=1)

        def add(name: str) -> np.ndarray:
            return np.sum([getattr(r, name) for r in reports], axis=0)

        return cls(
            first.limits,
            first.energy_table,
            first.steps,
            core_off,
            chip_off,
            sum(r.tiles_used for r in reports),
            cores,
            procs,
            cat("spikes_per_core"),
            cat("synops_per_core"),
            cat("active_per_core"),
            add("messages"),
            add("hops_ew"),
            add("hops_ns"),
            add("chip_crossings"),
            add("host_inputs"),
            first.recorded_steps,
            folded,
        )

    # -- derived figures ------------------------------------------------------------------
    @property
    def table(self) -> EnergyTable:
        return EnergyTable.from_dict(self.energy_table)

    @property
    def system(self) -> LoihiLimits:
        return LoihiLimits.from_dict(self.limits)

    @property
    def neurons_per_core(self) -> np.ndarray:
        neuron_procs = {p["name"] for p in self.processes if p["role"] == "neuron"}
        return np.asarray(
            [c["neurons"][1] - c["neurons"][0] if c["process"] in neuron_procs else 0 for c in self.cores], np.int64
        )

    @property
    def inactive_per_core(self) -> np.ndarray:
        return np.maximum(self.neurons_per_core[None, :] - self.active_per_core, 0)

    @property
    def spikes_per_step(self) -> np.ndarray:
        return self.spikes_per_core.sum(axis=1)

    @property
    def synops_per_step(self) -> np.ndarray:
        return self.synops_per_core.sum(axis=1)

    @property
    def neuron_updates_per_step(self) -> np.ndarray:
        return np.full(self.recorded_steps, int(self.neurons_per_core.sum()), np.int64)

    def _costs(self) -> tuple[np.ndarray, np.ndarray]:
        return step_costs(
            self.table,
            self.synops_per_core,
            self.active_per_core,
            self.neurons_per_core,
            self.messages,
            self.hops_ew,
            self.hops_ns,
            self.chip_crossings,
            self.tiles_used,
        )

    @property
    def energy_pj_per_step(self) -> np.ndarray:
        """Estimated dynamic energy per recorded step (pJ): synaptic ops, neuron updates, spike messages, hops."""
        return self._costs()[0]

    @property
    def time_ns_per_step(self) -> np.ndarray:
        """Estimated step time (ns): the busiest core's neuron updates and synaptic ops, plus the barrier."""
        return self._costs()[1]

    def totals(self) -> dict:
        """Totals over every step run (recorded and folded)."""
        f = self.folded
        e, tm = self._costs()

        def both(arr: np.ndarray, key: str) -> int:
            extra = f.get(key, 0)
            return int(np.asarray(arr).sum() + (np.sum(extra) if extra is not None else 0))

        energy = float(e.sum()) + float(f.get("energy_pj", 0.0))
        time_sum = float(tm.sum()) + float(f.get("time_ns", 0.0))
        steps = self.steps
        return {
            "steps": steps,
            "recorded_steps": self.recorded_steps,
            "spikes": both(self.spikes_per_core, "spikes"),
            "synops": both(self.synops_per_core, "synops"),
            "neuron_updates": int(self.neurons_per_core.sum()) * steps,
            "neuron_updates_active": both(self.active_per_core, "active"),
            "spike_messages": both(self.messages, "messages"),
            "tile_hops": both(self.hops_ew, "hops_ew") + both(self.hops_ns, "hops_ns"),
            "chip_crossings": both(self.chip_crossings, "chip_crossings"),
            "host_inputs": both(self.host_inputs, "host_in"),
            "energy_pj": energy,
            "energy_pj_per_step_mean": energy / steps if steps else 0.0,
            "time_ns_per_step_mean": time_sum / steps if steps else 0.0,
            "time_ns_per_step_max": max(float(tm.max()) if tm.size else 0.0, float(f.get("time_ns_max", 0.0))),
        }

    # -- output ---------------------------------------------------------------------------
    def format(self, max_steps: int = 10) -> str:
        """A human-readable summary (what ``caldera loihi report`` prints)."""
        lim, tot = self.limits, self.totals()
        lines = [
            f"Loihi emulator report: {lim['name']} ({lim['cores_per_chip']} cores/chip, "
            f"{lim['chips_per_system']} chip(s)); energy figures: {self.energy_table['source']}",
            f"steps: {self.steps}   cores used: {self.cores_used} of {lim['cores_per_chip'] * lim['chips_per_system']}"
            f"   chips used: {self.chips_used}   tiles used: {self.tiles_used}",
            "",
            f"{'process':<20} {'class':<12} {'role':<8} {'cores':>5} {'neurons':>8} {'synapses':>9} "
            f"{'memory KiB':>10} {'spikes':>9} {'synops':>10}",
        ]
        for p in self.processes:
            lines.append(
                f"{p['name'][:20]:<20} {p['cls'][:12]:<12} {p['role']:<8} {len(p['cores']):>5} {p['neurons']:>8} "
                f"{p['synapses']:>9} {p['memory_bytes'] / 1024:>10.1f} {p.get('spikes', '-')!s:>9} "
                f"{p.get('synops', '-')!s:>10}"
            )
        lines += [
            "",
            f"spikes: {tot['spikes']}   synaptic ops: {tot['synops']}   neuron updates: {tot['neuron_updates']} "
            f"({tot['neuron_updates_active']} active)   spike messages: {tot['spike_messages']}   "
            f"tile hops: {tot['tile_hops']}   chip crossings: {tot['chip_crossings']}   host inputs: "
            f"{tot['host_inputs']}",
            f"estimated energy: {tot['energy_pj'] / 1e6:.4f} uJ total, {tot['energy_pj_per_step_mean'] / 1e3:.3f} nJ "
            f"per step;  time per step: {tot['time_ns_per_step_mean'] / 1e3:.3f} us mean, "
            f"{tot['time_ns_per_step_max'] / 1e3:.3f} us max",
        ]
        if self.recorded_steps < self.steps:
            lines.append(
                f"per-step figures below cover the first {self.recorded_steps} of {self.steps} steps "
                "(configure(max_recorded_steps=...))"
            )
        if self.recorded_steps:
            k = min(self.recorded_steps, max_steps)
            lines += ["", f"{'step':>6} {'spikes':>8} {'synops':>9} {'energy nJ':>10} {'time us':>8}"]
            e, tm, sp_, so = self.energy_pj_per_step, self.time_ns_per_step, self.spikes_per_step, self.synops_per_step
            for i in range(k):
                lines.append(f"{i + 1:>6} {sp_[i]:>8} {so[i]:>9} {e[i] / 1e3:>10.3f} {tm[i] / 1e3:>8.3f}")
            if self.recorded_steps > k:
                lines.append(f"   ... {self.recorded_steps - k} more steps")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.format()

    def to_dict(self) -> dict:
        arrays = (
            "spikes_per_core",
            "synops_per_core",
            "active_per_core",
            "messages",
            "hops_ew",
            "hops_ns",
            "chip_crossings",
            "host_inputs",
        )
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        for k in arrays:
            d[k] = np.asarray(d[k]).tolist()
        d["format"] = FORMAT_VERSION
        d["totals"] = self.totals()
        return d

    @classmethod
    def from_dict(cls, d: dict) -> LoihiReport:
        if d.get("format") != FORMAT_VERSION:
            raise ParameterError(f"not a caldera-loihi report (format {d.get('format')!r}, expected {FORMAT_VERSION})")
        steps = int(d.get("recorded_steps", d["steps"]))
        n_cores = int(d["cores_used"])
        kw = {k: d[k] for k in cls.__dataclass_fields__ if k in d}
        for k in ("spikes_per_core", "synops_per_core", "active_per_core"):
            kw[k] = np.asarray(d[k], np.int64).reshape(steps, n_cores)
        for k in ("messages", "hops_ew", "hops_ns", "chip_crossings", "host_inputs"):
            kw[k] = np.asarray(d[k], np.int64).reshape(steps)
        return cls(**kw)

    def save(self, path: str | pathlib.Path) -> pathlib.Path:
        """Write the report as JSON (``caldera loihi report PATH`` prints it again)."""
        p = pathlib.Path(path)
        p.write_text(json.dumps(self.to_dict()))
        return p

    @classmethod
    def load(cls, path: str | pathlib.Path) -> LoihiReport:
        p = pathlib.Path(path)
        try:
            d = json.loads(p.read_text())
        except (OSError, json.JSONDecodeError) as e:
            raise ParameterError(f"cannot read a report from {p}: {e}") from e
        return cls.from_dict(d)

    def plot(self, path: str | pathlib.Path) -> pathlib.Path:
        """Write a figure of activity per core per step (spikes and synaptic ops) to ``path`` (needs matplotlib)."""
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
            from matplotlib.ticker import MaxNLocator
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ParameterError("plotting needs matplotlib: pip install 'caldera-loihi[plot]'") from e
        fig, axes = plt.subplots(2, 1, figsize=(10, 6), sharex=True)
        for ax, data, title in (
            (axes[0], self.spikes_per_core, "spikes per core"),
            (axes[1], self.synops_per_core, "synaptic ops per core"),
        ):
            im = ax.imshow(
                np.asarray(data).T,
                aspect="auto",
                origin="lower",
                interpolation="nearest",
                extent=(0.5, self.recorded_steps + 0.5, -0.5, self.cores_used - 0.5),
                cmap="viridis",
            )
            ax.set_ylabel("core")
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_title(title)
            fig.colorbar(im, ax=ax)
        axes[1].set_xlabel("time step")
        fig.suptitle(f"Loihi emulator activity ({self.cores_used} cores, {self.recorded_steps} steps)")
        fig.tight_layout()
        p = pathlib.Path(path)
        fig.savefig(p, dpi=100)
        plt.close(fig)
        return p


__all__ = ["LoihiReport", "FORMAT_VERSION"]
