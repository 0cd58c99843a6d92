"""Per-operation energy and time figures, in one table a user can override.

Source: M. Davies et al., "Loihi: A Neuromorphic Manycore Processor with
On-Chip Learning", IEEE Micro 38(1):82-99, 2018, Table 2 (Loihi 1, 14 nm,
measured at 0.75 V). Intel has not published a per-operation table for Loihi 2
(its brief states up to 10x faster spike processing and time steps than
Loihi 1 without per-operation energies), so these Loihi 1 figures are the
default and the estimates are labelled with the table's name. Replace them with
``dataclasses.replace(DAVIES2018, ...)`` or ``EnergyTable(...)`` (or
``--energy FILE.json`` on the command line) when better figures are known.

The estimate follows the paper's accounting: every neuron is updated every
step (active or inactive), every synaptic spike operation costs the same, each
spike message costs the within-tile energy plus one cost per mesh hop, and the
step ends with a mesh-wide barrier. Cores work in parallel, so a step lasts as
long as the busiest core plus the barrier.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from caldera.errors import ParameterError


@dataclass(frozen=True)
class EnergyTable:
    """Energies in picojoules, times in nanoseconds, per operation."""

    source: str = "Davies et al. 2018, IEEE Micro 38(1), Table 2 (Loihi 1)"
    synop_pj: float = 23.6  # energy per synaptic spike op (min)
    synop_ns: float = 3.5  # time per synaptic spike op (max)
    neuron_active_pj: float = 52.0  # energy per neuron update, active
    neuron_inactive_pj: float = 0.4  # energy per neuron update, inactive
    neuron_active_ns: float = 8.4  # time per neuron update, active
    neuron_inactive_ns: float = 2.4  # time per neuron update, inactive
    spike_in_tile_pj: float = 1.7  # within-tile spike energy
    spike_in_tile_ns: float = 2.1  # within-tile spike latency
    hop_ew_pj: float = 3.0  # energy per tile hop, east-west
    hop_ns_pj: float = 4.0  # energy per tile hop, north-south
    hop_ew_ns: float = 4.1  # latency per tile hop, east-west
    hop_ns_ns: float = 6.5  # latency per tile hop, north-south
    chip_hop_pj: float = 0.0  # energy per chip-to-chip crossing: not published in [D]; set your own
    barrier_ns_min: float = 113.0  # mesh-wide barrier sync, 1 tile
    barrier_ns_max: float = 465.0  # mesh-wide barrier sync, 32 tiles
    barrier_tiles_max: int = 32

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if f.name == "source":
                continue
            if not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0 or v != v:
                raise ParameterError(f"EnergyTable.{f.name} must be a non-negative number, got {v!r}")

    def barrier_ns(self, tiles: int) -> float:
        """Barrier time for ``tiles`` active tiles, linear between the paper's 1-tile and 32-tile figures."""
        if tiles <= 1:
            return self.barrier_ns_min
        frac = min(tiles - 1, self.barrier_tiles_max - 1) / max(self.barrier_tiles_max - 1, 1)
        return self.barrier_ns_min + frac * (self.barrier_ns_max - self.barrier_ns_min)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> EnergyTable:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ParameterError(f"EnergyTable: unknown fields {unknown}; known: {sorted(known)}")
        return cls(**d)


DAVIES2018 = EnergyTable()
"""The default table (Loihi 1 measurements)."""

__all__ = ["EnergyTable", "DAVIES2018"]
