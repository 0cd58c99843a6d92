"""Lava's ``lava.magma.core.learning.utils``: ``float_to_literal`` (caldera.learning)."""

from caldera.learning import float_to_literal

from lava._compat import missing

__all__ = ["float_to_literal"]
__getattr__ = missing(
    __name__,
    {
        "stochastic_round": "not supported: the fixed-point learning models round stochastically themselves "
        "(seeded by the rule's rng_seed)",
        "apply_mask": "not supported: an internal helper of Lava's learning engine",
    },
)
