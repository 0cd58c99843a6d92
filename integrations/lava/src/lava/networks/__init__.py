"""Lava's ``lava.networks``: the algebraic network syntax (``<<``, ``+``, ``@``, ``*``) over standard processes.

``network``, ``gradedvecnetwork`` and ``resfire`` are provided.
"""

from __future__ import annotations

from lava._compat import missing

__all__: list[str] = []  # as in Lava, the package itself exports nothing
__getattr__ = missing(__name__)
