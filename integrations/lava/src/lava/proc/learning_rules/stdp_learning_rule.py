"""Lava's ``lava.proc.learning_rules.stdp_learning_rule``: STDPLoihi, Loihi's pair-based STDP rule (caldera.learning)."""

from __future__ import annotations

from caldera.learning import STDPLoihi

from lava._compat import missing

__all__ = ["STDPLoihi"]
__getattr__ = missing(__name__)
