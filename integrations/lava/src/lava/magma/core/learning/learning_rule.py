"""Lava's ``lava.magma.core.learning.learning_rule`` (caldera.learning).

``Loihi2FLearningRule(dw=..., dd=..., dt=..., x1_impulse=..., x1_tau=..., ..., t_epoch=..., rng_seed=...)``
takes Lava's rule strings (``"2^-2 * x1 * y0 - 2^-2 * y1 * x0"``) and parses them when created;
``Loihi3FLearningRule`` adds the third factor (``y2`` from a LearningLIF's ``a_third_factor_in``).
"""

from caldera.learning import Loihi2FLearningRule, Loihi3FLearningRule, LoihiLearningRule

from lava._compat import missing

__all__ = ["LoihiLearningRule", "Loihi2FLearningRule", "Loihi3FLearningRule"]
__getattr__ = missing(__name__)
