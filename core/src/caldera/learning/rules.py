"""Ready-made rules: pair-based STDP and reward-modulated STDP (Lava's ``lava.proc.learning_rules``)."""

from __future__ import annotations

import typing as ty

from caldera.learning.rule import Loihi2FLearningRule, Loihi3FLearningRule, float_to_literal

__all__ = ["STDPLoihi", "RewardModulatedSTDP"]


class STDPLoihi(Loihi2FLearningRule):
    """Pair-based STDP: ``dw = lr * A_minus * x0 * y1 + lr * A_plus * y0 * x1``.

    x1 is the pre-synaptic trace (``tau_plus``), y1 the post-synaptic one
    (``tau_minus``); both grow by 16 per spike unless ``x1_impulse`` /
    ``y1_impulse`` say otherwise. As in Lava, ``learning_rate``, ``A_plus`` and
    ``A_minus`` are written into the rule through :func:`float_to_literal`,
    i.e. rounded to ``integer * power of two``.
    """

    def __init__(
        self,
        learning_rate: float,
        A_plus: float,
        A_minus: float,
        tau_plus: float,
        tau_minus: float,
        *args: ty.Any,
        **kwargs: ty.Any,
    ) -> None:
        self.learning_rate = float_to_literal(learning_rate)
        self.A_plus = float_to_literal(A_plus)
        self.A_minus = float_to_literal(A_minus)
        self.tau_plus = tau_plus
        self.tau_minus = tau_minus
        dw = f"{self.learning_rate} * {self.A_minus} * x0 * y1 + {self.learning_rate} * {self.A_plus} * y0 * x1"
        x1_impulse = kwargs.pop("x1_impulse", 16)
        y1_impulse = kwargs.pop("y1_impulse", 16)
        super().__init__(
            *args, dw=dw, x1_impulse=x1_impulse, x1_tau=tau_plus, y1_impulse=y1_impulse, y1_tau=tau_minus, **kwargs
        )


class RewardModulatedSTDP(Loihi3FLearningRule):
    """Reward-modulated STDP (Frémaux & Gerstner 2016), as Lava writes it.

    The STDP term accumulates in the tag ``t`` (an eligibility trace decaying
    by ``eligibility_trace_decay_tau`` per epoch) and the weight follows the
    tag times the reward ``y2``: ``dt = lr*A_minus*x0*y1 + lr*A_plus*y0*x1 -
    u0*t*tau_e`` and ``dw = u0*t*y2``. The post-synaptic neuron (e.g.
    ``LearningLIF``) sends its spike trace as y1 and the reward as y2.
    """

    def __init__(
        self,
        learning_rate: float,
        A_plus: float,
        A_minus: float,
        pre_trace_decay_tau: float,
        post_trace_decay_tau: float,
        pre_trace_kernel_magnitude: float,
        post_trace_kernel_magnitude: float,
        eligibility_trace_decay_tau: float,
        *args: ty.Any,
        **kwargs: ty.Any,
    ) -> None:
        self.learning_rate = float_to_literal(learning_rate)
        self.A_plus = float_to_literal(A_plus)
        self.A_minus = float_to_literal(A_minus)
        self.pre_trace_decay_tau = pre_trace_decay_tau
        self.post_trace_decay_tau = post_trace_decay_tau
        self.pre_trace_kernel_magnitude = pre_trace_kernel_magnitude
        self.post_trace_kernel_magnitude = post_trace_kernel_magnitude
        self.eligibility_trace_decay_tau = float_to_literal(eligibility_trace_decay_tau)
        dt = (
            f"{self.learning_rate} * {self.A_minus} * x0 * y1 + "
            f"{self.learning_rate} * {self.A_plus} * y0 * x1 - "
            f"u0 * t * {self.eligibility_trace_decay_tau}"
        )
        dw = " u0 * t * y2 "
        super().__init__(
            *args, dw=dw, dt=dt, x1_impulse=pre_trace_kernel_magnitude, x1_tau=pre_trace_decay_tau, **kwargs
        )
