"""On-chip-style learning: Loihi learning rules, their string grammar, STDP and reward-modulated STDP.

Use a rule with a learning connection::

    from caldera.learning import STDPLoihi
    from caldera.procs import LearningDense
    stdp = STDPLoihi(learning_rate=1, A_plus=1, A_minus=-1, tau_plus=10, tau_minus=10, t_epoch=1)
    syn = LearningDense(weights=w, learning_rule=stdp)
    post.s_out.connect(syn.s_in_bap)   # the post-synaptic spikes drive y0 and the y traces
"""

from caldera.learning import constants
from caldera.learning.constants import GradedSpikeCfg
from caldera.learning.grammar import Factor, Product, ProductSeries, RuleSyntaxError, parse_rule
from caldera.learning.rule import Loihi2FLearningRule, Loihi3FLearningRule, LoihiLearningRule, float_to_literal
from caldera.learning.rules import RewardModulatedSTDP, STDPLoihi

__all__ = [
    "LoihiLearningRule",
    "Loihi2FLearningRule",
    "Loihi3FLearningRule",
    "STDPLoihi",
    "RewardModulatedSTDP",
    "GradedSpikeCfg",
    "RuleSyntaxError",
    "parse_rule",
    "float_to_literal",
    "Factor",
    "Product",
    "ProductSeries",
    "constants",
]
