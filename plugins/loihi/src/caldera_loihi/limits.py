"""The resource limits of a Loihi system, as one dataclass a user can change.

Defaults are Loihi 2's published figures. Sources:

* [B] Intel, "Taking Neuromorphic Computing to the Next Level with Loihi 2",
  technology brief, 2021: 128 neuro-cores per chip, up to 1 M neurons per chip
  (8,192 per neuro-core), up to 120 M synapses per chip, 6 embedded processors,
  multi-chip scaling over a 2-D mesh.
* [D] M. Davies et al., "Loihi: A Neuromorphic Manycore Processor with On-Chip
  Learning", IEEE Micro 38(1), 2018 (Loihi 1): 128 KB of synaptic memory per
  core, 4,096 input (fan-in) and 4,096 output (fan-out) axons per core, cores
  grouped 4 to a tile on a 2-D mesh (its barrier figures span 1-32 tiles).
  The Loihi 2 brief does not publish these per-core figures, so Loihi 1's are
  the defaults.
* [L] Lava 0.10's bit-accurate models (``lava.proc.*.models``), which are
  Intel's statement of the chip's arithmetic: 8-bit weights truncated to
  ``num_weight_bits``, 6-bit delays (``DelayDense``), 12-bit
  decays, 13-bit bias mantissa with 3-bit exponent, 17-bit threshold
  mantissa, 24-bit u and v.
* [N] Intel's NxSDK for Loihi 1: a 4-bit signed weight exponent, -8..7 (Lava
  0.10 documents no range for ``weight_exp``, so NxSDK's is the default).
* [K] Kapoho Point, Intel's 8-chip Loihi 2 board (2022), taken as the default
  system size; Hala Point (2024) has 1,152 chips.

Where the published figure is a Loihi 1 one (marked [D]) that is said here;
override any field with ``dataclasses.replace(LOIHI2, ...)`` or a new instance.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from caldera.errors import ParameterError


@dataclass(frozen=True)
class LoihiLimits:
    """What one chip (and one system of chips) can hold; every field is a published figure (see module doc)."""

    name: str = "Loihi 2"
    cores_per_chip: int = 128  # [B]
    chips_per_system: int = 8  # [K] Kapoho Point
    neurons_per_core: int = 8192  # [B]
    synaptic_memory_bytes: int = 128 * 1024  # [D] 128 KB per core
    fan_in_axons_per_core: int = 4096  # [D] input axon routes per core
    fan_out_axons_per_core: int = 4096  # [D] output axon routes per core
    cores_per_tile: int = 4  # [D] mesh layout (4 cores a tile), used for hop counts
    tiles_x: int = 8  # 2-D mesh of tiles per chip (cores_per_chip / cores_per_tile = 32 tiles: 8 x 4)
    tiles_y: int = 4
    weight_bits: int = 8  # [L]
    weight_exp_min: int = -8  # [N]
    weight_exp_max: int = 7  # [N]
    delay_bits: int = 6  # [L] 6-bit delays: 0..63
    state_bits: int = 24  # [L] u, v
    decay_bits: int = 12  # [L] du, dv
    bias_mant_bits: int = 13  # [L] signed
    bias_exp_bits: int = 3  # [L] unsigned
    vth_bits: int = 17  # [L] unsigned threshold mantissa
    sparse_index_bits: int = 13  # bits to address one of 8192 neurons in a compressed (sparse) synapse entry

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if f.name in ("name", "weight_exp_min", "weight_exp_max"):
                continue
            if not isinstance(v, int) or isinstance(v, bool) or v < 0 or (v == 0 and f.name != "delay_bits"):
                raise ParameterError(f"LoihiLimits.{f.name} must be a positive integer, got {v!r}")
        if self.weight_exp_min > self.weight_exp_max:
            raise ParameterError("LoihiLimits: weight_exp_min must not exceed weight_exp_max")
        if self.tiles_x * self.tiles_y * self.cores_per_tile < self.cores_per_chip:
            raise ParameterError(
                f"LoihiLimits: a mesh of {self.tiles_x}x{self.tiles_y} tiles of {self.cores_per_tile} cores "
                f"holds fewer than cores_per_chip={self.cores_per_chip} cores"
            )

    @property
    def max_delay(self) -> int:
        """Largest synaptic delay (steps beyond the one-step synapse delay)."""
        return (1 << self.delay_bits) - 1

    @property
    def cores_per_system(self) -> int:
        return self.cores_per_chip * self.chips_per_system

    @property
    def state_range(self) -> tuple[int, int]:
        half = 1 << (self.state_bits - 1)
        return -half + 1, half - 1

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> LoihiLimits:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ParameterError(f"LoihiLimits: unknown fields {unknown}; known: {sorted(known)}")
        return cls(**d)


LOIHI2 = LoihiLimits()
"""Loihi 2 on a Kapoho Point board (8 chips)."""

LOIHI1 = LoihiLimits(
    name="Loihi 1",
    cores_per_chip=128,
    chips_per_system=1,
    neurons_per_core=1024,  # [D] 1,024 compartments/core
)
"""Loihi 1 (one chip), from [D]."""

__all__ = ["LoihiLimits", "LOIHI2", "LOIHI1"]
