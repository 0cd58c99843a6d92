"""Lava's ``lava.magma.core.run_conditions``: ``RunSteps``, ``RunContinuous`` (caldera.run_conditions)."""

from caldera.run_conditions import AbstractRunCondition, RunContinuous, RunSteps

from lava._compat import missing

__all__ = ["AbstractRunCondition", "RunSteps", "RunContinuous"]
__getattr__ = missing(__name__)
