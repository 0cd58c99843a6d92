"""Float-to-fixed conversion: a ``floating_pt`` LIF/Dense/Sparse network as ``fixed_pt`` parameters for Loihi.

How the numbers are chosen (per LIF population, with ``s`` = fixed units per
float unit of ``u`` and ``v``):

* threshold: ``vth_fixed = s * vth / 64`` (the chip compares ``v`` with
  ``vth << 6``); ``s`` is picked so that this is the largest power of two the
  constraints allow: ``vth << 6`` at most ``2**23 / headroom``, the largest
  possible ``u`` and ``v`` (``state_bound``) within 24 bits, bias and weights
  representable. A power of two keeps dyadic float values exact;
* decays: ``du_fixed = round(4096 * du) - 1`` (the chip's current decay has a
  +1 offset), ``dv_fixed = round(4096 * dv)``, both clipped to 0..4095;
* bias: ``bias * s = bias_mant << bias_exp`` with the smallest ``bias_exp``
  (0..7) that keeps ``|bias_mant| <= 4095``;
* weights into the population: ``W * s / 64 = W_int << weight_exp`` with the
  smallest ``weight_exp`` that fits the largest weight into the 8-bit range of
  the matrix's sign mode, then truncated to ``num_weight_bits`` as the chip
  stores them.

Every rounding is reported (:class:`QuantizationReport`): the realised value
of each parameter in float units, and the weight errors (max, RMS relative to
the weights' RMS, weights that became zero). Anything that cannot be
represented raises :class:`caldera.errors.ParameterError`.
"""

from __future__ import annotations

import math
import typing as ty
from dataclasses import dataclass, field

import numpy as np
from caldera import arith
from caldera.compiler import collect_processes
from caldera.errors import ParameterError
from caldera.lazy import lazy_module
from caldera.ports import InPort
from caldera.procs import LIF, Dense, RingBuffer, RingBufferSink, Sparse
from caldera.variable import is_sparse

from caldera_loihi.limits import LOIHI2, LoihiLimits

sp = lazy_module("scipy.sparse")  # imported on first use (see caldera.lazy)

SUPPORTED = (LIF, Dense, Sparse, RingBuffer, RingBufferSink)


@dataclass
class ProcessQuantization:
    """How one process was converted: its fixed parameters and the errors made."""

    name: str
    cls: str
    params: dict
    scale: float | None = None
    limited_by: str = ""
    errors: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        d = dict(self.__dict__)
        d["params"] = {
            k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in self.params.items() if not is_sparse(v)
        }
        return d


@dataclass
class QuantizationReport:
    """Per-process conversion details; ``format()`` prints a table."""

    processes: list[ProcessQuantization]

    def __getitem__(self, name: str) -> ProcessQuantization:
        for p in self.processes:
            if p.name == name:
                return p
        raise KeyError(name)

    @property
    def max_weight_error_rel(self) -> float:
        """The worst RMS weight error relative to the weights' RMS, over all connections."""
        vals = [p.errors["weight_rms_rel"] for p in self.processes if "weight_rms_rel" in p.errors]
        return max(vals, default=0.0)

    def to_dict(self) -> dict:
        return {"processes": [p.to_dict() for p in self.processes]}

    def format(self) -> str:
        lines = [f"{'process':<16} {'class':<8} {'scale':>10}  details"]
        for p in self.processes:
            scale = f"{p.scale:.4g}" if p.scale is not None else "-"
            if p.cls == "LIF":
                e = p.errors
                det = (
                    f"vth {p.params['vth']} (limited by {p.limited_by}); du {e['du_realised']:.5f} "
                    f"(want {e['du']:.5f}), dv {e['dv_realised']:.5f} (want {e['dv']:.5f}); "
                    f"bias max err {e['bias_max_abs']:.3g}"
                )
            elif "weight_exp" in p.params:
                e = p.errors
                det = (
                    f"weight_exp {p.params['weight_exp']}, {p.params['num_weight_bits']} bits "
                    f"{e['sign_mode']}; weight err max {e['weight_max_abs']:.3g}, "
                    f"rms {100 * e['weight_rms_rel']:.2f}%"
                    f" of rms weight, {e['zeroed']} weights became 0"
                )
            else:
                det = "unchanged (host process)"
            lines.append(f"{p.name[:16]:<16} {p.cls:<8} {scale:>10}  {det}")
            lines += [f"{'':<16} warning: {w}" for w in p.warnings]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.format()


@dataclass
class Conversion:
    """The fixed-point network: ``processes`` by the original names, and the quantization report."""

    processes: dict[str, ty.Any]
    report: QuantizationReport
    _by_id: dict[int, ty.Any] = field(default_factory=dict, repr=False)

    def __getitem__(self, old: ty.Any) -> ty.Any:
        """The converted twin of an original process (or of its name)."""
        if isinstance(old, str):
            return self.processes[old]
        return self._by_id[old.id]


def _arr(x: ty.Any) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _scalar(x: ty.Any, what: str = "") -> float:
    """The one value of a population-wide parameter; one value per neuron cannot be converted."""
    arr = np.asarray(x, dtype=np.float64).reshape(-1)
    if arr.size > 1 and np.any(arr != arr[0]):
        raise ParameterError(f"{what}: one value per neuron cannot be converted; give the population one value")
    return float(arr[0])


def _weight_layout(w: np.ndarray, num_weight_bits: int, weight_bits: int) -> tuple[arith.SignMode, int, int]:
    """Sign mode, largest storable magnitude, and the truncation step (2**bits dropped) for a weight matrix."""
    mode = arith.determine_sign_mode(w if w.size else np.zeros(1))
    lo, hi = arith.weight_range(mode, weight_bits)
    trunc = weight_bits - num_weight_bits + int(mode == arith.SignMode.MIXED)
    step = 1 << trunc
    top = (max(hi, -lo) // step) * step if mode != arith.SignMode.MIXED else (hi // step) * step
    return mode, max(top, step), step


def _quantize_weights(what: str, w_real: np.ndarray, num_weight_bits: int, lim: LoihiLimits) -> tuple:
    """Integer weights and exponent with ``W_int << exp ~= w_real``; truncated like the chip stores them."""
    mode, top, step = _weight_layout(w_real, num_weight_bits, lim.weight_bits)
    wmax = float(np.abs(w_real).max()) if w_real.size else 0.0
    if wmax == 0.0:
        return np.zeros_like(w_real, dtype=np.int64), 0, mode
    exp = math.ceil(math.log2(wmax / top)) if wmax > top else -math.floor(math.log2(top / wmax))
    exp = max(exp, lim.weight_exp_min)
    while wmax / 2.0**exp > top + step / 2 and exp < lim.weight_exp_max:
        exp += 1
    if wmax / 2.0**exp > top + step / 2:
        raise ParameterError(
            f"{what}: the largest weight needs weight_exp {math.ceil(math.log2(wmax / top))}, beyond "
            f"{lim.name}'s {lim.weight_exp_max}; raise headroom (smaller scale) to convert this network"
        )
    q = np.round(w_real / 2.0**exp / step) * step
    lo, hi = arith.weight_range(mode, lim.weight_bits)
    q = np.clip(q, lo, hi).astype(np.int64)
    q = arith.truncate_weights(q, mode, num_weight_bits, lim.weight_bits)  # a no-op on multiples of step
    return np.asarray(q, dtype=np.int64), int(exp), mode


def _direct_targets(proc: ty.Any, names: set[int]) -> list[tuple[str, ty.Any, str]]:
    """``(out port, target process, in port)`` for each connection out of ``proc``; only direct ones."""
    out = []
    for port in proc.out_ports:
        for dst in port.out_connections:
            if not isinstance(dst, InPort) or type(dst) is not InPort or dst.process is None:
                raise ParameterError(
                    f"{type(proc).__name__} {proc.name!r}: {port.name} goes through a virtual or hierarchical port; "
                    "to_fixed supports direct port-to-port connections only"
                )
            if dst.process.id not in names:
                raise ParameterError(f"{proc.name!r}.{port.name} feeds {dst.process.name!r}, outside the network")
            out.append((port.name, dst.process, dst.name))
    return out


def to_fixed(
    network: ty.Any,
    *,
    headroom: float = 2.0,
    num_weight_bits: int = 8,
    state_bound: float | dict | None = None,
    limits: LoihiLimits = LOIHI2,
) -> Conversion:
    """Convert a ``floating_pt`` network of LIF, Dense and Sparse processes (with RingBuffer sources/sinks).

    network:
        any process of the network (every connected process is converted), or a list of processes.
    headroom:
        the fixed threshold ``vth << 6`` is at most ``2**(state_bits - 1) / headroom``: room above the
        threshold for v and for large currents (u wraps at 24 bits). Larger headroom, coarser values.
    num_weight_bits:
        weight bits the synapses keep (1..8); fewer bits, less synaptic memory, larger errors.
    state_bound:
        the largest ``|u|`` and positive ``v`` expected, in float units (one number, or a dict by LIF
        name). ``None``: the worst case (every input spiking every step), which guarantees that u never
        wraps and v never saturates upwards on the chip. The scale only sets the resolution of the
        24-bit states (one unit of truncation per step), so the safe default costs little accuracy.

    Returns a :class:`Conversion` of new, connected processes (run them with
    ``RunConfig(backend="loihi", tag="fixed_pt")``) and its quantization report.
    The original processes are not changed.
    """
    if not headroom >= 1.0:
        raise ParameterError(f"to_fixed: headroom must be >= 1, got {headroom}")
    if not 1 <= int(num_weight_bits) <= limits.weight_bits:
        raise ParameterError(f"to_fixed: num_weight_bits must be within 1..{limits.weight_bits}, got {num_weight_bits}")
    roots = list(network) if isinstance(network, (list, tuple)) else [network]
    procs: dict[int, ty.Any] = {}
    for r in roots:
        for p in collect_processes(r):
            procs.setdefault(p.id, p)
    for p in procs.values():
        if type(p) not in SUPPORTED:
            raise ParameterError(
                f"to_fixed: {type(p).__name__} {p.name!r} is not supported; the converter handles "
                f"{', '.join(c.__name__ for c in SUPPORTED)} (add Monitors after converting)"
            )
        if p.runtime is not None:
            raise ParameterError(f"to_fixed: {p.name!r} already belongs to a compiled network; convert before running")
    ids = set(procs)
    edges = {pid: _direct_targets(p, ids) for pid, p in procs.items()}
    incoming: dict[int, list[ty.Any]] = {pid: [] for pid in procs}
    for pid, outs in edges.items():
        for _, dst, _ in outs:
            incoming[dst.id].append(procs[pid])
    vmax_eff = 2.0 ** (limits.state_bits - 1) / headroom
    reports: list[ProcessQuantization] = []
    scale: dict[int, float] = {}
    new: dict[int, ty.Any] = {}

    # LIF populations first: their scales set the connections' weights
    for pid, p in procs.items():
        if type(p) is not LIF:
            continue
        what = f"LIF {p.name!r}"
        vth = _scalar(p.vars["vth"].init, f"{what}: vth")
        if vth <= 0:
            raise ParameterError(f"{what}: vth={vth} must be > 0 to be scaled to the chip's unsigned threshold")
        # the floating_pt LIF adds bias_mant and ignores bias_exp (as Lava's does)
        bias = np.broadcast_to(_arr(p.vars["bias_mant"].init), p.shape)
        bias_exp_ignored = bool(np.any(_arr(p.vars["bias_exp"].init) != 0))
        vth_fx_max = {
            "headroom": vmax_eff / 64.0,
            "threshold bits": float((1 << limits.vth_bits) - 1),
        }
        bmax = float(np.abs(bias).max())
        if bmax > 0:
            vth_fx_max["bias range"] = (
                (((1 << (limits.bias_mant_bits - 1)) - 1) << ((1 << limits.bias_exp_bits) - 1)) * vth / 64.0 / bmax
            )
        for src in incoming[pid]:
            if type(src) in (Dense, Sparse):
                w = src.vars["weights"].init
                wv = w.data if is_sparse(w) else np.asarray(w)
                wm = float(np.abs(wv).max(initial=0.0))
                if wm > 0:
                    _, top, _ = _weight_layout(wv, num_weight_bits, limits.weight_bits)
                    cap = top * 2.0**limits.weight_exp_max * vth / wm
                    vth_fx_max["weight range"] = min(cap, vth_fx_max.get("weight range", cap))
        wsum = 0.0
        for src in incoming[pid]:
            if type(src) in (Dense, Sparse):
                w = src.vars["weights"].init
                a = np.abs(w.toarray() if is_sparse(w) else np.asarray(w)).sum(axis=1)
                wsum = max(wsum, float(a.max(initial=0.0)))
        du0 = _scalar(p.vars["du"].init, f"{what}: du")
        u_bound = wsum / max(du0, 1.0 / 4096)
        bound = state_bound.get(p.name) if isinstance(state_bound, dict) else state_bound
        if bound is None:
            bound = max(u_bound, vth + u_bound + bmax)
        elif not bound > 0:
            raise ParameterError(f"to_fixed: state_bound for {p.name!r} must be > 0, got {bound}")
        vth_fx_max["state range"] = ((1 << (limits.state_bits - 1)) - 1) * vth / 64.0 / bound
        limited_by = min(vth_fx_max, key=vth_fx_max.get)
        if vth_fx_max[limited_by] < 1:
            raise ParameterError(
                f"{what}: no integer threshold fits ({limited_by} allows {vth_fx_max[limited_by]:.3g})"
            )
        # a power of two: float weights and biases that are dyadic fractions of vth then convert exactly
        vth_fx = 1 << int(math.floor(math.log2(vth_fx_max[limited_by])))
        s = 64.0 * vth_fx / vth
        scale[pid] = s
        du, dv = _scalar(p.vars["du"].init, f"{what}: du"), _scalar(p.vars["dv"].init, f"{what}: dv")
        for n, d in (("du", du), ("dv", dv)):
            if not 0.0 <= d <= 1.0:
                raise ParameterError(f"{what}: {n}={d} must be within 0..1 for a floating_pt LIF")
        du_fx = int(np.clip(round(du * 4096) - 1, 0, 4095))
        dv_fx = int(np.clip(round(dv * 4096), 0, 4095))
        b = bias * s
        bexp = np.zeros(p.shape, np.int64)
        mant_max = (1 << (limits.bias_mant_bits - 1)) - 1
        big = np.abs(b) > mant_max
        if big.any():
            bexp[big] = np.ceil(np.log2(np.abs(b[big]) / mant_max)).astype(np.int64)
        bexp = np.minimum(bexp, (1 << limits.bias_exp_bits) - 1)
        bmant = np.clip(np.round(b / 2.0**bexp), -mant_max - 1, mant_max).astype(np.int64)
        u0, v0 = np.round(_arr(p.vars["u"].init) * s), np.round(_arr(p.vars["v"].init) * s)
        lo, hi = limits.state_range
        if np.any(np.abs(u0) > hi) or np.any(np.abs(v0) > hi):
            raise ParameterError(f"{what}: initial u or v does not fit {limits.state_bits} bits at scale {s:.4g}")
        params = dict(
            shape=p.shape,
            du=du_fx,
            dv=dv_fx,
            vth=vth_fx,
            bias_mant=bmant,
            bias_exp=bexp,
            u=u0.astype(np.int64),
            v=v0.astype(np.int64),
        )
        errors = {
            "vth_realised": vth_fx * 64.0 / s,
            "du": du,
            "du_realised": (du_fx + 1) / 4096.0,
            "dv": dv,
            "dv_realised": dv_fx / 4096.0,
            "bias_max_abs": float(np.abs(bmant * 2.0**bexp / s - bias).max()),
        }
        warnings = []
        if bias_exp_ignored:
            warnings.append("bias_exp is ignored: the floating_pt LIF adds bias_mant only (as Lava's does)")
        if du == 0.0:
            warnings.append("du=0 (no current decay) is not representable: the chip decays u by at least 1/4096")
        if dv >= 1.0:
            warnings.append("dv=1 is not representable (12 bits): dv=4095/4096 used")
        if s * u_bound >= 2.0 ** (limits.state_bits - 1):
            warnings.append(
                f"u could reach {s * u_bound:.3g} (> 2**23) if every input spiked every step: it "
                "would wrap on the chip; lower state_bound if that activity is possible"
            )
        if dv > 0 and s * (u_bound + bmax) / dv >= 2.0 ** (limits.state_bits - 1):
            warnings.append(
                "if every inhibitory input spiked every step, v could saturate at -2**23 on the chip "
                "(the float model has no bound)"
            )
        reports.append(ProcessQuantization(p.name, "LIF", params, s, limited_by, errors, warnings))
        new[pid] = LIF(name=p.name, **params)

    for pid, p in procs.items():
        what = f"{type(p).__name__} {p.name!r}"
        if type(p) in (Dense, Sparse):
            targets = [dst for _, dst, _ in edges[pid]]
            if len(targets) != 1 or type(targets[0]) is not LIF:
                raise ParameterError(
                    f"to_fixed: {what} must feed exactly one LIF (it feeds {[t.name for t in targets]})"
                )
            if int(p.proc_params.get("num_message_bits", 0)) != 0:
                raise ParameterError(f"to_fixed: {what} carries graded messages; only binary spikes are converted")
            s = scale[targets[0].id]
            w = p.vars["weights"].init
            dense_w = w.toarray() if is_sparse(w) else _arr(w)
            real = dense_w * s / 64.0
            q, exp, mode = _quantize_weights(what, real, num_weight_bits, limits)
            err = q * 2.0**exp * 64.0 / s - dense_w
            nz = dense_w != 0
            rms_w = float(np.sqrt(np.mean(dense_w[nz] ** 2))) if nz.any() else 0.0
            errors = {
                "sign_mode": mode.name,
                "weight_max_abs": float(np.abs(err).max(initial=0.0)),
                "weight_rms_rel": float(np.sqrt(np.mean(err[nz] ** 2)) / rms_w) if rms_w else 0.0,
                "zeroed": int(np.count_nonzero(nz & (q == 0))),
            }
            params = dict(
                weights=q if type(p) is Dense else sp.csr_matrix(q),
                weight_exp=exp,
                num_weight_bits=int(num_weight_bits),
            )
            reports.append(ProcessQuantization(p.name, type(p).__name__, params, s, "", errors))
            new[pid] = type(p)(name=p.name, **params)
        elif type(p) is RingBuffer:
            data = _arr(p.vars["data"].init)
            if not np.all((data == 0) | (data == 1)):
                raise ParameterError(f"to_fixed: {what} must send binary spikes (0/1) to be converted")
            new[pid] = RingBuffer(name=p.name, data=data.astype(np.int64))
            reports.append(ProcessQuantization(p.name, "RingBuffer", {}))
        elif type(p) is RingBufferSink:
            sh = tuple(p.vars["data"].shape)
            new[pid] = RingBufferSink(name=p.name, shape=sh[:-1], buffer=sh[-1])
            reports.append(ProcessQuantization(p.name, "RingBufferSink", {}))

    for pid, outs in edges.items():
        for out_name, dst, in_name in outs:
            getattr(new[pid], out_name).connect(getattr(new[dst.id], in_name))
    return Conversion(
        {p.name: new[pid] for pid, p in procs.items()}, QuantizationReport(reports), {pid: new[pid] for pid in procs}
    )


def spike_agreement(a: np.ndarray, b: np.ndarray, window: int = 1) -> dict:
    """Compare two spike rasters ``(steps, neurons)``.

    Returns ``count_rel_diff`` (|total a - total b| / total a), ``rate_corr``
    (correlation of per-neuron counts), and ``coincidence``: the fraction of
    spikes of either raster that have a spike of the same neuron in the other
    within ``window`` steps.
    """
    a = np.asarray(a) != 0
    b = np.asarray(b) != 0
    if a.shape != b.shape:
        raise ParameterError(f"spike_agreement: shapes differ: {a.shape} vs {b.shape}")

    def near(x: np.ndarray) -> np.ndarray:
        out = x.copy()
        for k in range(1, window + 1):
            out[k:] |= x[:-k]
            out[:-k] |= x[k:]
        return out

    na, nb = int(a.sum()), int(b.sum())
    matched = int((a & near(b)).sum()) + int((b & near(a)).sum())
    ca, cb = a.sum(axis=0), b.sum(axis=0)
    corr = float(np.corrcoef(ca, cb)[0, 1]) if ca.std() > 0 and cb.std() > 0 else float(np.array_equal(ca, cb))
    return {
        "spikes_a": na,
        "spikes_b": nb,
        "count_rel_diff": abs(na - nb) / max(na, 1),
        "rate_corr": corr,
        "coincidence": matched / max(na + nb, 1),
    }


__all__ = ["to_fixed", "Conversion", "QuantizationReport", "ProcessQuantization", "spike_agreement"]
