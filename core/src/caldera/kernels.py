"""Loihi's neuron steps and parameter checks as pure functions, shared by every ``fixed_pt`` backend.

:mod:`caldera.arith` holds the rules (decays, wrap and saturation, shifts, weight
ranges); this module composes them into what a model does in a step and what it
checks and prepares when it is built. A backend's model is a thin stateful
wrapper: it prepares its parameters with the ``*_params`` functions, calls the
step functions on its Vars and adds what only it needs (the emulator: activity
counts; a compiled backend: its own loop over the same prepared parameters).

The numbers are Lava 0.10's ``fixed_pt`` ones, bit for bit (the golden suite is
the arbiter):

* LIF: ``u <- wrap24(trunc(u * (4096 - du - 1) / 4096) + (a_in << 6))``,
  ``v <- sat24(trunc(v * (4096 - dv) / 4096) + u + (bias_mant << bias_exp))``,
  spike where ``v > vth << 6``, then ``v <- 0`` there.
* Sigma-delta: ``sigma += a_in``; ``act = f(sigma + bias)``; send the change of
  ``act`` (plus the residue) where it reaches ``vth``.
* RF: a rotation by ``(cos_decay, sin_decay) / 2**decay_bits`` truncated toward
  zero, clipped to 24 bits; a spike where the real part reaches ``vth`` as the
  phase crosses zero.
"""

from __future__ import annotations

import typing as ty

import numpy as np

from caldera import arith
from caldera.errors import ParameterError
from caldera.variable import is_sparse

_max = np.maximum.reduce  # the ufunc reduction, without ndarray.max's Python wrapper (hot loop)


# -- bit widths ------------------------------------------------------------------------------
#: ``param_ranges`` of the fixed-point LIF family (Lava 0.10's precisions): name -> (lo, hi, description)
LIF_RANGES = {
    "du": (0, 4095, "12-bit unsigned"),
    "dv": (0, 4095, "12-bit unsigned"),
    "bias_mant": (-4096, 4095, "13-bit signed"),
    "bias_exp": (0, 7, "3-bit unsigned"),
    "u": (-(2**23) + 1, 2**23, "24-bit signed"),
    "v": (-(2**23) + 1, 2**23 - 1, "24-bit signed"),
    "vth": (0, 131071, "17-bit unsigned"),
    "vth_hi": (-(2**23) + 1, 2**23 - 1, "24-bit signed"),
    "vth_lo": (-(2**23) + 1, 2**23 - 1, "24-bit signed"),
}

#: ``param_ranges`` of the fixed-point CUBA LIF: LIF's, for both currents
CUBA_RANGES = {
    "du_exc": LIF_RANGES["du"],
    "du_inh": LIF_RANGES["du"],
    "dv": LIF_RANGES["dv"],
    "bias_mant": LIF_RANGES["bias_mant"],
    "bias_exp": LIF_RANGES["bias_exp"],
    "u_exc": LIF_RANGES["u"],
    "u_inh": LIF_RANGES["u"],
    "v": LIF_RANGES["v"],
    "vth": LIF_RANGES["vth"],
}

#: ``param_ranges`` of the fixed-point sigma-delta neuron
SIGMA_DELTA_RANGES = {"vth": (0, 2**23 - 1, "24-bit unsigned"), "bias": (-(2**23), 2**23 - 1, "24-bit signed")}


# -- checks -----------------------------------------------------------------------------------
def describe(model: ty.Any) -> str:
    """``"LIF 'name'"``: how error messages name the process of a model."""
    proc = model.process
    return f"{type(proc).__name__} {proc.name!r}"


def require_integers(model: ty.Any, names: ty.Iterable[str], hint: str | None = None) -> None:
    """The initial values of the Vars ``names`` (those the process has) must be integers.

    Checked on the values as given, before a Var's integer dtype would silently
    truncate them; ``hint`` (e.g. how to convert a network) ends the message. A
    model built with ``strict=False`` (``RunConfig(value_checks="lava")``) takes
    them as Lava does: the Var's dtype truncates them.
    """
    if not getattr(model, "strict", True):
        return
    proc = model.process
    for name in names:
        if name not in proc.vars:
            continue
        init = proc.vars[name].init
        val = init.data if is_sparse(init) else np.asarray(init)
        if val.dtype.kind == "f" and not np.all(val == np.round(val)):
            raise ParameterError(
                f"{describe(model)}: {name} must hold integers for the fixed_pt model {type(model).__name__}; "
                f"{name}={init!r} is not an integer" + (f"; {hint}" if hint else "")
            )


def sign_mode_of(weights: ty.Any, sign_mode: ty.Any = None) -> arith.SignMode:
    """The sign mode a process asked for (``None`` or ``0``: from the weights' signs)."""
    if isinstance(sign_mode, arith.SignMode):
        return sign_mode
    if not sign_mode:
        vals = weights.data if is_sparse(weights) else np.asarray(weights)
        return arith.determine_sign_mode(vals if vals.size else np.zeros(1))
    return arith.SignMode(int(sign_mode))


def check_weights(
    what: str,
    weights: ty.Any,
    sign_mode: ty.Any = None,
    num_weight_bits: int = 8,
    name: str = "weights",
    hint: str | None = None,
    weight_bits: int = 8,
    strict: bool = True,
) -> arith.SignMode:
    """Finite integers within the chip's ``weight_bits``-bit range for their sign mode; returns the sign mode.

    ``what`` names the process in messages, ``hint`` ends the message about
    fractional weights. Never clips silently: :func:`stored_weights` does what
    the synapse does with weights that passed. ``strict=False``
    (``RunConfig(value_checks="lava")``) checks only that they are finite:
    :func:`stored_weights` then truncates and clips them as Lava does.
    """
    vals = weights.data if is_sparse(weights) else np.asarray(weights)
    if vals.size and not np.all(np.isfinite(vals)):
        raise ParameterError(f"{what}: {name} must be finite")
    mode = sign_mode_of(weights, sign_mode)
    if not strict:
        return mode
    if vals.size and vals.dtype.kind == "f" and not np.all(vals == np.round(vals)):
        raise ParameterError(
            f"{what}: {name} must be integers for fixed_pt, got non-integer values" + (f"; {hint}" if hint else "")
        )
    lo, hi = arith.weight_range(mode, weight_bits)
    if vals.size and (vals.min() < lo or vals.max() > hi):
        bad = vals.min() if vals.min() < lo else vals.max()
        over = lo - bad if bad < lo else bad - hi
        raise ParameterError(
            f"{what}: weight {int(bad)} does not fit Loihi's {weight_bits}-bit synaptic weights: with sign mode "
            f"{mode.name} the range is {lo}..{hi} (over by {int(over)}); scale the weights down and raise weight_exp"
        )
    if not 1 <= int(num_weight_bits) <= weight_bits:
        raise ParameterError(f"{what}: num_weight_bits={num_weight_bits} is outside 1..{weight_bits}")
    return mode


def stored_weights(weights: ty.Any, sign_mode: arith.SignMode, num_weight_bits: int) -> ty.Any:
    """The weights as the synapse stores them: clipped to the sign mode's 8 bits, truncated to ``num_weight_bits``."""
    return arith.truncate_weights(arith.clip_weights(weights, sign_mode, 8), sign_mode, int(num_weight_bits))


def connection_sign_mode(model: ty.Any, weights: ty.Any, name: str = "weights") -> arith.SignMode:
    """:func:`check_weights` for a connection model (Dense, Sparse, their delayed forms, Conv): its process
    names the messages, its ``proc_params`` give ``sign_mode`` and ``num_weight_bits``, and a model built
    with ``strict=False`` (``RunConfig(value_checks="lava")``) has only finiteness checked."""
    p = model.proc_params
    return check_weights(
        describe(model),
        weights,
        p.get("sign_mode"),
        p.get("num_weight_bits", 8),
        name=name,
        strict=getattr(model, "strict", True),
    )


def connection_weights(model: ty.Any, weights: ty.Any) -> ty.Any:
    """A connection model's weights checked (:func:`connection_sign_mode`) and as the synapse stores them."""
    sign_mode = connection_sign_mode(model, weights)
    return stored_weights(weights, sign_mode, int(model.proc_params.get("num_weight_bits", 8)))


class SynapseParams(ty.NamedTuple):
    """How a connection delivers: ``graded`` messages (``num_message_bits > 0``) or binary spikes, and
    the ``weight_exp`` shift of the summed input (0 for ``floating_pt``)."""

    graded: bool
    weight_exp: int


def synapse_params(num_message_bits: ty.Any, weight_exp: ty.Any = 0) -> SynapseParams:
    """Prepare a connection's delivery parameters (every backend's Dense, Sparse, Conv and delayed forms)."""
    return SynapseParams(scalar(num_message_bits) > 0, scalar(weight_exp))


def check_delays(what: str, delays: ty.Any, max_delay: int = 63) -> None:
    """Synaptic delays within Loihi 2's 6 bits."""
    d = delays.data if is_sparse(delays) else np.asarray(delays)
    dmax = int(d.max()) if d.size else 0
    if dmax > max_delay:
        raise ParameterError(
            f"{what}: delays go up to {dmax}; Loihi 2's 6-bit delays allow 0..{max_delay} (over by {dmax - max_delay})"
        )


def delay_stack(weights: ty.Any, delays: ty.Any, depth: int, dtype: ty.Any) -> np.ndarray:
    """The weights of a delayed connection as one dense ``(depth * n_out, n_in)`` matrix: row ``k * n_out + i``
    holds the weights of delay ``k`` onto output ``i``, so one product gives every delay's input at once."""
    w = weights.toarray() if is_sparse(weights) else np.asarray(weights)
    d = delays.toarray() if is_sparse(delays) else np.asarray(delays)
    return np.vstack([np.where(d == k, w, 0) for k in range(depth)]).astype(dtype)


def delay_advance(buf: np.ndarray, act: np.ndarray) -> np.ndarray:
    """A delay line ``(n_out, depth)`` one step on: column 0 (sent this step) is cleared in place, the columns
    move down by one, and ``act`` (this step's input by delay, ``(n_out, depth)``) is added; a new array."""
    buf[:, 0] = 0
    buf = np.roll(buf, -1, axis=1)
    buf += act
    return buf


# -- LIF --------------------------------------------------------------------------------------
def scalar(x: ty.Any) -> int:
    """The single integer held by a scalar or one-element Var."""
    return int(np.asarray(x).reshape(-1)[0])


def per_neuron_int(x: ty.Any) -> ty.Any:
    """A fixed-point parameter that is one number for the population (a scalar or one-element Var: a
    Python int) or one per neuron (an int64 array); non-integers are truncated toward zero, as ``int``."""
    arr = np.asarray(x)
    if arr.size == 1:
        return int(arr.reshape(-1)[0])
    return np.trunc(arr).astype(np.int64) if arr.dtype.kind == "f" else arr.astype(np.int64)


def decay_factor(d: ty.Any, offset: int = 0) -> ty.Any:
    """``(4096 - d - offset) / 4096``: multiplying an int32 state by it in float64 is exact (see arith.decay).
    A float for one ``d``, a float64 array for one ``d`` per neuron."""
    if np.size(d) != 1:
        return (arith.DECAY_UNITY - (per_neuron_int(d) + offset)) / arith.DECAY_UNITY
    return (arith.DECAY_UNITY - (int(np.asarray(d).reshape(-1)[0]) + offset)) / arith.DECAY_UNITY


#: Loihi's offset on the current decay (``du = 4095`` clears u); the voltage decay has none.
U_DECAY_OFFSET = 1


class LifParams(ty.NamedTuple):
    """A fixed-point LIF's prepared parameters: decay factors of u and v, and the shifted bias."""

    mu: ty.Any  # float, or a float64 array with one factor per neuron
    mv: ty.Any
    bias: np.ndarray  # int32, bias_mant << bias_exp


def lif_params(
    du: ty.Any, dv: ty.Any, bias_mant: ty.Any, bias_exp: ty.Any, du_offset: int = U_DECAY_OFFSET, dv_offset: int = 0
) -> LifParams:
    """Prepare a fixed-point LIF's parameters for :func:`lif_subthreshold` (and compiled kernels)."""
    return LifParams(
        decay_factor(du, du_offset),
        decay_factor(dv, dv_offset),
        arith.shift(np.asarray(bias_mant).astype(np.int32), bias_exp),
    )


def threshold(vth: ty.Any) -> ty.Any:
    """A threshold in the voltage's units: ``vth << 6`` (a Python int for a scalar, else an int32 array)."""
    arr = np.asarray(vth)
    if arr.size == 1 and arr.ndim <= 1:
        return scalar(arr) << arith.VTH_SHIFT
    return np.left_shift(arr.astype(np.int32), arith.VTH_SHIFT)


def lif_subthreshold_into(
    uv: np.ndarray,
    factors: np.ndarray,
    inputs: ty.Iterable[tuple[np.ndarray, np.ndarray]],
    bias: np.ndarray | None,
    magnitude: np.ndarray,
    magnitude_flat: np.ndarray,
) -> None:
    """One LIF sub-threshold step on ``uv``, in place, in few NumPy calls.

    ``uv`` (int32) holds the currents in its first rows and the voltage in its
    last (LIF: u, v; CUBA LIF: u_exc, u_inh, v). ``factors`` has ``uv``'s shape:
    the decay factors (float64, see :func:`lif_params`); ``inputs`` are ``(rows
    of a current, a_in)`` pairs; ``bias`` is None when it is zero; ``magnitude``
    is int32 scratch of ``uv``'s shape and ``magnitude_flat`` its flat uint32 view
    (:func:`lif_scratch`). Wrapping and saturation are rare, so v is first computed
    from the unwrapped currents and one scan of the magnitudes decides whether
    anything is out of range; only then are the currents wrapped and v corrected
    (exact: int32 arithmetic is modular and the corrected v fits) and saturated.
    The decays are one float64 multiply (exact) cast back to int32 (the cast
    truncates toward zero).
    """
    v = uv[-1]
    np.multiply(uv, factors, out=uv, casting="unsafe")
    for rows, a_in in inputs:
        np.add(rows, np.left_shift(a_in, arith.ACT_SHIFT), out=rows, casting="unsafe")
    if len(uv) == 2:  # LIF: one current (the hot path: no loop, no temporary)
        np.add(v, uv[0], out=v)
    else:  # int32 sums are modular, so the order of the currents does not matter
        np.add(v, uv[:-1].sum(axis=0, dtype=np.int32), out=v)
    if bias is not None:
        np.add(v, bias, out=v, casting="unsafe")
    np.abs(uv, out=magnitude)  # |INT32_MIN| stays negative: read as uint32 it is 2**31, out of range
    if _max(magnitude_flat) >= arith.MAX_UV:
        for u in uv[:-1]:
            unwrapped = u.copy()
            u[...] = arith.wrap_u(u)
            v += u - unwrapped
        v[...] = arith.saturate_v(v)


class LifScratch(ty.NamedTuple):
    """Arrays :func:`lif_subthreshold_into` works in, made once per population by :func:`lif_scratch`."""

    factors: np.ndarray
    magnitude: np.ndarray
    magnitude_flat: np.ndarray


def lif_scratch(shape: tuple[int, ...], *factors: ty.Any) -> LifScratch:
    """The decay factors (one per row: currents, then v) laid out like the state (full size: a broadcast
    multiply is slower), and the scratch of :func:`lif_subthreshold_into`."""
    full = np.empty((len(factors), *shape), np.float64)
    for row, f in zip(full, factors):
        row[...] = f
    magnitude = np.empty(full.shape, np.int32)
    return LifScratch(full, magnitude, magnitude.reshape(-1).view(np.uint32))


def subthreshold(
    currents: ty.Sequence[np.ndarray],
    v: np.ndarray,
    inputs: ty.Sequence[np.ndarray | None],
    factors: ty.Sequence[float],
    bias: np.ndarray,
) -> tuple[list[np.ndarray], np.ndarray]:
    """:func:`lif_subthreshold_into` as a pure function: new ``(currents, v)`` (int32); nothing is changed.

    ``inputs[i]`` feeds ``currents[i]`` (None: no input), shifted in its own
    integer dtype; ``factors`` are the decay factors of the currents, then of v.
    """
    uv = np.stack([*(np.asarray(u, np.int32) for u in currents), np.asarray(v, np.int32)])
    scratch = lif_scratch(uv.shape[1:], *factors)
    feed = [(uv[i], a) for i, a in enumerate(inputs) if a is not None]
    b = bias if np.any(bias) else None
    lif_subthreshold_into(uv, scratch.factors, feed, b, scratch.magnitude, scratch.magnitude_flat)
    return list(uv[:-1]), uv[-1]


def lif_subthreshold(
    u: np.ndarray, v: np.ndarray, a_in: np.ndarray | None, params: LifParams
) -> tuple[np.ndarray, np.ndarray]:
    """One LIF sub-threshold step as a pure function: new ``(u, v)`` (int32)."""
    (un,), vn = subthreshold([u], v, [a_in], [params.mu, params.mv], params.bias)
    return un, vn


class CubaParams(ty.NamedTuple):
    """A fixed-point CUBA LIF's prepared parameters: decay factors of u_exc, u_inh and v, and the shifted bias."""

    m_exc: float
    m_inh: float
    mv: float
    bias: np.ndarray


def cuba_params(du_exc: ty.Any, du_inh: ty.Any, dv: ty.Any, bias_mant: ty.Any, bias_exp: ty.Any) -> CubaParams:
    """Prepare a fixed-point CUBA LIF's parameters (both currents decay as LIF's u, with its +1 offset)."""
    return CubaParams(
        decay_factor(scalar(du_exc), U_DECAY_OFFSET),
        decay_factor(scalar(du_inh), U_DECAY_OFFSET),
        decay_factor(scalar(dv), 0),
        arith.shift(np.asarray(bias_mant).astype(np.int32), bias_exp),
    )


def reset_timer(proc_params: ty.Mapping) -> tuple[int, int]:
    """LIFReset's timer as ``(interval, offset)``: u and v are zeroed at the steps ``t`` where
    ``t % interval == offset`` (:func:`reset_due`); the offset is taken modulo the interval."""
    interval = int(proc_params["reset_interval"])
    return interval, int(proc_params["reset_offset"]) % interval


def reset_due(time_step: int, timer: tuple[int, int]) -> bool:
    """Whether LIFReset's timer zeroes u and v before the step ``time_step``."""
    return time_step % timer[0] == timer[1]


def fire(v: np.ndarray, vth: ty.Any) -> np.ndarray:
    """Spikes where ``v > vth``; v is reset to 0 there, in place."""
    s = v > vth
    np.putmask(v, s, 0)
    return s


def fire_ternary(v: np.ndarray, vth_hi: ty.Any, vth_lo: ty.Any) -> np.ndarray:
    """+1 above ``vth_hi``, -1 below ``vth_lo``; v is reset to 0 where either fired, in place."""
    s = (v > vth_hi).astype(np.int32) - (v < vth_lo).astype(np.int32)
    np.putmask(v, s != 0, 0)
    return s


# -- sigma-delta ------------------------------------------------------------------------------
def sigma_delta_step(
    a_in: np.ndarray,
    sigma: np.ndarray,
    act: np.ndarray,
    residue: np.ndarray,
    error: np.ndarray,
    bias: np.ndarray,
    vth: np.ndarray,
    relu: bool,
    cum_error: bool,
) -> tuple[np.ndarray, ...]:
    """Sigma decoding, activation (identity or ReLU) and delta encoding.

    Returns ``(s_out, sigma, act, residue, error)``, new arrays; ``s_out`` is
    before the ``state_exp`` shift. The same arithmetic serves ``floating_pt``.
    """
    sigma = a_in + sigma
    act_new = sigma + bias
    if relu:
        act_new = np.maximum(act_new, 0)
    delta = act_new - act + residue
    if cum_error:
        error = error + delta
        s = np.where(np.abs(error) >= vth, delta, 0)
        error = error * (1 - (np.abs(s) > 0))
    else:
        s = np.where(np.abs(delta) >= vth, delta, 0)
    return s, sigma, act_new, delta - s, error


def sigma_delta_vars(model: ty.Any, a_in: np.ndarray, relu: bool) -> tuple[np.ndarray, ...]:
    """:func:`sigma_delta_step` on a sigma-delta model's Vars (``sigma``, ``act``, ``residue``, ``error``,
    ``bias``, ``vth``, ``cum_error``); the model is not changed. Returns ``(s_out, sigma, act, residue, error)``."""
    cum_error = bool(np.asarray(model.cum_error).reshape(-1)[0])
    return sigma_delta_step(
        a_in, model.sigma, model.act, model.residue, model.error, model.bias, model.vth, relu, cum_error
    )


# -- resonate-and-fire ------------------------------------------------------------------------
RF_LIMIT = 2**23 - 1


def rf_step(
    a_real: np.ndarray,
    a_imag: np.ndarray,
    real: np.ndarray,
    imag: np.ndarray,
    cos_d: ty.Any,
    sin_d: ty.Any,
    decay_bits: ty.Any,
    limit: int = RF_LIMIT,
) -> tuple[np.ndarray, np.ndarray]:
    """The resonator's rotation with decays scaled by ``2**decay_bits`` (truncation toward zero), clipped."""

    def scale(x: np.ndarray) -> np.ndarray:
        return arith.scale_down(x, decay_bits)

    r, i = np.int64(real), np.int64(imag)
    nr = scale(cos_d * r) - scale(sin_d * i) + a_real
    ni = scale(sin_d * r) + scale(cos_d * i) + a_imag
    return np.clip(nr, -limit, limit), np.clip(ni, -limit, limit)


def rf_spikes(new_real: np.ndarray, new_imag: np.ndarray, old_imag: np.ndarray, vth: ty.Any) -> np.ndarray:
    """A spike where the real part reaches ``vth`` as the phase crosses zero (imag goes from < 0 to >= 0)."""
    return (new_real >= vth) * (new_imag >= 0) * (old_imag < 0)


def require_decay_bits(model: ty.Any, decay_bits: ty.Any) -> None:
    """A fixed-point resonator holds its decays as integers scaled by ``2**decay_bits``: it needs decay_bits > 0."""
    if scalar(decay_bits) <= 0:
        raise ParameterError(
            f"{describe(model)}: the fixed_pt model needs decay_bits > 0 (e.g. 12) to hold its decays as integers"
        )


__all__ = [
    "LIF_RANGES",
    "CUBA_RANGES",
    "SIGMA_DELTA_RANGES",
    "describe",
    "require_integers",
    "sign_mode_of",
    "check_weights",
    "stored_weights",
    "connection_sign_mode",
    "connection_weights",
    "SynapseParams",
    "synapse_params",
    "check_delays",
    "delay_stack",
    "delay_advance",
    "scalar",
    "decay_factor",
    "U_DECAY_OFFSET",
    "LifParams",
    "lif_params",
    "per_neuron_int",
    "threshold",
    "lif_subthreshold_into",
    "LifScratch",
    "lif_scratch",
    "subthreshold",
    "lif_subthreshold",
    "CubaParams",
    "cuba_params",
    "reset_timer",
    "reset_due",
    "fire",
    "fire_ternary",
    "sigma_delta_step",
    "sigma_delta_vars",
    "RF_LIMIT",
    "rf_step",
    "rf_spikes",
    "require_decay_bits",
]
