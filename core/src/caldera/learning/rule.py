"""``LoihiLearningRule``: rule strings for the synaptic variables plus the trace configuration.

A rule object is passed to a learning connection (``LearningDense``,
``LearningSparse``) as ``learning_rule=``. Its rule strings are parsed at once
(a bad string raises :class:`RuleSyntaxError` pointing at the offending token);
the model of the connection evaluates the parsed products in the learning
phase of every ``t_epoch``-th step.
"""

from __future__ import annotations

import math
import typing as ty

import numpy as np

from caldera.errors import ParameterError
from caldera.learning import constants as K
from caldera.learning.grammar import ProductSeries, parse_rule

__all__ = ["LoihiLearningRule", "Loihi2FLearningRule", "Loihi3FLearningRule", "float_to_literal"]

_TRACE_NAMES = ("x1", "x2", "y1", "y2", "y3")
_TRACE_PARAMS = {f"{t}_{k}" for t in _TRACE_NAMES for k in ("impulse", "tau")}


def _nonneg(name: str, value: ty.Any) -> float:
    try:
        v = float(np.asarray(value).reshape(-1)[0]) if np.size(value) == 1 else None
    except (TypeError, ValueError):
        v = None
    if v is None or not math.isfinite(v):
        raise ParameterError(f"learning rule: {name} must be a finite number, got {value!r}")
    if v < 0:
        raise ParameterError(f"learning rule: {name} must be >= 0, got {value!r}")
    return value if isinstance(value, (int, float)) else v


class LoihiLearningRule:
    """Rules ``dw``, ``dd``, ``dt`` (strings, at least one) and the five traces' impulses and taus.

    ``x1``/``x2`` are pre-synaptic traces, ``y1``..``y3`` post-synaptic: on each
    spike a trace grows by its ``*_impulse`` and it decays by ``exp(-1/tau)``
    per step (``tau == 0``: the trace does not decay). Learning happens every
    ``t_epoch`` steps; ``rng_seed`` seeds the stochastic rounding of
    fixed-point models (drawn at random when None).
    """

    def __init__(
        self,
        dw: str | None = None,
        dd: str | None = None,
        dt: str | None = None,
        x1_impulse: float = 0.0,
        x1_tau: float = 0.0,
        x2_impulse: float = 0.0,
        x2_tau: float = 0.0,
        y1_impulse: float = 0.0,
        y1_tau: float = 0.0,
        y2_impulse: float = 0.0,
        y2_tau: float = 0.0,
        y3_impulse: float = 0.0,
        y3_tau: float = 0.0,
        t_epoch: int = 1,
        rng_seed: int | None = None,
    ) -> None:
        self._dw_str, self._dd_str, self._dt_str = dw, dd, dt
        self._parse()
        for tr in _TRACE_NAMES:
            setattr(self, f"{tr}_impulse", locals()[f"{tr}_impulse"])
            setattr(self, f"{tr}_tau", locals()[f"{tr}_tau"])
        self.t_epoch = t_epoch
        if rng_seed is None:
            rng_seed = int(np.random.default_rng().integers(1, np.iinfo(np.int32).max))
        elif not isinstance(rng_seed, (int, np.integer)) or isinstance(rng_seed, bool) or rng_seed < 0:
            raise ParameterError(f"learning rule: rng_seed must be a non-negative integer or None, got {rng_seed!r}")
        self.rng_seed = int(rng_seed)

    # -- rule strings -----------------------------------------------------------------------
    def _parse(self) -> None:
        given = {t: s for t, s in ((K.DW, self._dw_str), (K.DD, self._dd_str), (K.DT, self._dt_str)) if s is not None}
        if not given:
            raise ParameterError("learning rule: no rule given; pass at least one of dw=, dd=, dt= (a string)")
        series = {t: parse_rule(t, s) for t, s in given.items()}
        ks = {ps.decimate_exponent for ps in series.values() if ps.decimate_exponent is not None}
        if len(ks) > 1:
            raise ParameterError(
                f"learning rule: the rules use uK with different K ({sorted(ks)}); all must use the same K"
            )
        self._decimate_exponent = ks.pop() if ks else None
        self._active_product_series = series

    def _set_rule(self, target: str, value: str | None) -> None:
        old = getattr(self, f"_{target}_str")
        setattr(self, f"_{target}_str", value)
        try:
            self._parse()
        except Exception:
            setattr(self, f"_{target}_str", old)
            raise

    dw_str = property(
        lambda self: self._dw_str, lambda self, v: self._set_rule(K.DW, v), doc="The weight rule string (or None)."
    )
    dd_str = property(
        lambda self: self._dd_str,
        lambda self, v: self._set_rule(K.DD, v),
        doc="The delay (tag_2) rule string (or None).",
    )
    dt_str = property(
        lambda self: self._dt_str, lambda self, v: self._set_rule(K.DT, v), doc="The tag (tag_1) rule string (or None)."
    )

    @property
    def dw(self) -> ProductSeries | None:
        return self._active_product_series.get(K.DW)

    @property
    def dd(self) -> ProductSeries | None:
        return self._active_product_series.get(K.DD)

    @property
    def dt(self) -> ProductSeries | None:
        return self._active_product_series.get(K.DT)

    @property
    def active_product_series(self) -> dict[str, ProductSeries]:
        """Parsed rules by target, in the order dw, dd, dt."""
        return dict(self._active_product_series)

    @property
    def decimate_exponent(self) -> int | None:
        """K of the ``uK`` dependency the rules use, if any."""
        return self._decimate_exponent

    @property
    def active_traces_per_dependency(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for ps in self._active_product_series.values():
            for dep, traces in ps.active_traces_per_dependency.items():
                out.setdefault(dep, set()).update(traces)
        return out

    @property
    def active_traces(self) -> set[str]:
        out: set[str] = set()
        for traces in self.active_traces_per_dependency.values():
            out |= traces
        return out

    @property
    def dependencies(self) -> set[str]:
        return set(self.active_traces_per_dependency)

    @property
    def needs_post_synaptic(self) -> bool:
        """True when the rules read y0 or a post-synaptic trace (so ``s_in_bap`` must be connected)."""
        return (
            K.Y0 in self.dependencies
            or bool(self.active_traces & set(K.POST_TRACES))
            or any(
                f.state_var == K.Y0
                for ps in self._active_product_series.values()
                for p in ps.products
                for f in p.factors
            )
        )

    # -- trace parameters -------------------------------------------------------------------
    def __setattr__(self, name: str, value: ty.Any) -> None:
        if name in _TRACE_PARAMS:
            value = _nonneg(name, value)
        elif name == "t_epoch":
            if (not isinstance(value, (int, np.integer)) or isinstance(value, bool)) and not (
                isinstance(value, float) and value.is_integer()
            ):
                raise ParameterError(f"learning rule: t_epoch must be a positive integer, got {value!r}")
            if value <= 0:
                raise ParameterError(f"learning rule: t_epoch must be a positive integer (>= 1), got {value!r}")
            if value > 2**K.W_EPOCH_TIME - 1:
                raise ParameterError(
                    f"learning rule: t_epoch={value} exceeds Loihi's {K.W_EPOCH_TIME}-bit epoch counter "
                    f"(at most {2**K.W_EPOCH_TIME - 1})"
                )
            value = int(value)
        object.__setattr__(self, name, value)

    def __repr__(self) -> str:
        rules = ", ".join(
            f"{t}={s!r}" for t, s in (("dw", self._dw_str), ("dd", self._dd_str), ("dt", self._dt_str)) if s is not None
        )
        return f"{type(self).__name__}({rules}, t_epoch={self.t_epoch})"


class Loihi2FLearningRule(LoihiLearningRule):
    """Two-factor rule: the connection computes the post-synaptic traces from ``s_in_bap`` itself."""


class Loihi3FLearningRule(LoihiLearningRule):
    """Three-factor rule: the post-synaptic neuron supplies y1..y3 (ports ``s_in_y1..3``).

    The y impulses are 0 and the y taus 65535, as in Lava.
    """

    def __init__(
        self,
        dw: str | None = None,
        dd: str | None = None,
        dt: str | None = None,
        x1_impulse: float = 0.0,
        x1_tau: float = 0.0,
        x2_impulse: float = 0.0,
        x2_tau: float = 0.0,
        t_epoch: int = 1,
        rng_seed: int | None = None,
    ) -> None:
        big = int(np.iinfo(np.uint16).max)
        super().__init__(
            dw=dw,
            dd=dd,
            dt=dt,
            x1_impulse=x1_impulse,
            x1_tau=x1_tau,
            x2_impulse=x2_impulse,
            x2_tau=x2_tau,
            y1_impulse=0,
            y1_tau=big,
            y2_impulse=0,
            y2_tau=big,
            y3_impulse=0,
            y3_tau=big,
            t_epoch=t_epoch,
            rng_seed=rng_seed,
        )


def float_to_literal(value: float) -> str:
    """Lava's conversion of a parameter to a rule literal ``(m) * 2 ^ e``.

    ``m`` is the integer part (at least 1) and ``e`` the power of two nearest to
    the rest, so 0.7 becomes ``(1) * 2 ^ -1``: Lava's STDP rounds its
    learning rate and amplitudes to powers of two, and so does Caldera's.
    """
    if value == 0:
        return "0"
    sign = int(np.sign(value))
    mag = abs(float(value))
    mantissa = max(int(mag), 1)
    rest = mag / mantissa
    if rest == 1:
        return f"({sign * mantissa})"
    exp = int(np.round(np.log2(rest)))
    return f"({sign * mantissa}) * 2 ^ {exp}"
