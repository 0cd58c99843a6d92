"""Lava's ``lava.proc.dense.process``: Dense, LearningDense and DelayDense connections (caldera.procs)."""

from __future__ import annotations

from caldera.procs.dense import DelayDense, Dense
from caldera.procs.learning import LearningDense

from lava._compat import missing

__all__ = ["Dense", "DelayDense", "LearningDense"]
__getattr__ = missing(__name__)
