"""Placing a network's neurons and synapses onto neuro-cores and chips, under a :class:`LoihiLimits`.

The rules (those of Loihi's own compilers, simplified and stated):

* Each neuron process gets cores of its own; its neurons fill cores in order.
* A synapse process lives on the cores of the neurons it feeds (its rows
  are split the same way): on Loihi a synapse is stored in the destination
  core's synaptic memory.
* Synaptic memory per row: a dense matrix stores every (row, input) synapse,
  a sparse one only its non-zero ones plus an index, a convolution its kernel
  once per core (weight sharing). Bits per synapse: ``num_weight_bits`` (+1
  sign bit in MIXED mode) + ``delay_bits`` for delayed connections
  (+ ``sparse_index_bits`` for sparse ones).
* A core's fan-in is the number of distinct inputs (axons) with a non-zero
  synapse onto its neurons; its fan-out is the number of (source neuron,
  destination core) routes leaving it.
* Cores are numbered chip by chip; core k of a chip sits in tile
  ``k // cores_per_tile`` of a ``tiles_x`` x ``tiles_y`` mesh (for hop counts).

Processes the chip does not run (sources, sinks, monitors, users' Python
models) are placed on the host and counted as I/O.

A network that does not fit raises :class:`MappingError`, naming the process,
the limit and by how much it is exceeded.
"""

from __future__ import annotations

import math
import typing as ty
from dataclasses import dataclass, field

import numpy as np
from caldera import arith
from caldera.errors import ParameterError
from caldera.lazy import lazy_module
from caldera.model import PyInPort, PyOutPort
from caldera.variable import is_sparse

from caldera_loihi.limits import LOIHI2, LoihiLimits
from caldera_loihi.models import LoihiConvModel, LoihiCoreModel

sp = lazy_module("scipy.sparse")  # imported on first use (see caldera.lazy)


class MappingError(ParameterError):
    """The network does not fit the Loihi system described by the limits."""


@dataclass
class CorePlacement:
    """One neuro-core in use."""

    index: int
    chip: int
    core: int  # index within the chip
    tile_x: int
    tile_y: int
    process: str
    neurons: tuple[int, int]  # [start, stop) of the process's flattened neurons (rows)
    synapses: int = 0
    memory_bytes: int = 0
    fan_in: int = 0
    fan_out: int = 0

    def to_dict(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


@dataclass
class ProcessPlacement:
    """Where a process went and what it occupies."""

    name: str
    cls: str
    role: str  # "neuron", "synapse" or "host"
    cores: list[int] = field(default_factory=list)
    neurons: int = 0
    synapses: int = 0
    memory_bytes: int = 0

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class _Group:
    """A block of cores: a neuron process (or a synapse process feeding the host) and its incoming synapses."""

    name: str
    neuron: ty.Any  # neuron model or None
    synapses: list  # incoming synapse models
    rows: int
    starts: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # first row of each core
    cores: list[int] = field(default_factory=list)


@dataclass
class _SynapseRoute:
    model: ty.Any
    group: _Group
    fan_out_per_core: np.ndarray  # (n_in, n_cores of the group): synapses per input per core
    source: ty.Any  # the model feeding s_in (neuron, host or None)


def _ports(model: ty.Any, kind: type) -> list:
    return [v for v in vars(model).values() if isinstance(v, kind)]


def _edges(models: list) -> list[tuple[ty.Any, ty.Any, ty.Any]]:
    """``(source model, destination model, destination PyInPort)`` for every message queue."""
    prod: dict[int, ty.Any] = {}
    for m in models:
        for p in _ports(m, PyOutPort):
            for q in p._queues:
                prod[id(q)] = m
    out = []
    for m in models:
        for p in _ports(m, PyInPort):
            for q in p._queues:
                if id(q) in prod:
                    out.append((prod[id(q)], m, p))
    return out


def _weight_bits(model: ty.Any, limits: LoihiLimits) -> int:
    bits = model.num_weight_bits if not isinstance(model, LoihiConvModel) else limits.weight_bits
    if model.sign_mode == arith.SignMode.MIXED:
        bits += 1
    if model.delays_matrix() is not None:
        bits += limits.delay_bits
    return bits


def _rows_matrix(w: ty.Any, n_rows: int) -> sp.csr_matrix:
    """The weights as CSR with ``n_rows`` rows (a connection whose size differs from its target is spread)."""
    m = sp.csr_matrix(w) if not is_sparse(w) else w.tocsr()
    if m.shape[0] == n_rows:
        return m
    # a connection feeding a concatenation or a differently shaped target: charge its rows cyclically
    idx = np.arange(m.shape[0]) % max(n_rows, 1)
    perm = sp.csr_matrix((np.ones(m.shape[0]), (idx, np.arange(m.shape[0]))), shape=(n_rows, m.shape[0]))
    return sp.csr_matrix(perm @ (m != 0).astype(np.float64))


def _per_source(f: np.ndarray, n: int) -> np.ndarray:
    """A synapse's per-input rows as rows of its ``n`` source neurons (a concatenated input folds cyclically)."""
    if f.shape[0] == n:
        return f
    out = np.zeros((n, f.shape[1]), f.dtype)
    np.add.at(out, np.arange(f.shape[0]) % max(n, 1), f)
    return out


class Mapping:
    """The placement of a compiled network; see the module docstring."""

    def __init__(self, models: list, limits: LoihiLimits = LOIHI2) -> None:
        if not isinstance(limits, LoihiLimits):
            raise ParameterError(f"limits must be a caldera_loihi.LoihiLimits, got {type(limits).__name__}")
        self.limits = limits
        self._csr: dict[tuple[int, int], sp.csr_matrix] = {}  # (id of a synapse model, rows) -> its rows as CSR
        self.cores: list[CorePlacement] = []
        self.processes: dict[str, ProcessPlacement] = {}
        self._groups: list[_Group] = []
        self._routes: list[_SynapseRoute] = []
        self._place(models)

    def label(self, model: ty.Any) -> str:
        """The name a process goes by in the mapping and report (``name#id`` when names repeat)."""
        return self._labels[id(model)]

    # -- placement ----------------------------------------------------------------------------
    def _place(self, models: list) -> None:
        lim = self.limits
        edges = _edges(models)
        core_models = [m for m in models if isinstance(m, LoihiCoreModel)]
        counts: dict[str, int] = {}
        for m in models:
            counts[m.process_name] = counts.get(m.process_name, 0) + 1
        self._labels = {
            id(m): m.process_name if counts[m.process_name] == 1 else f"{m.process_name}#{m.process.id}" for m in models
        }
        for m in models:
            role = m.role if isinstance(m, LoihiCoreModel) else "host"
            self.processes[self.label(m)] = ProcessPlacement(self.label(m), type(m.process).__name__, role)
        neuron_models = [m for m in core_models if m.role == "neuron"]
        synapse_models = [m for m in core_models if m.role == "synapse"]
        groups: dict[int, _Group] = {}
        for n in neuron_models:
            groups[id(n)] = _Group(self.label(n), n, [], n.num_neurons)
        sources: dict[int, ty.Any] = {}
        for src, dst, _ in edges:
            if isinstance(dst, LoihiCoreModel) and dst.role == "synapse":
                sources.setdefault(id(dst), src)
        for s in synapse_models:
            dests = [dst for src, dst, _ in edges if src is s and id(dst) in groups]
            self._check_synapse_limits(s)
            if dests:
                groups[id(dests[0])].synapses.append(s)
            else:  # feeds the host only: its rows need cores of their own
                n_out = s.synapse_matrix().shape[0]
                groups[id(s)] = _Group(self.label(s), None, [s], n_out)
        self._groups = list(groups.values())
        # Pass 1 places every group; its routes per source neuron (one per destination core reached) depend
        # only on how the destinations were split. If a source core then has more routes than output axons,
        # pass 2 places again with the routes as a per-neuron cost, so sources split into more cores.
        route_costs: dict[int, np.ndarray] = {}
        for _ in range(2):
            self.cores, self._routes = [], []
            for g in self._groups:
                self._place_group(g, route_costs.get(id(g)))
            for g in self._groups:
                for s in g.synapses:
                    self._routes.append(_SynapseRoute(s, g, self._fan_out_per_core(s, g), sources.get(id(s))))
            route_costs = {id(g): self._routes_per_neuron(g) for g in self._groups if g.neuron is not None}
            if all(
                self._core_sums(g, route_costs[id(g)]).max(initial=0) <= lim.fan_out_axons_per_core
                for g in self._groups
                if g.neuron is not None
            ):
                break
        self._fan_out()

    def _check_synapse_limits(self, s: ty.Any) -> None:
        lim = self.limits
        what = f"{type(s.process).__name__} {s.process_name!r}"
        w = s.synapse_matrix()
        vals = w.data if is_sparse(w) else np.asarray(w)
        lo, hi = arith.weight_range(s.sign_mode, lim.weight_bits)
        if vals.size and (vals.min() < lo or vals.max() > hi):
            bad = int(vals.min() if vals.min() < lo else vals.max())
            raise MappingError(
                f"{what}: weight {bad} exceeds the {lim.weight_bits}-bit weights of {lim.name} "
                f"({lo}..{hi} in {s.sign_mode.name} mode; over by {bad - hi if bad > hi else lo - bad})"
            )
        exp = int(s.proc_params.get("weight_exp", 0)) if not isinstance(s, LoihiConvModel) else s._exp
        if not lim.weight_exp_min <= exp <= lim.weight_exp_max:
            over = exp - lim.weight_exp_max if exp > lim.weight_exp_max else lim.weight_exp_min - exp
            raise MappingError(
                f"{what}: weight_exp={exp} is outside {lim.name}'s {lim.weight_exp_min}.."
                f"{lim.weight_exp_max} (over by {over})"
            )
        d = s.delays_matrix()
        if d is not None:
            dv = d.data if is_sparse(d) else np.asarray(d)
            dmax = int(dv.max()) if dv.size else 0
            if dmax > lim.max_delay:
                raise MappingError(
                    f"{what}: a delay of {dmax} exceeds {lim.name}'s {lim.delay_bits}-bit delays "
                    f"(0..{lim.max_delay}; over by {dmax - lim.max_delay})"
                )

    def _row_costs(self, g: _Group) -> tuple[np.ndarray, int, list]:
        """Synaptic memory bits per row, a constant per core (shared conv kernels), per-synapse CSR views."""
        lim = self.limits
        bits = np.zeros(g.rows, np.float64)
        const = 0
        views = []
        for s in g.synapses:
            w = self._rows_of(s, g.rows)
            views.append(w)
            wb = _weight_bits(s, lim)
            if isinstance(s, LoihiConvModel):
                const += s.kernel_weights * wb
            elif is_sparse(s.synapse_matrix()):
                bits += np.diff(w.indptr) * (wb + lim.sparse_index_bits)
            else:
                bits += w.shape[1] * wb
        return bits, const, views

    def _rows_of(self, s: ty.Any, n_rows: int) -> sp.csr_matrix:
        """``_rows_matrix`` of a synapse, converted once per mapping (placement asks for it repeatedly)."""
        key = (id(s), n_rows)
        if key not in self._csr:
            self._csr[key] = _rows_matrix(s.synapse_matrix(), n_rows)
        return self._csr[key]

    @staticmethod
    def _fan_in(views: list, i: int, j: int) -> int:
        total = 0
        for w in views:
            block = w[i:j]
            total += int(np.count_nonzero(np.bincount(block.indices, minlength=w.shape[1]))) if block.nnz else 0
        return total

    @staticmethod
    def _core_sums(g: _Group, per_row: np.ndarray) -> np.ndarray:
        return np.add.reduceat(per_row, g.starts) if per_row.size and g.starts.size else np.zeros(0, np.int64)

    def _routes_per_neuron(self, g: _Group) -> np.ndarray:
        routes = np.zeros(g.rows, np.int64)
        for r in self._routes:
            if r.source is g.neuron:
                routes += (_per_source(r.fan_out_per_core, g.rows) > 0).sum(axis=1)
        return routes

    def _place_group(self, g: _Group, route_cost: np.ndarray | None = None) -> None:
        lim = self.limits
        kind = type(g.neuron.process).__name__ if g.neuron is not None else type(g.synapses[0].process).__name__
        what = f"{kind} {g.name!r}"
        g.cores = []
        bits, const, views = self._row_costs(g)
        mem_bits = lim.synaptic_memory_bytes * 8
        if const > mem_bits:
            raise MappingError(
                f"{what}: its shared convolution kernels need {math.ceil(const / 8)} bytes, a core "
                f"has {lim.synaptic_memory_bytes} (over by {math.ceil((const - mem_bits) / 8)})"
            )
        worst = int(np.argmax(bits)) if g.rows else 0
        if g.rows and bits[worst] + const > mem_bits:
            need = math.ceil((bits[worst] + const) / 8)
            raise MappingError(
                f"{what}: neuron {worst} needs {need} bytes of synaptic memory for its inputs, a core has "
                f"{lim.synaptic_memory_bytes} (over by {need - lim.synaptic_memory_bytes}); use sparser connectivity "
                "or fewer weight bits"
            )
        csum = np.concatenate([[0.0], np.cumsum(bits)])
        if route_cost is not None and g.rows:
            worst_r = int(np.argmax(route_cost))
            if route_cost[worst_r] > lim.fan_out_axons_per_core:
                over = int(route_cost[worst_r]) - lim.fan_out_axons_per_core
                raise MappingError(
                    f"{what}: neuron {worst_r} sends to {int(route_cost[worst_r])} destination cores, a core has "
                    f"{lim.fan_out_axons_per_core} output axons (over by {over})"
                )
            rsum = np.concatenate([[0], np.cumsum(route_cost)])
        starts = []
        i = 0
        while i < g.rows:
            j = min(i + lim.neurons_per_core, g.rows)
            jm = int(np.searchsorted(csum, csum[i] + (mem_bits - const), side="right")) - 1
            j = max(i + 1, min(j, jm))
            if route_cost is not None:
                jr = int(np.searchsorted(rsum, rsum[i] + lim.fan_out_axons_per_core, side="right")) - 1
                j = max(i + 1, min(j, jr))
            fi = self._fan_in(views, i, j)
            if fi > lim.fan_in_axons_per_core:
                single = self._fan_in(views, i, i + 1)
                if single > lim.fan_in_axons_per_core:
                    raise MappingError(
                        f"{what}: neuron {i} receives {single} distinct inputs, a core accepts "
                        f"{lim.fan_in_axons_per_core} input axons (over by {single - lim.fan_in_axons_per_core})"
                    )
                lo, hi = i + 1, j  # fan_in(lo) fits, fan_in(hi) does not
                while hi - lo > 1:
                    mid = (lo + hi) // 2
                    if self._fan_in(views, i, mid) <= lim.fan_in_axons_per_core:
                        lo = mid
                    else:
                        hi = mid
                j, fi = lo, self._fan_in(views, i, lo)
            idx = len(self.cores)
            if idx >= lim.cores_per_system:
                needed = idx + self._cores_estimate(g, j, csum, const)
                raise MappingError(
                    f"{what}: the network needs at least {needed} neuro-cores, {lim.name} with "
                    f"{lim.chips_per_system} chip(s) x {lim.cores_per_chip} cores has {lim.cores_per_system} "
                    f"(over by {needed - lim.cores_per_system}); raise chips_per_system or shrink the network"
                )
            chip, core = divmod(idx, lim.cores_per_chip)
            tile = core // lim.cores_per_tile
            syn = sum(int(w[i:j].nnz) for w in views)
            self.cores.append(
                CorePlacement(
                    idx,
                    chip,
                    core,
                    tile % lim.tiles_x,
                    tile // lim.tiles_x,
                    g.name,
                    (i, j),
                    syn,
                    math.ceil((csum[j] - csum[i] + const) / 8),
                    fi,
                )
            )
            g.cores.append(idx)
            starts.append(i)
            i = j
        g.starts = np.asarray(starts, np.int64)
        for name in [g.name] + [self.label(s) for s in g.synapses]:
            self.processes[name].cores = list(g.cores)
        if g.neuron is not None:
            self.processes[g.name].neurons = g.rows
        for s in g.synapses:
            pp = self.processes[self.label(s)]
            w = s.synapse_matrix()
            pp.synapses = int(w.nnz if is_sparse(w) else np.count_nonzero(w))
            b, c = self._row_costs(_Group(g.name, None, [s], g.rows))[:2]
            pp.memory_bytes = math.ceil((b.sum() + c * max(len(g.cores), 1)) / 8)

    def _cores_estimate(self, g: _Group, j: int, csum: np.ndarray, const: int) -> int:
        lim = self.limits
        left = g.rows - j
        by_neurons = math.ceil(left / lim.neurons_per_core)
        by_memory = math.ceil((csum[-1] - csum[j]) / max(lim.synaptic_memory_bytes * 8 - const, 1))
        return 1 + max(by_neurons, by_memory)

    def _fan_out_per_core(self, s: ty.Any, g: _Group) -> np.ndarray:
        w = self._rows_of(s, g.rows)
        n_in = w.shape[1]
        out = np.zeros((n_in, len(g.cores)), np.int64)
        bounds = list(g.starts) + [g.rows]
        for k in range(len(g.cores)):
            block = w[bounds[k] : bounds[k + 1]]
            if block.nnz:
                out[:, k] = np.bincount(block.indices, minlength=n_in)
        return out

    # -- routes ---------------------------------------------------------------------------------
    def _fan_out(self) -> None:
        """Per source neuron: its routes (destination cores) and the energy of one spike's messages."""
        lim = self.limits
        self._msg: dict[int, tuple[np.ndarray, ...]] = {}
        for g in self._groups:
            if g.neuron is None:
                continue
            n = g.rows
            routes = np.zeros(n, np.int64)  # recounted below together with the hops
            hops_ew = np.zeros(n, np.int64)
            hops_ns = np.zeros(n, np.int64)
            chip_x = np.zeros(n, np.int64)
            src_core = np.repeat(np.asarray(g.cores), np.diff(np.append(g.starts, n)))
            core_tx = np.asarray([c.tile_x for c in self.cores])
            core_ty = np.asarray([c.tile_y for c in self.cores])
            core_chip = np.asarray([c.chip for c in self.cores])
            for r in self._routes:
                if r.source is not g.neuron:
                    continue
                has = _per_source(r.fan_out_per_core, n) > 0
                routes += has.sum(axis=1)
                for k, ci in enumerate(r.group.cores):
                    dst = self.cores[ci]
                    sel = has[:, k]
                    if not sel.any():
                        continue
                    sc = src_core[sel]
                    hops_ew[sel] += np.abs(core_tx[sc] - dst.tile_x)
                    hops_ns[sel] += np.abs(core_ty[sc] - dst.tile_y)
                    chip_x[sel] += (core_chip[sc] != dst.chip).astype(np.int64)
            self._msg[id(g.neuron)] = (routes, hops_ew, hops_ns, chip_x)
            for k, ci in enumerate(g.cores):
                stop = g.starts[k + 1] if k + 1 < len(g.starts) else n
                fo = int(routes[g.starts[k] : stop].sum())
                self.cores[ci].fan_out = fo
                if fo > lim.fan_out_axons_per_core:
                    raise MappingError(
                        f"{type(g.neuron.process).__name__} {g.name!r}: core {ci} sends to {fo} (neuron, core) "
                        f"routes, a core has {lim.fan_out_axons_per_core} output axons (over by "
                        f"{fo - lim.fan_out_axons_per_core}); fewer targets per neuron or smaller cores help"
                    )

    # -- summary --------------------------------------------------------------------------------
    @property
    def cores_used(self) -> int:
        return len(self.cores)

    @property
    def chips_used(self) -> int:
        return len({c.chip for c in self.cores})

    @property
    def tiles_used(self) -> int:
        return len({(c.chip, c.tile_x, c.tile_y) for c in self.cores})

    def to_dict(self) -> dict:
        return {
            "limits": self.limits.to_dict(),
            "cores_used": self.cores_used,
            "chips_used": self.chips_used,
            "tiles_used": self.tiles_used,
            "cores": [c.to_dict() for c in self.cores],
            "processes": [p.to_dict() for p in self.processes.values()],
        }


__all__ = ["Mapping", "MappingError", "CorePlacement", "ProcessPlacement"]
