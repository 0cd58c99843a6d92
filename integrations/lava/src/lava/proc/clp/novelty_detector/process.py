"""Lava's ``lava.proc.clp.novelty_detector.process``: NoveltyDetector (caldera.procs)."""

from __future__ import annotations

from caldera.procs.clp import NoveltyDetector

from lava._compat import missing

__all__ = ["NoveltyDetector"]
__getattr__ = missing(__name__)
