"""Lava's ``lava.proc.learning_rules.r_stdp_learning_rule``: RewardModulatedSTDP, a three-factor rule (caldera.learning)."""

from __future__ import annotations

from caldera.learning import RewardModulatedSTDP

from lava._compat import missing

__all__ = ["RewardModulatedSTDP"]
__getattr__ = missing(__name__)
