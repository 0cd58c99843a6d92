"""Lava's ``lava.proc.clp.novelty_detector.models``: NoveltyDetector's fixed_pt model (caldera_cpu.models)."""

from __future__ import annotations

from caldera_cpu.models.clp import PyNoveltyDetectorModel

from lava._compat import missing

__all__ = ["PyNoveltyDetectorModel"]
__getattr__ = missing(__name__)
