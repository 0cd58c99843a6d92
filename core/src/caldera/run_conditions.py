"""How long a run lasts."""

from __future__ import annotations

from dataclasses import dataclass


class AbstractRunCondition:
    blocking: bool = True


@dataclass
class RunSteps(AbstractRunCondition):
    """Run ``num_steps`` time steps, then return (or, with ``blocking=False``, run in the background)."""

    num_steps: int
    blocking: bool = True

    def __post_init__(self) -> None:
        if (
            isinstance(self.num_steps, bool)
            or not isinstance(self.num_steps, (int,))
            and not (hasattr(self.num_steps, "__index__"))
        ):
            raise TypeError(f"RunSteps: num_steps must be an integer, got {self.num_steps!r}")
        self.num_steps = int(self.num_steps)
        if self.num_steps < 1:
            raise ValueError(f"RunSteps: num_steps must be >= 1, got {self.num_steps}")


@dataclass
class RunContinuous(AbstractRunCondition):
    """Run until ``pause()`` or ``stop()``; always non-blocking."""

    blocking: bool = False


__all__ = ["AbstractRunCondition", "RunSteps", "RunContinuous"]
