"""Lava's ``lava.proc.lif.process``: the LIF family of processes (caldera.procs)."""

from __future__ import annotations

from caldera.procs.learning import LearningLIF
from caldera.procs.lif import LIF, AbstractLIF, LIFRefractory, LIFReset, TernaryLIF

from lava._compat import missing

__all__ = ["AbstractLIF", "LIF", "LIFReset", "LIFRefractory", "TernaryLIF", "LearningLIF"]
__getattr__ = missing(__name__)
