"""Learning connections and a learning neuron (Lava's ``LearningDense``, ``LearningSparse``, ``LearningLIF``).

A learning connection behaves as its plain counterpart in the spiking phase
and, every ``learning_rule.t_epoch`` steps, changes its weights (and tags) by
the rule in the learning phase. It keeps Loihi's per-synapse learning state as
Vars: the within-epoch spike times ``tx``/``ty``, the dependencies ``x0``/``y0``,
the traces ``x1``, ``x2`` (per pre-synaptic neuron) and ``y1``..``y3`` (per
post-synaptic neuron), and the tags ``tag_1`` (``t``) and ``tag_2`` (``d``).
Post-synaptic spikes arrive on ``s_in_bap``; a three-factor rule also reads
the post-synaptic neuron's traces on ``s_in_y1``..``s_in_y3``.
"""

from __future__ import annotations

import typing as ty

import numpy as np

from caldera.errors import ParameterError
from caldera.learning import GradedSpikeCfg, LoihiLearningRule
from caldera.ports import InPort, OutPort
from caldera.procs._validate import per_neuron, shape_of
from caldera.procs.dense import Dense
from caldera.procs.lif import AbstractLIF
from caldera.procs.sparse import Sparse
from caldera.variable import Var, is_sparse

_TRACES = ("x1", "x2", "y1", "y2", "y3")


def _check_rule(proc: str, rule: ty.Any, required: bool = True) -> LoihiLearningRule | None:
    if rule is None and not required:
        return None
    if not isinstance(rule, LoihiLearningRule):
        raise ParameterError(
            f"{proc}: learning_rule must be a caldera.learning.LoihiLearningRule (e.g. STDPLoihi), got {rule!r}"
        )
    return rule


def _graded_cfg(proc: str, cfg: ty.Any) -> GradedSpikeCfg:
    try:
        return GradedSpikeCfg(int(cfg))
    except (ValueError, TypeError):
        raise ParameterError(f"{proc}: graded_spike_cfg must be a GradedSpikeCfg (0..3), got {cfg!r}") from None


def _tag(proc: str, name: str, value: ty.Any, weights: ty.Any) -> ty.Any:
    shape = weights.shape
    if value is None:
        if is_sparse(weights):
            t = weights.copy().astype(float)
            t.data[:] = 0
            return t
        return np.zeros(shape)
    if is_sparse(value):
        value = value.toarray()
    arr = np.asarray(value, dtype=float)
    if arr.shape != shape:
        raise ParameterError(f"{proc}: {name} of shape {arr.shape} must match the weights {shape}")
    if is_sparse(weights):
        t = weights.copy().astype(float)
        r, c = _pattern(weights)
        t.data[:] = arr[r, c]
        return t
    return arr.copy()


def _pattern(m: ty.Any) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of every stored entry of a CSR matrix, explicit zeros included."""
    m = m.tocsr()
    rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
    return rows, m.indices.copy()


def _add_learning_members(
    proc: ty.Any, shape: tuple[int, int], rule: LoihiLearningRule, tag_1: ty.Any, tag_2: ty.Any
) -> None:
    n_post, n_pre = shape
    proc.s_in_bap = InPort(shape=(n_post,))
    proc.s_in_y1 = InPort(shape=(n_post,))
    proc.s_in_y2 = InPort(shape=(n_post,))
    proc.s_in_y3 = InPort(shape=(n_post,))
    proc.x0 = Var(shape=(n_pre,), init=0)
    proc.tx = Var(shape=(n_pre,), init=0)
    proc.x1 = Var(shape=(n_pre,), init=0)
    proc.x2 = Var(shape=(n_pre,), init=0)
    proc.y0 = Var(shape=(n_post,), init=0)
    proc.ty = Var(shape=(n_post,), init=0)
    proc.y1 = Var(shape=(n_post,), init=0)
    proc.y2 = Var(shape=(n_post,), init=0)
    proc.y3 = Var(shape=(n_post,), init=0)
    proc.tag_1 = Var(shape=shape, init=tag_1)
    proc.tag_2 = Var(shape=shape, init=tag_2)
    proc.dw = Var(shape=(256,), init=rule.dw_str)
    proc.dd = Var(shape=(256,), init=rule.dd_str)
    proc.dt = Var(shape=(256,), init=rule.dt_str)
    for tr in _TRACES:
        setattr(proc, f"{tr}_tau", Var(shape=(1,), init=getattr(rule, f"{tr}_tau")))
        setattr(proc, f"{tr}_impulse", Var(shape=(1,), init=getattr(rule, f"{tr}_impulse")))


class LearningDense(Dense):
    """``Dense`` whose weights (and tags) learn by ``learning_rule`` (a :class:`LoihiLearningRule`).

    ``graded_spike_cfg`` says how graded pre-synaptic spikes drive x1 (see
    :class:`caldera.learning.GradedSpikeCfg`); anything but the default sets
    the rule's ``x1_impulse`` to 0, as Lava does.
    """

    def __init__(
        self,
        *,
        weights: ty.Any,
        learning_rule: LoihiLearningRule,
        tag_2: ty.Any = None,
        tag_1: ty.Any = None,
        weight_exp: int = 0,
        num_weight_bits: int = 8,
        num_message_bits: int = 0,
        sign_mode: ty.Any = None,
        graded_spike_cfg: GradedSpikeCfg = GradedSpikeCfg.USE_REGULAR_IMPULSE,
        name: str | None = None,
        log_config: ty.Any = None,
    ) -> None:
        cls = type(self).__name__
        rule = _check_rule(cls, learning_rule)
        cfg = _graded_cfg(cls, graded_spike_cfg)
        if cfg != GradedSpikeCfg.USE_REGULAR_IMPULSE:
            rule.x1_impulse = 0
        super().__init__(
            weights=weights,
            weight_exp=weight_exp,
            num_weight_bits=num_weight_bits,
            num_message_bits=num_message_bits,
            sign_mode=sign_mode,
            name=name,
        )
        w = self.proc_params["weights"]
        self.proc_params.update(learning_rule=rule, graded_spike_cfg=cfg, shape=tuple(np.shape(w)))
        _add_learning_members(
            self,
            tuple(np.shape(w)),
            rule,
            _tag(cls, "tag_1", tag_1, np.asarray(w)),
            _tag(cls, "tag_2", tag_2, np.asarray(w)),
        )


class LearningSparse(Sparse):
    """``Sparse`` whose stored synapses learn by ``learning_rule``; absent synapses stay absent."""

    def __init__(
        self,
        *,
        weights: ty.Any,
        learning_rule: LoihiLearningRule,
        tag_2: ty.Any = None,
        tag_1: ty.Any = None,
        weight_exp: int = 0,
        num_weight_bits: int = 8,
        num_message_bits: int = 0,
        sign_mode: ty.Any = None,
        graded_spike_cfg: GradedSpikeCfg = GradedSpikeCfg.USE_REGULAR_IMPULSE,
        name: str | None = None,
        log_config: ty.Any = None,
    ) -> None:
        cls = type(self).__name__
        rule = _check_rule(cls, learning_rule)
        cfg = _graded_cfg(cls, graded_spike_cfg)
        if cfg != GradedSpikeCfg.USE_REGULAR_IMPULSE:
            rule.x1_impulse = 0
        super().__init__(
            weights=weights,
            weight_exp=weight_exp,
            num_weight_bits=num_weight_bits,
            num_message_bits=num_message_bits,
            sign_mode=sign_mode,
            name=name,
        )
        w = self.proc_params["weights"]
        self.proc_params.update(learning_rule=rule, graded_spike_cfg=cfg, shape=tuple(w.shape))
        _add_learning_members(self, tuple(w.shape), rule, _tag(cls, "tag_1", tag_1, w), _tag(cls, "tag_2", tag_2, w))


class LearningLIF(AbstractLIF):
    """LIF that also sends what learning connections need about it.

    Besides ``s_out`` it sends its spikes on ``s_out_bap`` (connect to a learning
    connection's ``s_in_bap``) and its traces on ``s_out_y1``..``s_out_y3``
    (connect to ``s_in_y1``..``s_in_y3`` for a three-factor rule). y1 is the
    neuron's own spike trace (impulse/tau from the rule: ``post_trace_kernel_magnitude``
    / ``post_trace_decay_tau`` of a ``RewardModulatedSTDP``, else ``y1_impulse`` /
    ``y1_tau``), y2 is the third factor received on ``a_third_factor_in`` (e.g. a
    reward) and y3 a trace with the rule's ``y3_impulse``/``y3_tau``.
    """

    def __init__(
        self,
        *,
        shape: ty.Any,
        u: ty.Any = 0,
        v: ty.Any = 0,
        du: float = 0,
        dv: float = 0,
        bias_mant: ty.Any = 0,
        bias_exp: ty.Any = 0,
        vth: float = 10,
        learning_rule: LoihiLearningRule | None = None,
        name: str | None = None,
        log_config: ty.Any = None,
    ) -> None:
        cls = type(self).__name__
        vth = per_neuron(cls, "vth", vth, shape_of(cls, shape))
        rule = _check_rule(cls, learning_rule, required=False)
        super().__init__(
            shape=shape,
            u=u,
            v=v,
            du=du,
            dv=dv,
            bias_mant=bias_mant,
            bias_exp=bias_exp,
            name=name,
            learning_rule=rule,
            vth=vth,
        )
        shape = self.shape
        self.vth = Var(shape=(1,) if np.size(vth) == 1 else shape, init=vth)
        self.a_third_factor_in = InPort(shape=shape)
        self.s_out_bap = OutPort(shape=shape)
        self.s_out_y1 = OutPort(shape=shape)
        self.s_out_y2 = OutPort(shape=shape)
        self.s_out_y3 = OutPort(shape=shape)
        self.y1 = Var(shape=shape, init=0)
        self.y2 = Var(shape=shape, init=0)
        self.y3 = Var(shape=shape, init=0)


__all__ = ["LearningDense", "LearningSparse", "LearningLIF"]
