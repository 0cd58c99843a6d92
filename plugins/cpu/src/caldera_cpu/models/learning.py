"""NumPy models of the learning connections (LearningDense, LearningSparse) and of LearningLIF.

Floating point follows Lava 0.10's ``LearningConnectionModelFloat`` operation
for operation (the golden ``src_learningdense_*`` scenarios check it):

* spiking phase -- the connection sends last step's activation and
  accumulates this step's; then it records the within-epoch time of pre-
  (``tx``) and post-synaptic (``ty``, from ``s_in_bap``) spikes. A second
  spike of a neuron within one epoch adds the trace impulse at once (Loihi's
  approximation); a three-factor rule takes y1..y3 from ``s_in_y1..3``.
* learning phase (every ``t_epoch`` steps) -- ``x0 = tx > 0``, ``y0 = ty > 0``;
  the traces are advanced through the epoch step by step (decay by
  ``exp(-1/tau)``, impulse at the recorded spike time); every product of the
  rules is evaluated with each trace read at the time its dependency fired
  (x0: the pre spike, y0: the post spike, uK: the epoch's end) and added to
  its synaptic variable; weights saturate by sign mode, ``tag_2`` at 0.

The fixed-point model keeps Loihi's widths: traces are 7-bit (0..127)
integers with 8-bit impulse fractions, the rule's scaling constant is
``s_mantissa * 2**s_exp``, each factor is clipped to its width, the sum is
taken in a 16-bit accumulator holding the synaptic variable << 7 and rounded
back stochastically; weights saturate to 8 bits by sign mode, tags to 8/9
bits. Every stochastic rounding draws one number per element from a
``numpy.random.Generator`` seeded with the rule's ``rng_seed``, so a run is
reproducible for a seed and unbiased: its expected weight change equals the
float rule's on the same integer traces. (Lava's bit-approximate model draws
one number per step for all elements; its random streams are not reproduced.)
"""

from __future__ import annotations

import typing as ty
import warnings

import numpy as np
from caldera import arith
from caldera import declarations as decl
from caldera.errors import ParameterError
from caldera.lazy import lazy_module
from caldera.learning import GradedSpikeCfg, Loihi3FLearningRule, LoihiLearningRule
from caldera.learning import constants as K
from caldera.model import CSR_MATRIX, LavaPyType, PyInPort, PyOutPort, implements, requires, tag
from caldera.procs.learning import LearningDense, LearningLIF, LearningSparse
from caldera.protocols import LoihiProtocol
from caldera.resources import CPU
from caldera.variable import is_sparse

from caldera_cpu.models.connections import _DenseBase, _SparseBase
from caldera_cpu.models.lif import PyLifModelBitAcc, PyLifModelFloat

sp = lazy_module("scipy.sparse")  # imported on first use (see caldera.lazy)

_TRACE_NAMES = ("x1", "x2", "y1", "y2", "y3")
_Y_INDEX = {"y1": 0, "y2": 1, "y3": 2}
_X_INDEX = {"x1": 0, "x2": 1}


def _scalar(v: ty.Any) -> float:
    return float(np.asarray(v).reshape(-1)[0])


def _csr_pattern(m: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
    return rows, m.indices.copy()


class _LearningConnection:
    """Learning state and phases shared by the float and fixed models of Dense and Sparse."""

    fixed = False

    # -- set-up -----------------------------------------------------------------------------
    def validate(self) -> None:
        proc = self.process
        what = f"{type(proc).__name__} {proc.name!r}"
        rule = self.proc_params.get("learning_rule")
        if not isinstance(rule, LoihiLearningRule):
            raise ParameterError(f"{what}: learning_rule must be a LoihiLearningRule, got {rule!r}")
        self._rule = rule
        self._three_f = isinstance(rule, Loihi3FLearningRule)
        self._cfg = GradedSpikeCfg(int(self.proc_params.get("graded_spike_cfg", 0)))
        self._check_ports(what)
        self._sparse = is_sparse(self.weights)
        if self._sparse:
            self.weights = sp.csr_matrix(self.weights)
            self._rows, self._cols = _csr_pattern(self.weights)
            for name in ("tag_1", "tag_2"):
                dense = self._to_dense(getattr(self, name))
                t = self.weights.copy().astype(self.weights.dtype)
                t.data = dense[self._rows, self._cols].astype(t.dtype)
                setattr(self, name, t)
        super().validate()  # type: ignore[misc]
        n_post, n_pre = self.weights.shape
        self._n_post, self._n_pre = n_post, n_pre
        self._rng = np.random.default_rng(rule.rng_seed)
        self._configure()

    def _check_ports(self, what: str) -> None:
        proc = self.process
        rule = self._rule
        name = proc.name
        if rule.needs_post_synaptic and not proc.s_in_bap.in_connections:
            raise ParameterError(
                f"{what}: its learning rule reads post-synaptic activity (y0 or a y trace) but s_in_bap is not "
                f"connected; connect the post-synaptic neurons' spikes (e.g. lif.s_out or a LearningLIF's "
                f"s_out_bap) to {name}.s_in_bap"
            )
        if self._three_f:
            for tr in sorted(rule.active_traces & set(K.POST_TRACES)):
                port = getattr(proc, f"s_in_{tr}")
                if not port.in_connections:
                    raise ParameterError(
                        f"{what}: its three-factor rule reads {tr}, which the post-synaptic neuron must send: "
                        f"connect e.g. a LearningLIF's s_out_{tr} to {name}.s_in_{tr}"
                    )

    def _configure(self) -> None:
        """(Re)read impulses, taus and rules -- from the model's Vars, which Var.set() may have changed."""
        rule = self._rule
        for tr in _TRACE_NAMES:
            for kind in ("tau", "impulse"):
                val = getattr(self, f"{tr}_{kind}", None)
                if val is not None:
                    setattr(rule, f"{tr}_{kind}", _scalar(val))
        for tgt in (K.DW, K.DD, K.DT):
            s = getattr(self, tgt, None)
            if isinstance(s, np.ndarray):
                s = s.reshape(-1)[0] if s.size else None
            if s is not None and not isinstance(s, str):
                s = None
            if s != getattr(rule, f"{tgt}_str"):
                setattr(rule, f"{tgt}_str", s)
        self._x_impulses = np.array([rule.x1_impulse, rule.x2_impulse], dtype=float)
        self._x_taus = np.array([rule.x1_tau, rule.x2_tau], dtype=float)
        self._y_impulses = np.array([rule.y1_impulse, rule.y2_impulse, rule.y3_impulse], dtype=float)
        self._y_taus = np.array([rule.y1_tau, rule.y2_tau, rule.y3_tau], dtype=float)
        self._x_decay = np.where(self._x_taus != 0, np.exp(-1 / np.where(self._x_taus != 0, self._x_taus, 1)), 1.0)
        self._y_decay = np.where(self._y_taus != 0, np.exp(-1 / np.where(self._y_taus != 0, self._y_taus, 1)), 1.0)
        self._series = rule.active_product_series
        if self.fixed:
            self._x_imp_int = np.floor(self._x_impulses).astype(np.int64)
            self._x_imp_frac = np.round((self._x_impulses - self._x_imp_int) * 2**K.W_TRACE_FRACTIONAL_PART)
            self._y_imp_int = np.floor(self._y_impulses).astype(np.int64)
            self._y_imp_frac = np.round((self._y_impulses - self._y_imp_int) * 2**K.W_TRACE_FRACTIONAL_PART)
            inexact = [p.text for ps in self._series.values() for p in ps.products if not p.exact]
            if inexact:
                warnings.warn(
                    f"{self.process.name}: the scaling constants of {inexact} are not of the form "
                    "s_mantissa * 2**s_exp; the fixed_pt model uses the nearest such value",
                    stacklevel=2,
                )

    def on_var_set(self, name: str) -> None:
        if name.endswith("_tau") or name.endswith("_impulse") or name in (K.DW, K.DD, K.DT):
            self._configure()
        elif name == "weights":
            super().on_var_set(name)  # type: ignore[misc]

    # -- helpers ----------------------------------------------------------------------------
    @staticmethod
    def _to_dense(v: ty.Any) -> np.ndarray:
        return v.toarray() if is_sparse(v) else np.asarray(v)

    def _within_epoch_time_step(self) -> int:
        t_epoch = self._rule.t_epoch
        ts = self.time_step % t_epoch
        return t_epoch if ts == 0 else ts

    # -- spiking phase ----------------------------------------------------------------------
    def recv_spk(self) -> None:
        s_in = self.s_in.recv()
        s = s_in if self._graded else s_in.astype(bool)
        acc = self._accumulate(s)
        if self.fixed:
            acc = arith.shift(acc, self._weight_exp)
        self.a_buff = acc
        self._process_pre_spikes(s_in)
        bap = self.s_in_bap.recv().astype(bool)
        self._process_post_spikes(bap)
        if self._three_f:
            ys = [self.s_in_y1.recv(), self.s_in_y2.recv(), self.s_in_y3.recv()]
            for name, y in zip(("y1", "y2", "y3"), ys):
                cur = getattr(self, name)
                cur[...] = np.clip(np.round(y), -(2**K.W_TRACE), 2**K.W_TRACE - 1) if self.fixed else y

    def _process_pre_spikes(self, s_in: np.ndarray) -> None:
        spiked = s_in.astype(bool)
        multi = (self.tx > 0) & spiked
        update_t = spiked
        x2_idx = multi
        cfg = self._cfg
        if self.fixed:
            half = np.round(np.asarray(s_in, dtype=float) / 2).astype(np.int64)
            if cfg == GradedSpikeCfg.USE_REGULAR_IMPULSE:
                self.x1[multi] = self._add_impulse(self.x1[multi], self._x_imp_int[0], self._x_imp_frac[0])
            elif cfg == GradedSpikeCfg.OVERWRITE:
                self.x1[spiked] = np.clip(half[spiked], 0, 2**K.W_TRACE - 1)
            elif cfg == GradedSpikeCfg.ADD_WITH_SATURATION:
                self.x1[...] = np.clip(self.x1 + half, 0, 2**K.W_TRACE - 1)
            else:
                sums = self.x1 + half
                overflow = sums > 2**K.W_TRACE - 1
                update_t = spiked & overflow
                x2_idx = multi & overflow
                self.x1[...] = np.where(overflow, sums - (2**K.W_TRACE - 1), sums)
            self.x2[x2_idx] = self._add_impulse(self.x2[x2_idx], self._x_imp_int[1], self._x_imp_frac[1])
        else:
            if cfg == GradedSpikeCfg.USE_REGULAR_IMPULSE:
                self.x1[multi] += self._x_impulses[0]
            elif cfg == GradedSpikeCfg.OVERWRITE:
                self.x1[spiked] = (s_in / 2)[spiked]
            else:  # both ADD modes: add payload/2, no saturation in floating point (as Lava)
                self.x1[...] = self.x1 + s_in / 2
            self.x2[multi] += self._x_impulses[1]
        self.tx[update_t] = self._within_epoch_time_step()

    def _process_post_spikes(self, bap: np.ndarray) -> None:
        self.y0[bap] = True
        multi = (self.ty > 0) & bap
        if multi.any():
            for k, name in enumerate(("y1", "y2", "y3")):
                y = getattr(self, name)
                if self.fixed:
                    y[multi] = self._add_impulse(y[multi], self._y_imp_int[k], self._y_imp_frac[k])
                else:
                    y[multi] += self._y_impulses[k]
        self.ty[bap] = self._within_epoch_time_step()

    # -- learning phase ---------------------------------------------------------------------
    def lrn_guard(self) -> bool:
        return self.time_step % self._rule.t_epoch == 0

    def run_lrn(self) -> None:
        self.x0[...] = self.tx > 0
        self.y0[...] = self.ty > 0
        xh, yh = self._trace_histories()
        self.x1[...] = xh[-1, 0]
        self.x2[...] = xh[-1, 1]
        if not self._three_f:
            self.y1[...] = yh[-1, 0]
            self.y2[...] = yh[-1, 1]
            self.y3[...] = yh[-1, 2]
        self._apply_rules(xh, yh)
        self.x0[...] = False
        self.y0[...] = False
        self.tx[...] = 0
        self.ty[...] = 0

    def _trace_histories(self) -> tuple[np.ndarray, np.ndarray]:
        t_epoch = self._rule.t_epoch
        dtype = np.int64 if self.fixed else float
        xh = np.empty((t_epoch + 1, 2, self._n_pre), dtype=dtype)
        yh = np.empty((t_epoch + 1, 3, self._n_post), dtype=dtype)
        xh[0, 0], xh[0, 1] = self.x1, self.x2
        yh[0, 0], yh[0, 1], yh[0, 2] = self.y1, self.y2, self.y3
        for t in range(1, t_epoch + 1):
            if self.fixed:
                xh[t] = self._decay_fixed(xh[t - 1], self._x_decay)
                yh[t] = self._decay_fixed(yh[t - 1], self._y_decay)
                ids = np.flatnonzero(self.tx == t)
                if ids.size:
                    xh[t][:, ids] = self._add_impulse(
                        xh[t][:, ids], self._x_imp_int[:, None], self._x_imp_frac[:, None]
                    )
                ids = np.flatnonzero(self.ty == t)
                if ids.size:
                    yh[t][:, ids] = self._add_impulse(
                        yh[t][:, ids], self._y_imp_int[:, None], self._y_imp_frac[:, None]
                    )
            else:
                xh[t] = self._x_decay[:, None] * xh[t - 1]
                yh[t] = self._y_decay[:, None] * yh[t - 1]
                xh[t][:, self.tx == t] += self._x_impulses[:, None]
                yh[t][:, self.ty == t] += self._y_impulses[:, None]
        return xh, yh

    def _evaluated_traces(self, xh: np.ndarray, yh: np.ndarray) -> dict[str, ty.Any]:
        """Each trace as read by each dependency; shapes broadcast to (num_post, num_pre)."""
        tx, ty_ = self.tx, self.ty
        pre = np.arange(self._n_pre)
        post = np.arange(self._n_post)
        out: dict[str, ty.Any] = {}
        for name, k in _X_INDEX.items():
            out[f"{name}_x0"] = xh[tx, k, pre][None, :]
            out[f"{name}_y0"] = xh[ty_, k]
            out[f"{name}_u"] = xh[-1, k][None, :]
        for name, k in _Y_INDEX.items():
            out[f"{name}_x0"] = yh[tx, k].T
            out[f"{name}_y0"] = yh[ty_, k, post][:, None]
            out[f"{name}_u"] = yh[-1, k][:, None]
        return out

    def _u(self) -> int:
        k = self._rule.decimate_exponent
        if k is None:
            return 0
        return 1 if int(self.time_step / self._rule.t_epoch) % 2**k == 0 else 0

    def _factor_value(self, f, dep: str, args: dict) -> ty.Any:
        sv = f.state_var
        if sv in K.TRACES:
            val = args[f"{sv}_{dep}"]
        elif sv in K.SYNAPTIC_VARIABLES:
            val = args[K.SYNAPTIC_VARIABLE_VAR_MAPPING[sv]]
        elif sv in (K.X0, K.Y0):
            val = args[sv]
        else:  # pragma: no cover - the grammar produces no other factor
            raise ValueError(f"unknown factor {sv!r}")
        if f.const is not None:
            val = val + (int(round(f.const)) if self.fixed else f.const)
        if f.is_sgn:
            val = np.sign(val)
        return val

    def _apply_rules(self, xh: np.ndarray, yh: np.ndarray) -> None:
        args = self._evaluated_traces(xh, yh)
        args["x0"] = self.x0[None, :]
        args["y0"] = self.y0[:, None]
        args["u"] = self._u()
        for name in ("weights", "tag_2", "tag_1"):
            args[name] = self._to_dense(getattr(self, name))
        shape = (self._n_post, self._n_pre)
        for target, series in self._series.items():
            var = K.TARGET_VAR[target]
            if self.fixed:
                new = self._rule_fixed(series, args, var, shape)
            else:
                new = self._rule_float(series, args, var, shape)
            self._store(var, new)
        self._prepare_matrix(self.weights)

    def _rule_float(self, series, args: dict, var: str, shape) -> np.ndarray:
        total: ty.Any = None
        for p in series.products:
            term = p.scale * args[p.dependency]
            for f in p.factors:
                term = term * self._factor_value(f, p.dependency, args)
            total = term if total is None else total + term
        new = np.broadcast_to(args[var] + total, shape).astype(float)
        if var == "weights":
            mode = self._sign_mode()
            if mode == arith.SignMode.EXCITATORY:
                new = np.maximum(0, new)
            elif mode == arith.SignMode.INHIBITORY:
                new = np.minimum(0, new)
        elif var == "tag_2":
            new = np.maximum(0, new)
        return new

    def _rule_fixed(self, series, args: dict, var: str, shape) -> np.ndarray:
        acc_max = 2**K.W_ACCUMULATOR_U - 1
        acc_min = -(2**K.W_ACCUMULATOR_U) - 1
        shift_acc = K.W_ACCUMULATOR_S - K.W_SYN_VAR_S[var]
        acc = np.broadcast_to(args[var], shape).astype(np.int64) << shift_acc
        for p in series.products:
            cur = np.ones(shape, dtype=np.int64) * np.asarray(args[p.dependency], dtype=np.int64)
            width = 0
            for f in p.factors:
                w = K.FACTOR_TO_WIDTH[f.state_var]
                width += w
                val = np.clip(self._factor_value(f, p.dependency, args), -(2**w), 2**w - 1)
                cur = cur * np.asarray(val, dtype=np.int64)
            width += K.W_S_MANT
            cur = cur * p.s_mantissa
            cur = cur >> max(0, width - K.W_ACCUMULATOR_U)
            cur = cur << (p.s_exp - K.S_EXP_RANGE[0])
            cur = np.clip(cur, acc_min, acc_max)
            acc = np.clip(acc + cur, acc_min, acc_max)
        if var == "weights":
            mode = self._sign_mode()
            if mode == arith.SignMode.EXCITATORY:
                acc = np.maximum(0, acc)
            elif mode == arith.SignMode.INHIBITORY:
                acc = np.minimum(0, acc)
        elif var == "tag_2":
            acc = np.maximum(0, acc)
        unit = 2 ** (K.W_ACCUMULATOR_U - K.W_SYN_VAR_U[var])
        q = acc / unit
        fl = np.floor(q)
        new = (fl + (self._rng.random(shape) < (q - fl))).astype(np.int64)
        if var == "weights":
            lo, hi = arith.weight_range(self._sign_mode(), K.W_WEIGHTS_U)
        elif var == "tag_2":
            lo, hi = 0, 2**K.W_TAG_2_U - 1
        else:
            lo, hi = -(2**K.W_TAG_1_U), 2**K.W_TAG_1_U - 1
        return np.clip(new, lo, hi)

    def _sign_mode(self) -> arith.SignMode:
        mode = self.proc_params.get("sign_mode")
        if mode is None:
            if not self.fixed:
                return arith.SignMode.MIXED
            if not hasattr(self, "_fixed_sign_mode"):
                w0 = self.process.vars["weights"].init
                vals = w0.data if is_sparse(w0) else np.asarray(w0)
                self._fixed_sign_mode = arith.determine_sign_mode(vals if vals.size else np.zeros(1))
            return self._fixed_sign_mode
        return mode if isinstance(mode, arith.SignMode) else arith.SignMode(int(mode))

    def _store(self, var: str, new: np.ndarray) -> None:
        cur = getattr(self, var)
        if is_sparse(cur):
            cur.data[:] = new[self._rows, self._cols]
        else:
            cur[...] = new

    # -- fixed-point rounding ---------------------------------------------------------------
    def _decay_fixed(self, values: np.ndarray, decay: np.ndarray) -> np.ndarray:
        v = decay[:, None] * values
        fl = np.floor(v)
        return (fl + (self._rng.random(v.shape) < (v - fl))).astype(np.int64)

    def _add_impulse(self, values: np.ndarray, imp_int: ty.Any, imp_frac: ty.Any) -> np.ndarray:
        v = np.asarray(values, dtype=np.int64) + imp_int
        shape = np.shape(v)
        v = v + (self._rng.integers(0, 2**K.W_TRACE_FRACTIONAL_PART, size=shape) < imp_frac)
        return np.clip(v, 0, 2**K.W_TRACE - 1)


def _learning_fields(fixed: bool) -> dict[str, LavaPyType]:
    num = np.int64 if fixed else float
    port_t = np.int32 if fixed else float
    f = {
        "s_in_bap": LavaPyType(PyInPort.VEC_DENSE, bool, precision=1),
        "s_in_y1": LavaPyType(PyInPort.VEC_DENSE, port_t, precision=7 if fixed else None),
        "s_in_y2": LavaPyType(PyInPort.VEC_DENSE, port_t, precision=7 if fixed else None),
        "s_in_y3": LavaPyType(PyInPort.VEC_DENSE, port_t, precision=7 if fixed else None),
        "x0": LavaPyType(np.ndarray, bool),
        "y0": LavaPyType(np.ndarray, bool),
        "tx": LavaPyType(np.ndarray, int, precision=6),
        "ty": LavaPyType(np.ndarray, int, precision=6),
        "dw": LavaPyType(str, str),
        "dd": LavaPyType(str, str),
        "dt": LavaPyType(str, str),
    }
    for tr in _TRACE_NAMES:
        f[tr] = LavaPyType(np.ndarray, num, precision=7 if fixed else None)
        f[f"{tr}_tau"] = LavaPyType(np.ndarray, float)
        f[f"{tr}_impulse"] = LavaPyType(np.ndarray, float)
    return f


def _with_fields(fixed: bool, sparse: bool):
    def deco(cls):
        for k, v in _learning_fields(fixed).items():
            setattr(cls, k, v)
        if sparse:
            cls.tag_1 = LavaPyType(CSR_MATRIX, np.int64 if fixed else float)
            cls.tag_2 = LavaPyType(CSR_MATRIX, np.int64 if fixed else float)
        else:
            cls.tag_1 = LavaPyType(np.ndarray, np.int64 if fixed else float)
            cls.tag_2 = LavaPyType(np.ndarray, np.int64 if fixed else float)
        cls.s_in = LavaPyType(PyInPort.VEC_DENSE, np.int32 if fixed else float)
        return cls

    return deco


@implements(proc=LearningDense, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
@_with_fields(fixed=False, sparse=False)
class PyLearningDenseModelFloat(decl.DenseFloatFields, _LearningConnection, _DenseBase):
    """LearningDense in floating point (Lava's numbers)."""


@implements(proc=LearningDense, protocol=LoihiProtocol)
@requires(CPU)
@tag("bit_approximate_loihi", "fixed_pt")
@_with_fields(fixed=True, sparse=False)
class PyLearningDenseModelFixed(decl.DenseFixedFields, _LearningConnection, _DenseBase):
    """LearningDense with Loihi's learning widths and seeded stochastic rounding."""

    fixed = True


@implements(proc=LearningSparse, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
@_with_fields(fixed=False, sparse=True)
class PyLearningSparseModelFloat(decl.SparseFloatFields, _LearningConnection, _SparseBase):
    """LearningSparse in floating point; only stored synapses learn."""


@implements(proc=LearningSparse, protocol=LoihiProtocol)
@requires(CPU)
@tag("bit_approximate_loihi", "fixed_pt")
@_with_fields(fixed=True, sparse=True)
class PyLearningSparseModelFixed(decl.SparseFixedFields, _LearningConnection, _SparseBase):
    """LearningSparse with Loihi's learning widths and seeded stochastic rounding."""

    fixed = True


# -- LearningLIF ---------------------------------------------------------------------------
def _post_trace_params(rule: LoihiLearningRule | None) -> tuple[float, float, float, float]:
    """(y1 impulse, y1 tau, y3 impulse, y3 tau) a LearningLIF uses for its own traces."""
    if rule is None:
        return 0.0, 0.0, 0.0, 0.0
    if hasattr(rule, "post_trace_decay_tau"):
        y1 = (float(rule.post_trace_kernel_magnitude), float(rule.post_trace_decay_tau))
    else:
        y1 = (float(rule.y1_impulse), float(rule.y1_tau))
    y3 = (0.0, 0.0) if isinstance(rule, Loihi3FLearningRule) else (float(rule.y3_impulse), float(rule.y3_tau))
    return (*y1, *y3)


def _decay_of(tau: float) -> float:
    return float(np.exp(-1 / tau)) if tau != 0 else 1.0


class _LearningLIFMixin:
    def _setup_traces(self) -> None:
        imp1, tau1, imp3, tau3 = _post_trace_params(self.proc_params.get("learning_rule"))
        self._imp1, self._g1, self._imp3, self._g3 = imp1, _decay_of(tau1), imp3, _decay_of(tau3)

    def run_spk(self) -> None:
        a_in = self.a_in.recv()
        third = self.a_third_factor_in.recv()
        self.subthr_dynamics(a_in)
        s = self.spiking_activation()
        self.reset_voltage(s)
        self._update_traces(s, third)
        self.s_out.send(s)
        self.s_out_bap.send(s)
        self.s_out_y1.send(self.y1)
        self.s_out_y2.send(self.y2)
        self.s_out_y3.send(self.y3)


@implements(proc=LearningLIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyLearningLifModelFloat(_LearningLIFMixin, PyLifModelFloat):
    """LIF in floating point that also sends its spikes (bap) and traces y1..y3."""

    a_third_factor_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out_bap: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, bool)
    s_out_y1: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    s_out_y2: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    s_out_y3: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    y1: np.ndarray = LavaPyType(np.ndarray, float)
    y2: np.ndarray = LavaPyType(np.ndarray, float)
    y3: np.ndarray = LavaPyType(np.ndarray, float)

    def validate(self) -> None:
        super().validate()
        self._setup_traces()

    def _update_traces(self, s: np.ndarray, third: np.ndarray) -> None:
        self.y1[:] = self.y1 * self._g1 + self._imp1 * s
        self.y2[:] = third
        self.y3[:] = self.y3 * self._g3 + self._imp3 * s


@implements(proc=LearningLIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("bit_accurate_loihi", "fixed_pt")
class PyLearningLifModelFixed(_LearningLIFMixin, PyLifModelBitAcc):
    """Loihi's fixed-point LIF that also sends its spikes and 7-bit traces (stochastically rounded)."""

    a_third_factor_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=7)
    s_out_bap: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, bool, precision=1)
    s_out_y1: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=7)
    s_out_y2: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=7)
    s_out_y3: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=7)
    y1: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=7)
    y2: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=7)
    y3: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=7)

    def validate(self) -> None:
        super().validate()
        self._setup_traces()
        rule = self.proc_params.get("learning_rule")
        self._rng = np.random.default_rng(rule.rng_seed if rule is not None else 0)

    def _trace(self, y: np.ndarray, g: float, imp: float, s: np.ndarray) -> np.ndarray:
        v = y * g
        fl = np.floor(v)
        v = fl + (self._rng.random(v.shape) < (v - fl))
        imp_int = np.floor(imp)
        frac = round((imp - imp_int) * 2**K.W_TRACE_FRACTIONAL_PART)
        add = imp_int + (self._rng.integers(0, 2**K.W_TRACE_FRACTIONAL_PART, size=v.shape) < frac)
        return np.clip(v + add * s, 0, 2**K.W_TRACE - 1)

    def _update_traces(self, s: np.ndarray, third: np.ndarray) -> None:
        s = s.astype(bool)
        self.y1[:] = self._trace(self.y1, self._g1, self._imp1, s)
        self.y2[:] = np.clip(third, -(2**K.W_TRACE), 2**K.W_TRACE - 1)
        self.y3[:] = self._trace(self.y3, self._g3, self._imp3, s)


MODELS = [
    PyLearningDenseModelFloat,
    PyLearningDenseModelFixed,
    PyLearningSparseModelFloat,
    PyLearningSparseModelFixed,
    PyLearningLifModelFloat,
    PyLearningLifModelFixed,
]
