"""Which system (limits) and which energy table the next ``loihi`` compilation uses."""

from __future__ import annotations

import contextlib
import typing as ty

from caldera.errors import ParameterError

from caldera_loihi.energy import DAVIES2018, EnergyTable
from caldera_loihi.limits import LOIHI2, LoihiLimits

_STATE: dict[str, ty.Any] = {"limits": LOIHI2, "energy": DAVIES2018, "max_recorded_steps": 100_000}


def configure(
    limits: LoihiLimits | None = None, energy: EnergyTable | None = None, max_recorded_steps: int | None = None
) -> None:
    """Set the limits, energy table and recording window for networks compiled for ``loihi`` from now on.

    The backend's executor receives only the compiled plan, so these are read
    when a network is compiled (its first ``run``); a running network keeps
    the ones it was compiled with. ``max_recorded_steps``: steps whose counts
    are kept per step and per core (later steps only add to the totals, so a
    long run's memory stays bounded).
    """
    if max_recorded_steps is not None:
        if isinstance(max_recorded_steps, bool) or not isinstance(max_recorded_steps, int) or max_recorded_steps < 1:
            raise ParameterError(f"max_recorded_steps must be a positive integer, got {max_recorded_steps!r}")
        _STATE["max_recorded_steps"] = max_recorded_steps
    if limits is not None:
        if not isinstance(limits, LoihiLimits):
            raise ParameterError(f"limits must be a LoihiLimits, got {type(limits).__name__}")
        _STATE["limits"] = limits
    if energy is not None:
        if not isinstance(energy, EnergyTable):
            raise ParameterError(f"energy must be an EnergyTable, got {type(energy).__name__}")
        _STATE["energy"] = energy


def current() -> tuple[LoihiLimits, EnergyTable]:
    return _STATE["limits"], _STATE["energy"]


def max_recorded_steps() -> int:
    return int(_STATE["max_recorded_steps"])


@contextlib.contextmanager
def system(
    limits: LoihiLimits | None = None, energy: EnergyTable | None = None, max_recorded_steps: int | None = None
) -> ty.Iterator[None]:
    """``with system(limits=...):`` compile (run) networks for other limits, then restore the previous ones."""
    saved = dict(_STATE)
    try:
        configure(limits, energy, max_recorded_steps)
        yield
    finally:
        _STATE.update(saved)


__all__ = ["configure", "current", "system", "max_recorded_steps"]
