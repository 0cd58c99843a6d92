"""Lava's ``lava.proc.sparse.process``: Sparse, LearningSparse and DelaySparse connections (caldera.procs; weights as scipy CSR)."""

from __future__ import annotations

from caldera.procs.learning import LearningSparse
from caldera.procs.sparse import DelaySparse, Sparse

from lava._compat import missing

__all__ = ["Sparse", "DelaySparse", "LearningSparse"]
__getattr__ = missing(__name__)
